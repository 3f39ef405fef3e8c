# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common import FunnelCase
from .test_calls import CallsMixin


def as_date(value):
    """A group's date (a Date field groups by dates, a Datetime by datetimes)."""
    return value.date() if isinstance(value, datetime) else value


@tagged("post_install", "-at_install")
class TestCallDays(CallsMixin, FunnelCase):
    """One call, one day, in every report: a rep in New York calls at 23:30
    of her own day, which is the next day in UTC and in Brussels, where her
    manager reads the reports. Every report counts the call on the rep's
    day, as her call targets do, so that the same call is in the same day,
    week and month whichever report the manager opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep.tz = "America/New_York"
        cls.manager.tz = "Europe/Brussels"
        cls.env["crm.team.member"].create({"crm_team_id": cls.team.id, "user_id": cls.rep.id})
        cls.team.write({"call_target_daily": 3, "call_target_weekly": 12})
        # the manager's screens, in her time zone and language (English:
        # weeks start on Sunday)
        cls.reader = cls.env(user=cls.manager, context=dict(cls.env.context, tz="Europe/Brussels"))

    def setUp(self):
        super().setUp()
        self.deal = self.make_deal("Late caller", self.s_new)
        # Friday 30 January 2026 at 10:00 in New York (15:00 UTC)
        self.call(self.deal, "no_answer", datetime(2026, 1, 30, 15, 0))
        # Saturday 31 January at 23:30 in New York, the last day of a month
        # and of an English week: Sunday 1 February 04:30 in UTC, 05:30 in
        # Brussels
        self.call(self.deal, "conversation", datetime(2026, 2, 1, 4, 30))
        # Sunday 31 May at 23:30 in New York (summer time), the last day of
        # a month and of an ISO week: Monday 1 June 03:30 in UTC
        self.call(self.deal, "voicemail", datetime(2026, 6, 1, 3, 30))
        self.env.flush_all()

    # the rep's days: 1 call on Friday 30 and 1 on Saturday 31 January, 1 on
    # Sunday 31 May; English weeks from Sunday 25 January (2 calls) and from
    # Sunday 31 May (1); January 2, May 1
    REP_DAYS = {
        "day": {date(2026, 1, 30): 1, date(2026, 1, 31): 1, date(2026, 5, 31): 1},
        "week": {date(2026, 1, 25): 2, date(2026, 5, 31): 1},
        "month": {date(2026, 1, 1): 2, date(2026, 5, 1): 1},
    }

    def buckets(self, model, domain, field, measure, reader=None):
        """The figure ``measure`` of the rows of ``domain`` per day, week
        and month of ``field``, as the manager reads them (empty groups
        left out)."""
        Report = (reader or self.reader)[model]
        found = {}
        for granularity in ("day", "week", "month"):
            rows = Report._read_group(domain, [f"{field}:{granularity}"], [measure])
            found[granularity] = {as_date(key): value for key, value in rows if value}
        return found

    def assertWeeksAddUp(self, found, first_day=6):
        """Each week's figure is the sum of its days' (weeks starting on
        ``first_day``, 0 for Monday, 6 for Sunday)."""
        weeks = {}
        for day, value in found["day"].items():
            start = day - timedelta(days=(day.weekday() - first_day) % 7)
            weeks[start] = weeks.get(start, 0) + value
        self.assertEqual(weeks, found["week"], "a week's total is the sum of its days'")

    def test_sales_process_counts_a_call_on_the_callers_day(self):
        calls = self.buckets(
            "crm.sales.process.report",
            [("lead_id", "=", self.deal.id), ("kind", "=", "call")],
            "date",
            "call_count:sum",
        )
        self.assertEqual(calls, self.REP_DAYS, "calls in the sales process")
        self.assertWeeksAddUp(calls)
        # each call is an activity too (its note in the chatter): on the
        # same day
        activities = self.buckets(
            "crm.sales.process.report",
            [("lead_id", "=", self.deal.id), ("kind", "=", "activity")],
            "date",
            "activity_count:sum",
        )
        self.assertEqual(activities, self.REP_DAYS, "call notes in the sales process")
        # the reports that counted them on her day already
        for model in ("crm.call.report", "crm.adoption.report"):
            found = self.buckets(
                model,
                [("kind", "=", "call"), ("user_id", "=", self.rep.id)],
                "date",
                "call_count:sum",
            )
            self.assertEqual(found, self.REP_DAYS, model)
            self.assertWeeksAddUp(found)
        # the rep reading her own figures in New York: the same days
        rep = self.env(user=self.rep, context=dict(self.env.context, tz="America/New_York"))
        self.assertEqual(
            self.buckets(
                "crm.sales.process.report",
                [("lead_id", "=", self.deal.id), ("kind", "=", "call")],
                "date",
                "call_count:sum",
                reader=rep,
            ),
            self.REP_DAYS,
            "the rep's own sales process",
        )

    def test_iso_weeks_of_a_call_on_a_sunday_evening(self):
        # a language whose weeks start on Monday (ISO weeks): the call of
        # Sunday 31 May is in the week of Monday 25 May, with those of
        # January in the week of Monday 26 January
        self.env.ref("base.lang_en").week_start = "1"
        iso_weeks = {date(2026, 1, 26): 2, date(2026, 5, 25): 1}
        for model, domain in (
            ("crm.sales.process.report", [("lead_id", "=", self.deal.id), ("kind", "=", "call")]),
            ("crm.call.report", [("kind", "=", "call"), ("user_id", "=", self.rep.id)]),
            ("crm.adoption.report", [("kind", "=", "call"), ("user_id", "=", self.rep.id)]),
        ):
            found = self.buckets(model, domain, "date", "call_count:sum")
            self.assertEqual(found["week"], iso_weeks, model)
            self.assertWeeksAddUp(found, first_day=0)

    def test_call_targets_of_a_week_are_those_of_its_days(self):
        # the week of Sunday 25 January: a daily target of 3 on Monday 26 to
        # Friday 30 (15), none on Saturday 31; the weekly 12 on Monday 26
        week = [
            ("kind", "=", "target"),
            ("user_id", "=", self.rep.id),
            ("date", ">=", "2026-01-25"),
            ("date", "<=", "2026-01-31"),
        ]
        daily = self.buckets("crm.call.report", week, "date", "target_daily:sum")
        self.assertEqual(daily["week"], {date(2026, 1, 25): 15})
        self.assertEqual(sum(daily["day"].values()), 15)
        self.assertNotIn(date(2026, 1, 31), daily["day"], "no target on Saturdays")
        weekly = self.buckets("crm.call.report", week, "date", "target_weekly:sum")
        self.assertEqual(weekly["day"], {date(2026, 1, 26): 12})
        self.assertEqual(weekly["week"], {date(2026, 1, 25): 12})

    def call_log(self, reader=None):
        """The Call Log grouped by its search view's Day, Week and Month, as
        the manager reads it."""
        Calls = (reader or self.reader)["crm.lead.call"]
        arch = Calls.get_views([(False, "search")])["views"]["search"]["arch"]
        found = {}
        for granularity in ("day", "week", "month"):
            group_by = re.search(
                rf"name=\"group_{granularity}\"[^>]*'group_by': '([^']+)'", arch, re.S
            ).group(1)
            rows = Calls._read_group([("lead_id", "=", self.deal.id)], [group_by], ["__count"])
            found[granularity] = {as_date(key): count for key, count in rows}
        return found

    def test_call_log_groups_a_call_on_the_callers_day(self):
        self.assertEqual(self.call_log(), self.REP_DAYS, "the call log by day, week and month")
        self.assertWeeksAddUp(self.call_log())
        # its graph and its Date filter read the same days
        Calls = self.reader["crm.lead.call"]
        views = Calls.get_views([(False, "graph"), (False, "search")])["views"]
        self.assertIn('<field name="day" interval="week"', views["graph"]["arch"])
        self.assertIn('date="day"', views["search"]["arch"])
        # a client cannot write a day of its own: it is the call's
        late = self.deal.call_ids.filtered(lambda call: call.outcome == "conversation")
        late.with_user(self.rep).write({"day": "2026-03-01"})
        self.assertEqual(late.day, date(2026, 1, 31))
        # a call corrected to 22:00 on Sunday 1 February in New York (03:00
        # UTC on the 2nd) moves to the 1st, in the next week and month
        late.with_user(self.rep).write({"date": datetime(2026, 2, 2, 3, 0)})
        moved = self.call_log()
        self.assertEqual(moved["day"][date(2026, 2, 1)], 1)
        self.assertEqual(
            moved["week"], {date(2026, 1, 25): 1, date(2026, 2, 1): 1, date(2026, 5, 31): 1}
        )
        self.assertEqual(
            moved["month"], {date(2026, 1, 1): 1, date(2026, 2, 1): 1, date(2026, 5, 1): 1}
        )
        # the rep moves to Brussels (her preferences): her calls fall on the
        # days of Brussels, in the call log as in the calls report
        self.rep.tz = "Europe/Brussels"
        self.env.flush_all()
        days = {date(2026, 1, 30): 1, date(2026, 2, 2): 1, date(2026, 6, 1): 1}
        self.assertEqual(self.call_log()["day"], days)
        found = self.buckets(
            "crm.call.report",
            [("kind", "=", "call"), ("user_id", "=", self.rep.id)],
            "date",
            "call_count:sum",
        )
        self.assertEqual(found["day"], days)

    def test_calls_rebuilt_from_their_notes_keep_their_day(self):
        # a reinstall: the calls went with the module, their notes stayed in
        # the chatter, and the calls come back from them in SQL
        self.env.cr.execute("DELETE FROM crm_lead_call WHERE lead_id = %s", [self.deal.id])
        self.env.invalidate_all()
        self.assertFalse(self.deal.call_ids)
        self.env["crm.lead"]._sff_backfill_calls()
        self.assertEqual(len(self.deal.call_ids), 3)
        self.assertEqual(self.call_log(), self.REP_DAYS)
