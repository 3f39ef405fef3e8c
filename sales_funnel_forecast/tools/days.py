# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The days the reports count in: those of the funnel totals' time zone
(CRM settings), the same for every reader."""

from datetime import date, datetime, time

import pytz

from odoo import fields
from odoo.tools import SQL


def day_start(env, day):
    """The first instant (UTC, as the database keeps times) of the date
    ``day`` in the funnel totals' time zone; a datetime is kept as it is."""
    if isinstance(day, datetime) or not isinstance(day, date):
        return day
    tz = pytz.timezone(env["crm.funnel.summary"]._sff_tz())
    midnight = datetime.combine(day, time.min)
    try:
        try:
            local = tz.localize(midnight, is_dst=None)
        except pytz.AmbiguousTimeError:
            # a midnight that happens twice (Atlantic/Azores, clocks going
            # back from 01:00 to 00:00): the day starts at the first one
            local = tz.localize(midnight, is_dst=True)
        except pytz.NonExistentTimeError:
            # no midnight (clocks going forward at 00:00): the day starts
            # at the change, which the time before it gives
            local = tz.localize(midnight, is_dst=False)
        return local.astimezone(pytz.utc).replace(tzinfo=None)
    except OverflowError:
        # the calendar's first or last day, east or west of UTC: its edge
        return datetime.min if day.year == 1 else datetime.max


def local_today(env):
    """Today in the funnel totals' time zone: the day whose periods every
    reader's screens count."""
    Summary = env["crm.funnel.summary"]
    return fields.Date.context_today(Summary.with_context(tz=Summary._sff_tz()))


def local_time_sql(column, tz):
    """SQL: the UTC datetime ``column`` as the clock reads it in the time
    zone ``tz`` (a parameter or a column)."""
    return SQL("timezone(%s, timezone('UTC', %s))", tz, column)


def local_month_sql(column, tz):
    """SQL: the first day of the month of the UTC datetime ``column`` in the
    time zone ``tz``, as a date."""
    return SQL("date_trunc('month', %s)::date", local_time_sql(column, tz))
