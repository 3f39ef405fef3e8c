# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The days the reports count in: those of the funnel totals' time zone
(CRM settings), the same for every reader."""

from datetime import date, datetime, time

import pytz


def day_start(env, day):
    """The first instant (UTC, as the database keeps times) of the date
    ``day`` in the funnel totals' time zone; a datetime is kept as it is."""
    if isinstance(day, datetime) or not isinstance(day, date):
        return day
    tz = pytz.timezone(env["crm.funnel.summary"]._sff_tz())
    return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
