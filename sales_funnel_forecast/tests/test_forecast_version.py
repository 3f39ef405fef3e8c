# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date, datetime, time, timedelta
from unittest.mock import patch

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.modules.migration import load_script
from odoo.tests import new_test_user, tagged

from ..const import TZ_PARAM
from ..install import rebuild
from ..install.stage_history import backfill_from_tracking
from ..models.crm_lead_forecast_version import VERSIONED_COLUMNS
from ..reports.crm_forecast_accuracy_report import REFRESH_PARAM as ACCURACY_REFRESHED
from ..tools.days import local_today
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestForecastVersions(FunnelCase):
    """Each deal's versions: what its forecast depended on, from one change
    to the next, written by the database whatever the way the deal
    changed."""

    def versions(self, deal):
        return [
            (
                v.valid_from,
                v.valid_to,
                v.stage_id,
                v.expected_revenue,
                v.deal_state,
                v.forecast_category,
                v.date_deadline,
                v.slip_days,
            )
            for v in deal.forecast_version_ids.sorted("valid_from")
        ]

    def test_each_change_starts_a_version(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Versions", self.s_new, 1000, date_deadline=date(2026, 4, 10))
        self.set_now(self.day(2))
        deal.stage_id = self.s_qualified
        self.set_now(self.day(5))
        # amount and a closing date 10 days later in one change: one version
        deal.write({"expected_revenue": 1500, "date_deadline": date(2026, 4, 20)})
        self.set_now(self.day(6))
        deal.date_deadline = date(2026, 4, 15)
        self.set_now(self.day(7))
        deal.action_set_lost()
        self.env.flush_all()
        self.assertEqual(
            self.versions(deal),
            [
                (
                    self.day(0),
                    self.day(2),
                    self.s_new,
                    1000,
                    "open",
                    "pipeline",
                    date(2026, 4, 10),
                    0,
                ),
                (
                    self.day(2),
                    self.day(5),
                    self.s_qualified,
                    1000,
                    "open",
                    "pipeline",
                    date(2026, 4, 10),
                    0,
                ),
                (
                    self.day(5),
                    self.day(6),
                    self.s_qualified,
                    1500,
                    "open",
                    "pipeline",
                    date(2026, 4, 20),
                    10,
                ),
                (
                    self.day(6),
                    self.day(7),
                    self.s_qualified,
                    1500,
                    "open",
                    "pipeline",
                    date(2026, 4, 15),
                    0,
                ),
                (
                    self.day(7),
                    False,
                    self.s_qualified,
                    1500,
                    "lost",
                    "omitted",
                    date(2026, 4, 15),
                    0,
                ),
            ],
        )
        self.assertEqual((deal.slip_count, deal.slip_days), (1, 10))
        Lead = self.env["crm.lead"].with_context(active_test=False)
        self.assertIn(deal, Lead.search([("slip_count", ">", 0)]))
        self.assertNotIn(deal, Lead.search([("slip_count", "=", 0)]))
        # won: the version says so, its category is Closed
        self.set_now(self.day(8))
        deal.action_unarchive()
        self.set_now(self.day(9))
        deal.stage_id = self.s_won
        self.env.flush_all()
        last = deal.forecast_version_ids.sorted("valid_from")[-2:]
        self.assertEqual(
            [(v.deal_state, v.forecast_category) for v in last],
            [("open", "pipeline"), ("won", "closed")],
        )

    def test_changes_at_one_moment_are_one_version(self):
        self.set_now(self.day(0))
        deal = self.make_deal("One moment", self.s_new, 1000, date_deadline=date(2026, 4, 10))
        deal.write({"stage_id": self.s_proposal.id})
        deal.write({"date_deadline": date(2026, 4, 12)})
        deal.write({"date_deadline": date(2026, 4, 11), "expected_revenue": 900})
        self.env.flush_all()
        # a deal new at that moment: its date did not slip
        self.assertEqual(
            self.versions(deal),
            [
                (
                    self.day(0),
                    False,
                    self.s_proposal,
                    900,
                    "open",
                    "best_case",
                    date(2026, 4, 11),
                    0,
                ),
            ],
        )

    def test_every_path_writes_versions(self):
        # a lead has none until converted
        self.set_now(self.day(0))
        lead = self.make_deal("A lead", self.s_new, 500, type="lead")
        self.env.flush_all()
        self.assertFalse(lead.forecast_version_ids)
        self.set_now(self.day(1))
        lead.convert_opportunity(self.env["res.partner"])
        self.env.flush_all()
        self.assertEqual(len(lead.forecast_version_ids), 1)
        self.assertEqual(lead.forecast_version_ids.valid_from, self.day(1))
        # SQL of another module, outside the ORM
        self.set_now(self.day(2))
        self.env.cr.execute("UPDATE crm_lead SET expected_revenue = 750 WHERE id = %s", [lead.id])
        self.env.invalidate_all()
        self.assertEqual(
            lead.forecast_version_ids.sorted("valid_from").mapped("expected_revenue"), [500, 750]
        )
        # several deals in one write
        self.set_now(self.day(3))
        other = self.make_deal("Other", self.s_new, 300)
        self.set_now(self.day(4))
        (lead | other).write({"stage_id": self.s_qualified.id})
        self.env.flush_all()
        self.assertEqual(
            [
                v.stage_id
                for v in (lead | other).forecast_version_ids
                if v.valid_from == self.day(4)
            ],
            [self.s_qualified, self.s_qualified],
        )
        # a merge: the deals merged away take their versions with them, the
        # kept one starts a new version for what it took over
        self.set_now(self.day(5))
        kept = (lead | other)._merge_opportunity(auto_unlink=True)
        self.env.flush_all()
        self.assertEqual(
            self.env["crm.lead.forecast.version"].search_count(
                [("lead_id", "in", (lead | other).ids), ("lead_id", "!=", kept.id)]
            ),
            0,
        )
        self.assertEqual(kept.forecast_version_ids.filtered(lambda v: not v.valid_to).lead_id, kept)
        # back to a lead: out of the pipeline, its last version ends
        self.set_now(self.day(6))
        kept.type = "lead"
        self.env.flush_all()
        self.assertFalse(kept.forecast_version_ids.filtered(lambda v: not v.valid_to))
        self.assertEqual(max(kept.forecast_version_ids.mapped("valid_to")), self.day(6))

    def test_a_converted_lead_has_not_slipped(self):
        """A lead converted with a later expected closing date in the same
        save enters the pipeline: its first version slipped from nothing.
        Turned back into a lead and converted again later: no slip either;
        a later date after that, as an opportunity, is a slip of 10 days."""
        self.set_now(self.day(0))
        lead = self.make_deal(
            "Lead with a date", self.s_new, 1000, type="lead", date_deadline=date(2026, 3, 1)
        )
        self.set_now(self.day(1))
        lead.write({"type": "opportunity", "date_deadline": date(2026, 4, 1)})
        self.set_now(self.day(2))
        lead.type = "lead"
        self.set_now(self.day(3))
        lead.write({"type": "opportunity", "date_deadline": date(2026, 5, 1)})
        self.set_now(self.day(4))
        lead.date_deadline = date(2026, 5, 11)
        self.env.flush_all()
        self.assertEqual(
            [
                (v.valid_from, v.date_deadline, v.slip_days)
                for v in lead.forecast_version_ids.sorted("valid_from")
            ],
            [
                (self.day(1), date(2026, 4, 1), 0),
                (self.day(3), date(2026, 5, 1), 0),
                (self.day(4), date(2026, 5, 11), 10),
            ],
        )
        self.assertEqual((lead.slip_count, lead.slip_days), (1, 10))

    def test_snapshot_weighs_what_the_deal_weighed(self):
        """Omitted by a salesperson's choice, a deal still counts in the
        stage-weighted forecast, on the deal and in the snapshots; out of
        the forecast, it counts 0. Three deals of 1,000, 2,000 and 500 at
        30 %: the first omitted by choice (300), the second out of the
        forecast (0), the third omitted by choice then, a day later, out of
        the forecast too (a version of its own: the category did not
        change). On March 4: 3 deals, 3,500, stage-weighted 300."""
        self.set_now(self.day(0))
        chosen = self.make_deal("Parked", self.s_qualified, 1000, date_deadline=date(2026, 4, 1))
        excluded = self.make_deal(
            "Out", self.s_qualified, 2000, date_deadline=date(2026, 4, 1), forecast_excluded=True
        )
        both = self.make_deal(
            "Parked then out", self.s_qualified, 500, date_deadline=date(2026, 4, 1)
        )
        (chosen | both).write({"forecast_category": "omitted"})
        self.set_now(self.day(1))
        both.forecast_excluded = True
        self.env.flush_all()
        self.assertEqual(
            [(deal.forecast_category, deal.forecast_revenue) for deal in chosen | excluded | both],
            [("omitted", 300.0), ("omitted", 0.0), ("omitted", 0.0)],
        )
        self.assertEqual(
            [
                (v.valid_from, v.forecast_category, v.forecast_excluded)
                for v in both.forecast_version_ids.sorted("valid_from")
            ],
            [(self.day(0), "omitted", False), (self.day(1), "omitted", True)],
        )
        Snapshot = self.env["crm.pipeline.snapshot"]
        Snapshot._sff_take([date(2026, 3, 4)])
        [(count, amount, weighted, history)] = Snapshot._read_group(
            [("date_snapshot", "=", date(2026, 3, 4)), ("team_id", "=", self.team.id)],
            [],
            [
                "deal_count:sum",
                "expected_revenue:sum",
                "forecast_revenue:sum",
                "history_forecast_revenue:sum",
            ],
        )
        self.assertEqual((count, amount, weighted), (3, 3500.0, 300.0))
        self.env.cr.execute(
            "SELECT COALESCE(history_weight, forecast_probability / 100) FROM crm_stage WHERE id = %s",
            [self.s_qualified.id],
        )
        self.assertAlmostEqual(history, 1000 * self.env.cr.fetchone()[0], 2)
        # the pipeline at a moment says which deals were out of the forecast
        rows = self.env["crm.lead"].sff_pipeline_at(self.day(0, 1), [("id", "in", both.ids)])
        self.assertEqual([row["forecast_excluded"] for row in rows], [False])
        rows = self.env["crm.lead"].sff_pipeline_at(self.day(2), [("id", "in", both.ids)])
        self.assertEqual([row["forecast_excluded"] for row in rows], [True])

    def test_upgrade_from_versions_without_the_forecast_flag(self):
        """The upgrade to 18.0.1.15.0, on data as 18.0.1.14.0 left it. A:
        1,000 at 30 %, omitted by choice all along. D: 500 at 30 %, omitted
        by choice on day 0, out of the forecast on day 1, back in on day 2,
        out again on day 3; E: 800, out of the forecast on day 1 and back in
        on day 2 (its category changing each time); each change dated in the
        chatter 3 seconds after it (Odoo dates a message at the end of its
        request); S: 200, omitted by choice, taken out of the forecast by the
        stall rules on day 2 (not tracked). A merged deal's change in A's
        chatter is not A's. D moves to the next stage on day 4.
        18.0.1.14.0 kept one version of D from day 0 to day 4 and of S from
        day 0 (their category never changed), which are split at each
        change. L: a lead converted with a later date (a slip to clear); F:
        a date moved 10 days later (a slip to keep). The snapshots' Omitted
        rows, written at 0: March 3 (before day 1) 300 + 150 + 60 = 510,
        March 4 (D out, S not yet) 360; the others are left as they were;
        the accuracy lines are worked out
        again."""
        self.set_now(self.day(0))
        chosen = self.make_deal("A", self.s_qualified, 1000, date_deadline=date(2026, 4, 1))
        moved = self.make_deal("D", self.s_qualified, 500, date_deadline=date(2026, 4, 1))
        slipped = self.make_deal("F", self.s_new, 100, date_deadline=date(2026, 4, 1))
        lead = self.make_deal("L", self.s_new, 100, type="lead", date_deadline=date(2026, 3, 1))
        out = self.make_deal("E", self.s_qualified, 800, date_deadline=date(2026, 4, 1))
        stalled = self.make_deal("S", self.s_qualified, 200, date_deadline=date(2026, 4, 1))
        # Odoo tracks the changes of later requests than the creation's
        self.end_request()
        (chosen | moved | stalled).write({"forecast_category": "omitted"})
        self.end_request()
        for days, excluded in ((1, True), (2, False), (3, True)):
            self.set_now(self.day(days))
            if days == 1:
                lead.write({"type": "opportunity", "date_deadline": date(2026, 4, 1)})
                slipped.date_deadline = date(2026, 4, 11)
            if days == 2:
                # the stall rules take S out of the forecast: not tracked
                stalled._sff_mark_stalled(stalled, self.day(2))
            self.track(moved, {"forecast_excluded": excluded}, days)
            if days < 3:
                # E: its category changes too (a version of its own then)
                self.track(out, {"forecast_excluded": excluded}, days)
        self.set_now(self.day(4))
        moved.stage_id = self.s_proposal
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE mail_message m SET date = m.date + interval '3 seconds'
                FROM mail_tracking_value t
               WHERE t.mail_message_id = m.id AND m.res_id = ANY(%s) AND m.model = 'crm.lead'""",
            [(moved | out).ids],
        )
        # a change of a deal merged into A, which the merge moved into A's chatter
        self.env.cr.execute(
            """WITH m AS (
                   INSERT INTO mail_message (model, res_id, subject, message_type, date)
                   VALUES ('crm.lead', %s, 'From: a merged deal', 'notification', %s)
                   RETURNING id)
               INSERT INTO mail_tracking_value (field_id, mail_message_id, old_value_integer,
                                                new_value_integer)
               SELECT %s, m.id, 0, 1 FROM m""",
            [
                chosen.id,
                self.day(2),
                self.env["ir.model.fields"]._get("crm.lead", "forecast_excluded").id,
            ],
        )
        Snapshot = self.env["crm.pipeline.snapshot"]
        Snapshot._sff_take([date(2026, 3, 3), date(2026, 3, 4)])
        others = Snapshot.search(
            [("team_id", "=", self.team.id), ("forecast_category", "!=", "omitted")]
        )
        written = others.read(["forecast_revenue", "history_forecast_revenue"])
        self.assertTrue(written)
        # the data as 18.0.1.14.0 left it, the flag's column just added
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE crm_lead_forecast_version SET forecast_excluded = FALSE;
               DELETE FROM crm_lead_forecast_version
                WHERE lead_id = ANY(%(flag_only)s) AND valid_from > %(start)s
                  AND valid_from < %(moved_on)s;
               UPDATE crm_lead_forecast_version SET valid_to = %(moved_on)s
                WHERE lead_id = %(moved)s AND valid_from = %(start)s;
               UPDATE crm_lead_forecast_version SET valid_to = NULL
                WHERE lead_id = %(stalled)s;
               UPDATE crm_lead_forecast_version SET slip_days = 31
                WHERE lead_id = %(lead)s AND valid_from = %(converted)s;
               UPDATE crm_pipeline_snapshot SET forecast_revenue = 0, history_forecast_revenue = 0
                WHERE forecast_category = 'omitted'""",
            {
                "flag_only": (moved | stalled).ids,
                "moved": moved.id,
                "stalled": stalled.id,
                "start": self.day(0),
                "moved_on": self.day(4),
                "lead": lead.id,
                "converted": self.day(1),
            },
        )
        self.env.invalidate_all()
        self.assertEqual(len(moved.forecast_version_ids), 2)
        self.assertEqual(len(stalled.forecast_version_ids), 1)
        day = [("team_id", "=", self.team.id), ("forecast_category", "=", "omitted")]
        self.assertEqual(
            Snapshot._read_group(day, ["date_snapshot:day"], ["forecast_revenue:sum"]),
            [(date(2026, 3, 3), 0.0), (date(2026, 3, 4), 0.0)],
        )
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.15.0/post-migrate.py",
            "sff_post_migrate_18_0_1_15_0",
        )
        migration.migrate(self.env.cr, "18.0.1.14.0")
        self.env.invalidate_all()
        seconds = timedelta(seconds=3)
        self.assertEqual(
            [
                (v.valid_from, v.valid_to, v.forecast_excluded)
                for v in moved.forecast_version_ids.sorted("valid_from")
            ],
            [
                (self.day(0), self.day(1) + seconds, False),
                (self.day(1) + seconds, self.day(2) + seconds, True),
                (self.day(2) + seconds, self.day(3) + seconds, False),
                (self.day(3) + seconds, self.day(4), True),
                (self.day(4), False, True),
            ],
        )
        self.assertEqual(
            [
                (v.valid_from, v.valid_to, v.forecast_excluded)
                for v in stalled.forecast_version_ids.sorted("valid_from")
            ],
            [(self.day(0), self.day(2), False), (self.day(2), False, True)],
        )
        # the merged deal's change is not A's
        self.assertEqual(
            [(v.valid_to, v.forecast_excluded) for v in chosen.forecast_version_ids],
            [(False, False)],
        )
        # E's versions start at its changes, 3 seconds before their messages
        self.assertEqual(
            [
                (v.valid_from, v.forecast_category, v.forecast_excluded)
                for v in out.forecast_version_ids.sorted("valid_from")
            ],
            [
                (self.day(0), "pipeline", False),
                (self.day(1), "omitted", True),
                (self.day(2), "pipeline", False),
            ],
        )
        self.assertEqual(lead.forecast_version_ids.mapped("slip_days"), [0])
        self.assertEqual(
            slipped.forecast_version_ids.sorted("valid_from").mapped("slip_days"), [0, 10]
        )
        self.env.cr.execute(
            "SELECT COALESCE(history_weight, forecast_probability / 100) FROM crm_stage WHERE id = %s",
            [self.s_qualified.id],
        )
        weight = self.env.cr.fetchone()[0]
        rows = Snapshot._read_group(
            day,
            ["date_snapshot:day"],
            ["forecast_revenue:sum", "history_forecast_revenue:sum"],
        )
        self.assertEqual(
            [(snapshot_day, weighted) for snapshot_day, weighted, _history in rows],
            [(date(2026, 3, 3), 510.0), (date(2026, 3, 4), 360.0)],
        )
        for (_day, _weighted, history), amount in zip(rows, (1700, 1200)):
            self.assertAlmostEqual(history, amount * weight, 2)
        # the other rows stay as they were written
        others.invalidate_recordset()
        self.assertEqual(others.read(["forecast_revenue", "history_forecast_revenue"]), written)
        self.assertEqual(rebuild.run_requested(self.env), ["accuracy_lines"])
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(ACCURACY_REFRESHED),
            fields.Datetime.to_string(self.day(4)),
        )

    def test_slip_of_changes_at_one_moment(self):
        """Changes at one moment are one version: its slip is measured from
        the version before it. Five days earlier then five later: none;
        three earlier then ten later: seven; a deal new at that moment
        whose date moves: none."""
        self.set_now(self.day(0))
        deal = self.make_deal("Dates", self.s_new, 100, date_deadline=date(2026, 4, 10))
        deal.date_deadline = date(2026, 5, 10)
        self.set_now(self.day(1))
        deal.date_deadline = date(2026, 4, 5)
        deal.date_deadline = date(2026, 4, 10)
        self.set_now(self.day(2))
        deal.date_deadline = date(2026, 4, 7)
        deal.date_deadline = date(2026, 4, 17)
        self.env.flush_all()
        self.assertEqual(
            [v.slip_days for v in deal.forecast_version_ids.sorted("valid_from")], [0, 0, 7]
        )

    def test_upgrade_marks_the_weekly_snapshots(self):
        """Snapshots written by 18.0.1.15.0 (no weekly flag): after the
        upgrade, those of the settings' weekday (Wednesday here) are the
        weekly ones, the others (a day taken on demand) not; the job is
        asked to run, to write the accuracy's first days of months."""
        self.env["ir.config_parameter"].set_param("sales_funnel_forecast.snapshot_weekday", "2")
        Snapshot = self.env["crm.pipeline.snapshot"]
        self.set_now(datetime(2026, 3, 2, 9))
        self.make_deal("Snap", self.s_new, 100)
        Snapshot._sff_take([date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 11)])
        self.env.cr.execute("UPDATE crm_pipeline_snapshot SET weekly = NULL")
        cron = self.env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.16.0/post-migrate.py",
            "sff_post_migrate_18_0_1_16_0",
        )
        self.env.cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [rebuild.PARAM])
        migration.migrate(self.env.cr, "18.0.1.15.0")
        self.env.invalidate_all()
        # the funnel rows and win rates are worked out again at the end
        self.env.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [rebuild.PARAM])
        self.assertEqual(self.env.cr.fetchone()[0], "funnel_rows,win_rates")
        self.assertEqual(
            sorted(
                Snapshot._read_group(
                    [
                        (
                            "date_snapshot",
                            "in",
                            [date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 11)],
                        )
                    ],
                    ["date_snapshot:day", "weekly"],
                )
            ),
            [(date(2026, 3, 4), True), (date(2026, 3, 6), False), (date(2026, 3, 11), True)],
        )
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )

    def test_date_cleared_then_given_later_is_a_slip(self):
        """A deal expected on March 20 has its date emptied on March 10 and
        set to April 30 on March 12: it slipped 41 days, out of March; the
        deal, the "slipped" filter and the slippage report say so. Given
        back earlier (March 15), it would not have."""
        self.set_now(datetime(2026, 3, 1, 9))
        deal = self.make_deal("Cleared", self.s_qualified, 5000, date_deadline=date(2026, 3, 20))
        earlier = self.make_deal(
            "Cleared too", self.s_qualified, 500, date_deadline=date(2026, 3, 20)
        )
        self.set_now(datetime(2026, 3, 10, 9))
        (deal | earlier).date_deadline = False
        self.set_now(datetime(2026, 3, 11, 9))
        deal.stage_id = self.s_proposal  # a change while it has no date
        self.set_now(datetime(2026, 3, 12, 9))
        deal.date_deadline = date(2026, 4, 30)
        earlier.date_deadline = date(2026, 3, 15)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual((deal.slip_count, deal.slip_days), (1, 41))
        self.assertEqual((earlier.slip_count, earlier.slip_days), (0, 0))
        slipped = self.env["crm.lead"].search([("slip_count", ">", 0)])
        self.assertIn(deal, slipped)
        self.assertNotIn(earlier, slipped)
        report = self.env["crm.forecast.slippage.report"].search(
            [("lead_id", "in", (deal | earlier).ids), ("date_period", "=", date(2026, 3, 1))]
        )
        self.assertEqual(
            {line.lead_id: (line.slipped, line.slip_days) for line in report},
            {deal: (True, 41), earlier: (False, 0)},
        )

    def test_snapshot_weighs_each_deal_to_the_cent(self):
        """Three open deals weighted 0.125, 500.025 and 599.994 weigh 0.13 +
        500.03 + 599.99 = 1,100.15 on the deals and in the revenue
        forecast; the snapshot of the next day says the same."""
        self.set_now(datetime(2026, 3, 2, 9))
        deals = self.env["crm.lead"]
        for name, revenue, probability in (
            ("Half cent", 0.25, 50),
            ("Half cent again", 1000.05, 50),
            ("Plain", 999.99, 60),
        ):
            deal = self.make_deal(name, self.s_new, revenue, date_deadline=date(2026, 4, 10))
            deal.probability = probability
            deals |= deal
        self.env.flush_all()
        self.assertEqual(sum(deals.mapped("forecast_revenue")), 1100.15)
        [(report_total,)] = self.env["crm.forecast.report"]._read_group(
            [("lead_id", "in", deals.ids)], [], ["forecast_revenue:sum"]
        )
        self.assertAlmostEqual(report_total, 1100.15, places=6)
        Snapshot = self.env["crm.pipeline.snapshot"]
        Snapshot._sff_take([date(2026, 3, 3)])
        [(snapshot_total,)] = Snapshot._read_group(
            [("date_snapshot", "=", date(2026, 3, 3)), ("team_id", "=", self.team.id)],
            [],
            ["forecast_revenue:sum"],
        )
        self.assertAlmostEqual(snapshot_total, 1100.15, places=6)

    def test_rebuilt_lost_and_restored(self):
        """A deal lost on day 3 and restored on day 5: the rebuilt versions
        say it was out of the pipeline in between, as the live ones do."""
        self.set_now(self.day(0))
        deal = self.make_deal("Restored", self.s_qualified, 1000)
        self.set_now(self.day(3))
        deal.action_archive()
        self.set_now(self.day(5))
        deal.action_unarchive()
        self.set_now(self.day(6))
        self.env.flush_all()
        live = [
            (v.valid_from, v.valid_to, v.deal_state)
            for v in deal.forecast_version_ids.sorted("valid_from")
        ]
        self.assertEqual(
            live,
            [
                (self.day(0), self.day(3), "open"),
                (self.day(3), self.day(5), "lost"),
                (self.day(5), False, "open"),
            ],
        )
        self.env["crm.lead.forecast.version"]._sff_rebuild()
        rebuilt = [
            (v.valid_from, v.valid_to, v.deal_state)
            for v in deal.forecast_version_ids.sorted("valid_from")
        ]
        self.assertEqual(rebuilt, live)

    def test_versions_cannot_be_written_by_hand(self):
        deal = self.make_deal("Hands off", self.s_new, 100)
        self.env.flush_all()
        Version = self.env["crm.lead.forecast.version"].with_user(self.manager)
        with self.assertRaises(AccessError):
            Version.create({"lead_id": deal.id, "valid_from": self.day(0), "deal_state": "open"})
        with self.assertRaises(AccessError):
            deal.forecast_version_ids.with_user(self.manager).write({"expected_revenue": 1})
        with self.assertRaises(AccessError):
            deal.forecast_version_ids.with_user(self.manager).unlink()

    def test_pipeline_at_a_moment(self):
        self.set_now(self.day(0))
        first = self.make_deal("First", self.s_new, 1000, date_deadline=date(2026, 4, 1))
        self.set_now(self.day(1))
        second = self.make_deal(
            "Second",
            self.s_qualified,
            2000,
            user_id=self.other_rep.id,
            date_deadline=date(2026, 4, 5),
        )
        self.set_now(self.day(3))
        first.write({"stage_id": self.s_proposal.id, "expected_revenue": 1200})
        self.set_now(self.day(4))
        second.action_set_lost()
        self.set_now(self.day(5))
        self.env.flush_all()
        Lead = self.env["crm.lead"]
        mine = [("id", "in", (first | second).ids)]

        def at(moment, user=None):
            rows = (Lead.with_user(user) if user else Lead).sff_pipeline_at(moment, mine)
            return sorted(
                (row["lead_id"], row["stage_id"], row["expected_revenue"]) for row in rows
            )

        self.assertEqual(at(self.day(0, -1)), [])
        self.assertEqual(at(self.day(0, 1)), [(first.id, self.s_new.id, 1000)])
        self.assertEqual(
            at(self.day(2)),
            [(first.id, self.s_new.id, 1000), (second.id, self.s_qualified.id, 2000)],
        )
        self.assertEqual(
            at(self.day(3)),
            [(first.id, self.s_proposal.id, 1200), (second.id, self.s_qualified.id, 2000)],
        )
        self.assertEqual(at(self.day(4)), [(first.id, self.s_proposal.id, 1200)])
        # the rows carry every versioned value
        row = Lead.sff_pipeline_at(self.day(2), [("id", "=", second.id)])[0]
        self.assertEqual(set(row), {"lead_id", *VERSIONED_COLUMNS})
        self.assertEqual(
            row,
            {
                "lead_id": second.id,
                "stage_id": self.s_qualified.id,
                "expected_revenue": 2000.0,
                "probability": 30.0,
                "date_deadline": date(2026, 4, 5),
                "forecast_category": "pipeline",
                "forecast_excluded": False,
                "user_id": self.other_rep.id,
                "team_id": self.team.id,
                "company_id": self.company.id,
            },
        )
        # its expected closing date as it stood: a date; none, None
        self.set_now(self.day(6))
        first.write({"date_deadline": False})
        self.set_now(self.day(7))
        self.env.flush_all()
        dates = {
            moment: Lead.sff_pipeline_at(moment, [("id", "=", first.id)])[0]["date_deadline"]
            for moment in (self.day(6, -1), self.day(7))
        }
        self.assertEqual(dates, {self.day(6, -1): date(2026, 4, 1), self.day(7): None})
        # a rep limited to own deals reads the past of own deals only
        self.assertEqual(at(self.day(2), self.rep), [(first.id, self.s_new.id, 1000)])
        self.assertEqual(at(self.day(2), self.manager), at(self.day(2)))
        # the same without a domain, as a client may send it (false, or
        # none): the rep still reads own deals only
        for domain in (False, None, []):
            own = {
                row["lead_id"]
                for row in Lead.with_user(self.rep).sff_pipeline_at(self.day(2), domain)
            }
            self.assertIn(first.id, own)
            self.assertNotIn(second.id, own, domain)

    def test_rebuilt_from_the_chatter(self):
        """On install, the versions of the past come from the stage history
        and the tracked changes of amount, salesperson and team; the
        current one is the deal as it stands."""
        deal = self.make_deal("Rebuilt", self.s_new, 1000, date_deadline=date(2026, 5, 1))
        self.created(deal)
        self.track(deal, {"stage_id": self.s_qualified.id}, 2)
        self.track(deal, {"expected_revenue": 2500}, 3)
        self.track(deal, {"user_id": self.other_rep.id, "team_id": self.team.id}, 4)
        self.track(deal, {"stage_id": self.s_proposal.id}, 6)
        lost = self.make_deal("Rebuilt, lost", self.s_qualified, 800)
        self.created(lost)
        self.track(lost, {"active": False}, 4)
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s", [self.day(4), lost.id]
        )
        out = self.make_deal("Rebuilt, out of the forecast", self.s_qualified, 600)
        self.created(out)
        self.track(out, {"forecast_excluded": True}, 5)
        self.env.cr.execute(
            "DELETE FROM crm_lead_stage_history WHERE lead_id = ANY(%s)", [(deal | lost | out).ids]
        )
        self.env.invalidate_all()
        backfill_from_tracking(self.env)
        count = self.env["crm.lead.forecast.version"]._sff_rebuild()
        self.assertGreaterEqual(count, 7)
        rows = [
            (
                v.valid_from,
                v.valid_to,
                v.stage_id,
                v.expected_revenue,
                v.user_id,
                v.deal_state,
                v.forecast_category,
                v.probability,
            )
            for v in deal.forecast_version_ids.sorted("valid_from")
        ]
        self.assertEqual(
            rows,
            [
                (self.day(0), self.day(2), self.s_new, 1000, self.rep, "open", "pipeline", 10),
                (
                    self.day(2),
                    self.day(3),
                    self.s_qualified,
                    1000,
                    self.rep,
                    "open",
                    "pipeline",
                    30,
                ),
                (
                    self.day(3),
                    self.day(4),
                    self.s_qualified,
                    2500,
                    self.rep,
                    "open",
                    "pipeline",
                    30,
                ),
                (
                    self.day(4),
                    self.day(6),
                    self.s_qualified,
                    2500,
                    self.other_rep,
                    "open",
                    "pipeline",
                    30,
                ),
                (
                    self.day(6),
                    False,
                    self.s_proposal,
                    2500,
                    self.other_rep,
                    "open",
                    "best_case",
                    60,
                ),
            ],
        )
        # the closing date is today's on every rebuilt row
        self.assertEqual(set(deal.forecast_version_ids.mapped("date_deadline")), {date(2026, 5, 1)})
        self.assertEqual(
            [
                (v.valid_from, v.valid_to, v.deal_state)
                for v in lost.forecast_version_ids.sorted("valid_from")
            ],
            [(self.day(0), self.day(4), "open"), (self.day(4), False, "lost")],
        )
        # out of the forecast: the current version says so, as its category;
        # the past ones were in the forecast, as their category says
        self.assertEqual(
            [(v.forecast_category, v.forecast_excluded) for v in out.forecast_version_ids],
            [("omitted", True)],
        )
        self.assertFalse(any(deal.forecast_version_ids.mapped("forecast_excluded")))
        # the database keeps them from then on
        self.set_now(self.day(10))
        deal.expected_revenue = 3000
        self.env.flush_all()
        self.assertEqual(deal.forecast_version_ids.sorted("valid_from")[-1].expected_revenue, 3000)


@tagged("post_install", "-at_install")
class TestDealFlow(FunnelCase):
    """The flow of March 2026's pipeline between March 1 and April 1, on six
    deals whose amounts and closing dates change on known days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restricted = new_test_user(
            cls.env, login="sff_flow_rep", groups="sales_team.group_sale_salesman", name="Flo Rep"
        )

    def at(self, *args):
        self.set_now(datetime(2026, *args))

    def setUp(self):
        super().setUp()
        self.at(2, 20, 10)
        self.a = self.make_deal("A", self.s_new, 1000, date_deadline=date(2026, 3, 15))
        self.b = self.make_deal("B", self.s_qualified, 2000, date_deadline=date(2026, 3, 20))
        self.c = self.make_deal("C", self.s_new, 3000, date_deadline=date(2026, 4, 10))
        self.at(2, 25, 10)
        self.e = self.make_deal("E", self.s_new, 400, date_deadline=date(2026, 3, 30))
        self.f = self.make_deal(
            "F", self.s_new, 900, date_deadline=date(2026, 3, 5), user_id=self.restricted.id
        )
        self.at(3, 3, 10)
        self.d = self.make_deal("D", self.s_new, 700, date_deadline=date(2026, 3, 28))
        self.at(3, 5, 10)
        self.c.date_deadline = date(2026, 3, 25)  # pulled in
        self.at(3, 6, 10)
        self.f.action_set_lost()  # lost
        self.at(3, 10, 10)
        self.a.expected_revenue = 1500  # increased by 500
        self.at(3, 12, 10)
        self.b.stage_id = self.s_won  # won
        self.at(3, 15, 10)
        self.e.date_deadline = date(2026, 4, 15)  # pushed out, 16 days
        # after the period: not in its flow
        self.at(4, 2, 10)
        self.a.expected_revenue = 99
        self.at(5, 1, 10)
        self.deals = self.a | self.b | self.c | self.d | self.e | self.f
        self.domain = [("id", "in", self.deals.ids)]

    def test_waterfall_to_the_cent(self):
        flow = self.env["crm.lead"].sff_deal_flow(date(2026, 3, 1), date(2026, 4, 1), self.domain)
        self.assertEqual(
            flow,
            {
                "start": (4, 4300.0),
                "new": (1, 700.0),
                "pulled_in": (1, 3000.0),
                "increased": (1, 500.0),
                "decreased": (0, 0.0),
                "pushed_out": (1, 400.0),
                "won": (1, 2000.0),
                "lost": (1, 900.0),
                "end": (3, 5200.0),
            },
        )
        # both ends are the pipeline at their moment, within the period
        Lead = self.env["crm.lead"]
        for moment, step in ((datetime(2026, 3, 1), "start"), (datetime(2026, 4, 1), "end")):
            rows = [
                row
                for row in Lead.sff_pipeline_at(moment, self.domain)
                if date(2026, 3, 1) <= row["date_deadline"] < date(2026, 4, 1)
            ]
            self.assertEqual((len(rows), sum(row["expected_revenue"] for row in rows)), flow[step])
        self.assertEqual((self.e.slip_count, self.e.slip_days), (1, 16))
        self.assertEqual((self.c.slip_count, self.a.slip_count), (0, 0))

    def test_deals_that_came_and_left_in_between(self):
        """Deals in March's pipeline on neither March 1 nor April 1 still
        flow through it: G, new on March 3 at 600, raised to 650, won on
        March 10 (new 650, won 650); I, new on March 4 at 800, pushed into
        April on March 9; J, expected in April since February at 1,200,
        pulled into March on March 5 and lost on March 12. Both ends stay
        empty; with the six deals of the month, the flow's won is March's
        won amount, B's 2,000 and G's 650."""
        self.at(2, 20, 10)
        j = self.make_deal("J", self.s_new, 1200, date_deadline=date(2026, 4, 20))
        self.at(3, 3, 10)
        g = self.make_deal("G", self.s_new, 600, date_deadline=date(2026, 3, 28))
        self.at(3, 4, 10)
        i = self.make_deal("I", self.s_new, 800, date_deadline=date(2026, 3, 25))
        self.at(3, 5, 10)
        j.date_deadline = date(2026, 3, 20)
        self.at(3, 6, 10)
        g.expected_revenue = 650
        self.at(3, 9, 10)
        i.date_deadline = date(2026, 4, 10)
        self.at(3, 10, 10)
        g.stage_id = self.s_won
        self.at(3, 12, 10)
        j.action_set_lost()
        self.at(5, 1, 10)
        Lead = self.env["crm.lead"]
        flow = Lead.sff_deal_flow(
            date(2026, 3, 1), date(2026, 4, 1), [("id", "in", (g | i | j).ids)]
        )
        self.assertEqual(
            flow,
            {
                "start": (0, 0.0),
                "new": (2, 1450.0),
                "pulled_in": (1, 1200.0),
                "increased": (0, 0.0),
                "decreased": (0, 0.0),
                "pushed_out": (1, 800.0),
                "won": (1, 650.0),
                "lost": (1, 1200.0),
                "end": (0, 0.0),
            },
        )
        everything = self.deals | g | i | j
        flow = Lead.sff_deal_flow(
            date(2026, 3, 1), date(2026, 4, 1), [("id", "in", everything.ids)]
        )
        self.assertEqual(flow["won"], (2, 2650.0))
        self.assertEqual(flow["new"], (3, 2150.0))
        # the report opens them, each in both its steps
        _wizard, _action, rows = self.open_report(team_id=self.team.id)
        self.assertEqual(
            sorted(
                (row.lead_id.name, row.step, row.amount, row.flow_amount)
                for row in rows
                if row.lead_id in g | i | j
            ),
            [
                ("G", "1_new", 650.0, 650.0),
                ("G", "6_won", 650.0, -650.0),
                ("I", "1_new", 800.0, 800.0),
                ("I", "5_pushed_out", 800.0, -800.0),
                ("J", "2_pulled_in", 1200.0, 1200.0),
                ("J", "7_lost", 1200.0, -1200.0),
            ],
        )

    def test_printed_waterfall_counts_its_deals(self):
        """The PDF of the Forecast screen words each bar's deals by their
        number: one deal, or so many deals."""
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_funnel_forecast.report_forecast_screen",
                [],
                data={
                    "sff_params": {
                        "team_id": self.team.id,
                        "period_type": "month",
                        "date_from": "2026-03-01",
                    }
                },
            )[0]
            .decode()
        )
        # start, new, pulled in, increased, decreased, pushed out, won, lost, end
        self.assertEqual(
            re.findall(r">\s*(\d+ deals|1 deal)\s*<", html),
            ["4 deals"] + ["1 deal"] * 3 + ["0 deals"] + ["1 deal"] * 3 + ["3 deals"],
        )

    def open_report(self, user=None, **values):
        """The report's rows as the wizard opens them, for ``user``."""
        Wizard = self.env["crm.deal.flow.wizard"]
        if user:
            Wizard = Wizard.with_user(user)
        wizard = Wizard.create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 4, 1), **values}
        )
        action = wizard.action_open_report()
        Report = self.env["crm.deal.flow.report"].with_user(user or self.env.user)
        return wizard, action, Report.search(action["domain"])

    def test_report_opens_each_step_with_its_deals(self):
        wizard, action, rows = self.open_report(team_id=self.team.id)
        self.assertEqual(action["domain"], [("wizard_id", "=", wizard.id)])
        self.assertEqual(action["res_model"], "crm.deal.flow.report")
        # the title the web client shows, in the user's date format
        self.assertEqual(action["display_name"], "Deal Flow 03/01/2026 - 03/31/2026")
        Report = self.env["crm.deal.flow.report"]
        domain = action["domain"] + [("lead_id", "in", self.deals.ids)]
        groups = [
            (step, count, amount)
            for step, count, amount in Report._read_group(
                domain, ["step"], ["deal_count:sum", "amount:sum"]
            )
        ]
        # in the order a waterfall draws them
        self.assertEqual(
            groups,
            [
                ("0_start", 4, 4300.0),
                ("1_new", 1, 700.0),
                ("2_pulled_in", 1, 3000.0),
                ("3_increased", 1, 500.0),
                ("5_pushed_out", 1, 400.0),
                ("6_won", 1, 2000.0),
                ("7_lost", 1, 900.0),
                ("8_end", 3, 5200.0),
            ],
        )
        # the signed changes take the start to the end
        self.assertEqual(
            sum(Report.search(domain + [("step", "!=", "8_end")]).mapped("flow_amount")), 5200
        )
        # the list's total of the change: how much the pipeline grew, 4,300
        # to 5,200 (700 + 3,000 + 500 - 400 - 2,000 - 900), the pipelines
        # themselves not counted in it (they were, twice: 10,400)
        [[total]] = Report._read_group(domain, [], ["change_amount:sum"])
        self.assertEqual(total, 900.0)
        self.assertEqual(
            Report.search(domain + [("step", "in", ("0_start", "8_end"))]).mapped("change_amount"),
            [0.0] * 7,
        )
        pushed = Report.search(domain + [("step", "=", "5_pushed_out")])
        self.assertEqual(pushed.lead_id, self.e)
        self.assertEqual(
            (pushed.start_deadline, pushed.end_deadline, pushed.start_amount),
            (date(2026, 3, 30), date(2026, 4, 15), 400),
        )
        won = Report.search(domain + [("step", "=", "6_won")])
        self.assertEqual(
            (won.lead_id, won.start_stage_id, won.end_stage_id),
            (self.b, self.s_qualified, self.s_won),
        )
        # the wizard shows the same steps
        steps = {line.step: (line.deal_count, line.amount) for line in wizard.step_ids}
        self.assertEqual(steps["end"], (3, 5200.0))
        # the report counts the pipeline of the wizard's team, as the deals'
        # versions had it: C handed to another team on March 20 left it
        # (pushed out); opened again, its rows are written again, in place
        # of the others
        other_team = self.env["crm.team"].create({"name": "Flow, other team"})
        self.at(3, 20, 10)
        self.c.team_id = other_team
        self.at(5, 1, 10)
        wizard.invalidate_recordset()
        steps = {line.step: (line.deal_count, line.amount) for line in wizard.step_ids}
        self.assertEqual(steps["end"], (2, 2200.0))
        self.assertIn(self.c, rows.lead_id)
        wizard.action_open_report()
        again = Report.search(action["domain"])
        self.assertEqual(
            again.filtered(lambda r: r.lead_id == self.c).mapped("step"),
            ["2_pulled_in", "5_pushed_out"],
        )
        self.assertFalse(rows.exists() - again)
        self.assertEqual(sum(again.filtered(lambda r: r.step == "8_end").mapped("amount")), 2200.0)
        # another period's wizard keeps its own rows
        _other, _other_action, other_rows = self.open_report(
            date_from=date(2026, 4, 1), date_to=date(2026, 5, 1)
        )
        self.assertFalse(other_rows & again)
        self.assertEqual(Report.search(action["domain"]), again)

    def test_flow_table_is_made_from_the_fields(self):
        """The rows' table has a column per stored field of the report, typed
        as Odoo types it, not null where the field is required, and its rows
        go with their wizard."""
        Report = self.env["crm.deal.flow.report"]
        self.env.cr.execute(
            """SELECT column_name, udt_name, is_nullable = 'NO' FROM information_schema.columns
                WHERE table_name = 'crm_deal_flow_line' AND column_name <> 'id'"""
        )
        columns = {name: (kind, not_null) for name, kind, not_null in self.env.cr.fetchall()}
        self.assertEqual(
            columns,
            {
                name: (field.column_type[0], field.required)
                for name, field in Report._fields.items()
                if field.store and field.column_type and name != "id"
            },
        )
        self.assertEqual(columns["amount"], ("numeric", False))
        self.assertEqual(columns["lead_id"], ("int4", True))
        self.assertEqual(columns["step"], ("varchar", True))
        # made again (an upgrade): nothing changes, nothing fails; a column
        # the table lacks (a field added since) comes, without its constraint
        self.env.cr.execute("ALTER TABLE crm_deal_flow_line DROP COLUMN end_category")
        self.env.cr.execute("ALTER TABLE crm_deal_flow_line DROP COLUMN deal_count")
        Report._sff_create_table()
        self.env.cr.execute(
            """SELECT column_name, udt_name, is_nullable = 'NO' FROM information_schema.columns
                WHERE table_name = 'crm_deal_flow_line'
                  AND column_name IN ('end_category', 'deal_count')"""
        )
        self.assertEqual(
            sorted(self.env.cr.fetchall()),
            [("deal_count", "int4", False), ("end_category", "varchar", False)],
        )
        self.env.cr.execute(
            """SELECT confdeltype FROM pg_constraint
                WHERE conrelid = 'crm_deal_flow_line'::regclass AND contype = 'f'"""
        )
        self.assertEqual(self.env.cr.fetchall(), [("c",)])
        wizard, _action, rows = self.open_report(team_id=self.team.id)
        self.assertTrue(rows)
        wizard.unlink()
        self.assertFalse(rows.exists())

    def test_a_rep_sees_the_flow_of_own_deals(self):
        flow = (
            self.env["crm.lead"]
            .with_user(self.restricted)
            .sff_deal_flow("2026-03-01", "2026-04-01", self.domain)
        )
        self.assertEqual(
            (flow["start"], flow["lost"], flow["end"]), ((1, 900.0), (1, 900.0), (0, 0.0))
        )
        _wizard, action, rows = self.open_report(user=self.restricted)
        self.assertEqual(rows.filtered(lambda r: r.lead_id in self.deals).lead_id, self.f)
        self.assertEqual(
            sorted(rows.filtered(lambda r: r.lead_id == self.f).mapped("step")),
            ["0_start", "7_lost"],
        )
        # the manager's rows are not the rep's to read, nor the rep's the
        # manager's: each reads the rows written for them
        manager_wizard, manager_action, manager_rows = self.open_report()
        self.assertGreater(len(manager_rows), len(rows))
        Report = self.env["crm.deal.flow.report"]
        self.assertFalse(Report.with_user(self.restricted).search(manager_action["domain"]))
        with self.assertRaises(AccessError):
            manager_rows.with_user(self.restricted).read(["amount"])
        salesman = new_test_user(
            self.env, login="flow_other_rep", groups="sales_team.group_sale_salesman"
        )
        self.assertFalse(Report.with_user(salesman).search(action["domain"]))
        # a rep cannot write rows, nor change them
        with self.assertRaises(AccessError):
            rows[:1].with_user(self.restricted).write({"amount": 1})
        # nor open another user's wizard again (which would write rows in
        # place of theirs)
        with self.assertRaises(AccessError):
            manager_wizard.with_user(self.restricted).action_open_report()
        self.assertEqual(Report.search(manager_action["domain"]), manager_rows)

    def test_period_must_end_after_it_starts(self):
        with self.assertRaises(ValidationError):
            self.env["crm.deal.flow.wizard"].create(
                {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 1)}
            )

    def test_slippage_by_month_and_rep(self):
        """March expected six deals; E's date moved out of it by 16 days, and
        A's, after the month, by 78 days (March 15 to June 1): two slipped
        out of six, 47 days on average. C moved earlier, into March: no
        slip."""
        self.at(5, 2, 10)
        self.a.date_deadline = date(2026, 6, 1)
        self.env.flush_all()
        Report = self.env["crm.forecast.slippage.report"]
        # the months' rows, as the menu opens the report
        domain = [("lead_id", "in", self.deals.ids), ("period_type", "=", "month")]
        march = domain + [("date_period", "=", date(2026, 3, 1))]
        self.assertEqual(Report.search(march).lead_id, self.deals)
        self.assertEqual(Report.search(march + [("slipped", "=", True)]).lead_id, self.a | self.e)
        [(count, slipped, rate, days)] = Report._read_group(
            march, [], ["deal_count:sum", "slipped_count:sum", "slip_rate:avg", "slip_days:avg"]
        )
        self.assertEqual((count, slipped, round(rate, 2), days), (6, 2, 33.33, 47))
        april = Report.search(domain + [("date_period", "=", date(2026, 4, 1))])
        self.assertEqual(
            (april.lead_id, april.mapped("slipped")), (self.c | self.e, [False, False])
        )
        # the deal says how often and by how much its date moved later
        self.assertEqual((self.a.slip_count, self.a.slip_days), (1, 78))
        Lead = self.env["crm.lead"].with_context(active_test=False)
        self.assertEqual(Lead.search(self.domain + [("slip_count", ">", 0)]), self.a | self.e)
        self.assertEqual(
            Lead.search(self.domain + [("slip_count", "<", 1)]), self.deals - self.a - self.e
        )
        self.assertEqual(Lead.search(self.domain + [("slip_count", ">=", 2)]), Lead)
        self.assertEqual(
            Lead.search(self.domain + [("slip_count", "!=", 1)]), self.deals - self.a - self.e
        )
        # a rep limited to own deals reads own rows only
        self.assertEqual(Report.with_user(self.restricted).search([]).lead_id, self.f)

    def test_weekly_snapshot_totals(self):
        """On March 1, A, B, C, E and F were open (D came on March 3): five
        deals, 7,300 in all, 1,130 stage-weighted (10 % of A, C, E and F,
        30 % of B); history-weighted, 5,300 and 2,000 at the two stages'
        weights."""
        Snapshot = self.env["crm.pipeline.snapshot"]
        Snapshot._sff_take([date(2026, 3, 1)])
        domain = [("date_snapshot", "=", date(2026, 3, 1)), ("team_id", "=", self.team.id)]
        [(count, amount, weighted, history)] = Snapshot._read_group(
            domain,
            [],
            [
                "deal_count:sum",
                "expected_revenue:sum",
                "forecast_revenue:sum",
                "history_forecast_revenue:sum",
            ],
        )
        self.assertEqual((count, amount, weighted), (5, 7300.0, 1130.0))
        self.env.cr.execute(
            "SELECT COALESCE(history_weight, forecast_probability / 100) FROM crm_stage WHERE id = %s",
            [self.s_new.id],
        )
        new_weight = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            "SELECT COALESCE(history_weight, forecast_probability / 100) FROM crm_stage WHERE id = %s",
            [self.s_qualified.id],
        )
        qualified_weight = self.env.cr.fetchone()[0]
        self.assertAlmostEqual(history, 5300 * new_weight + 2000 * qualified_weight, 2)
        by_stage = {
            stage: (count, amount)
            for stage, count, amount in Snapshot._read_group(
                domain, ["stage_id"], ["deal_count:sum", "expected_revenue:sum"]
            )
        }
        self.assertEqual(by_stage, {self.s_new: (4, 5300.0), self.s_qualified: (1, 2000.0)})
        by_month = {
            month: count
            for month, count in Snapshot._read_group(
                domain, ["deadline_month:month"], ["deal_count:sum"]
            )
        }
        self.assertEqual(list(by_month.values()), [4, 1])
        # taken again, the day's rows are replaced, not added
        Snapshot._sff_take([date(2026, 3, 1)])
        self.assertEqual(Snapshot._read_group(domain, [], ["deal_count:sum"]), [(5,)])
        # a rep limited to own documents reads the rows of own deals
        rows = Snapshot.with_user(self.restricted).search(domain)
        self.assertEqual((rows.user_id, sum(rows.mapped("deal_count"))), (self.restricted, 1))

    def test_snapshot_job_and_button(self):
        Snapshot = self.env["crm.pipeline.snapshot"]
        self.env["ir.config_parameter"].set_param("sales_funnel_forecast.snapshot_weekday", "2")
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        # the 105 Wednesdays of the 24 months up to Wednesday March 4, 2026
        # (from March 6, 2024); and the days the forecast accuracy reads:
        # the first day of each month since the first of its 8 quarters
        # (January 2024: 27 months) and 30 days (the lead time) before each,
        # 46 days (a month's first day is sometimes 30 days before the
        # next's), 5 of them among the Wednesdays; and April's lead time's
        # day, March 2, come already: 147 days in all
        missing = Snapshot._sff_days_missing(date(2026, 3, 4))
        self.assertEqual(
            (missing[0], missing[-1], len(missing)), (date(2023, 12, 2), date(2026, 3, 4), 147)
        )
        weekly = [day for day in missing if day >= date(2024, 3, 6) and day.weekday() == 2]
        self.assertEqual(len(weekly), 105)
        others = sorted(set(missing) - set(weekly))
        self.assertEqual(
            others[:4], [date(2023, 12, 2), date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 31)]
        )
        self.assertEqual(others[-3:], [date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 2)])
        # the snapshots say which are the weekly ones
        Snapshot._sff_take([date(2026, 3, 1)])
        rows = Snapshot.search([("date_snapshot", "=", date(2026, 3, 1))])
        self.assertEqual(set(rows.mapped("weekly")), {False})
        # the weekly day moved to Sunday: the snapshots written next say so
        # of every day, so that no week has two weekly snapshots
        self.env["ir.config_parameter"].set_param("sales_funnel_forecast.snapshot_weekday", "6")
        Snapshot._sff_take([date(2026, 2, 25)])
        self.assertEqual(set(rows.mapped("weekly")), {True})
        self.assertEqual(
            set(Snapshot.search([("date_snapshot", "=", date(2026, 2, 25))]).mapped("weekly")),
            {False},
        )
        self.env["ir.config_parameter"].set_param("sales_funnel_forecast.snapshot_weekday", "2")
        Snapshot._sff_take([date(2026, 3, 4)])
        rows = Snapshot.search([("date_snapshot", "=", date(2026, 3, 4))])
        self.assertEqual(set(rows.mapped("weekly")), {True})
        self.assertNotIn(date(2026, 3, 4), Snapshot._sff_days_missing(date(2026, 3, 4)))
        # the job writes the oldest missing ones, a batch per run, and says
        # how many remain; a day without any open deal is written too (one
        # empty row), so that the job does not take it again
        before = Snapshot._sff_days_missing()
        self.assertEqual(Snapshot._cron_take_snapshots(batch_days=3), len(before) - 3)
        self.assertEqual(Snapshot._sff_days_missing(), before[3:])
        Snapshot._sff_take([date(1990, 1, 1)])
        self.assertEqual(
            Snapshot.search_read(
                [("date_snapshot", "=", date(1990, 1, 1))], ["deal_count", "expected_revenue"]
            ),
            [
                {
                    "id": Snapshot.search([("date_snapshot", "=", date(1990, 1, 1))]).id,
                    "deal_count": 0,
                    "expected_revenue": 0.0,
                }
            ],
        )
        # managers take one now; reps cannot
        with self.assertRaises(AccessError):
            Snapshot.with_user(self.restricted).action_take_snapshot()
        action = Snapshot.with_user(self.manager).action_take_snapshot()
        self.assertEqual(action["tag"], "display_notification")
        # today in the funnel totals' time zone (tomorrow already, in the
        # hour before midnight UTC, when it is Paris)
        self.assertEqual(Snapshot._sff_last_snapshot(), local_today(self.env))


@tagged("post_install", "-at_install")
class TestForecastAccuracy(FunnelCase):
    """A rep committed 100,000 for the month before last (a deal at 60 %
    expected on its 15th, put in Commit by hand) and won it at 80,000:
    accuracy 75 %, optimism 1.25 for Commit; the stage-weighted 60,000 is
    75 % accurate too, with an optimism of 0.75. Last month was forecast
    5,000 (a deal at 10 %) and nothing was won: n/a. This month is not
    over: no line yet."""

    @staticmethod
    def monday_before(day):
        return day - timedelta(days=day.weekday())

    def setUp(self):
        super().setUp()
        this_month = date.today().replace(day=1)
        self.first = this_month - relativedelta(months=2)
        self.second = this_month - relativedelta(months=1)
        self.set_now(datetime.combine(self.first - timedelta(days=11), time(10)))
        self.big = self.make_deal(
            "Big", self.s_proposal, 100000, date_deadline=self.first + timedelta(days=14)
        )
        self.big.forecast_category = "commit"
        self.small = self.make_deal(
            "Small", self.s_new, 50000, date_deadline=self.second + timedelta(days=19)
        )
        self.current = self.make_deal("Current", self.s_new, 10000, date_deadline=this_month)
        won_on = datetime.combine(self.first + timedelta(days=9), time(10))
        self.set_now(won_on)
        self.big.write({"expected_revenue": 80000, "stage_id": self.s_won.id})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, self.big.id]
        )
        # the last snapshots before each month's start, and the one 30 days
        # before the first (only these: not those the job wrote of the
        # database's own deals)
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        self.snapshot_day = self.monday_before(self.first)
        self.env["crm.pipeline.snapshot"]._sff_take(
            [
                self.monday_before(self.first - timedelta(days=30)),
                self.snapshot_day,
                self.monday_before(self.second),
                self.monday_before(this_month),
            ]
        )
        self.env.invalidate_all()
        self.this_month = this_month

    def won_early(self):
        """A deal of 4,000 won on the 11th of the month three months before
        the first; returns that month's first day."""
        early = self.first - relativedelta(months=3)
        won_on = datetime.combine(early + timedelta(days=10), time(10))
        self.set_now(won_on - timedelta(days=1))
        deal = self.make_deal("Early", self.s_new, 4000)
        self.set_now(won_on)
        deal.stage_id = self.s_won
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, deal.id])
        self.env.invalidate_all()
        return early

    def drop_early_snapshots(self):
        """No snapshot before the one 30 days before the first month: the
        job has not written that far back."""
        self.env.cr.execute(
            "DELETE FROM crm_pipeline_snapshot WHERE date_snapshot < %s",
            [self.monday_before(self.first - timedelta(days=30))],
        )
        self.env.invalidate_all()

    def lines(self, domain):
        Report = self.env["crm.forecast.accuracy.report"]
        Report._sff_refresh()
        return {
            line.method: (line.forecast_amount, line.actual_amount, line.accuracy, line.optimism)
            for line in Report.search(domain + [("team_id", "=", self.team.id)])
        }

    def test_accuracy_and_optimism(self):
        first = [
            ("period_type", "=", "month"),
            ("date_from", "=", self.first),
            ("lead_days", "=", 0),
        ]
        rep = self.lines(first + [("user_id", "=", self.rep.id)])
        self.assertEqual(rep["commit"], (100000.0, 80000.0, 75.0, 1.25))
        self.assertEqual(rep["best_case"], (100000.0, 80000.0, 75.0, 1.25))
        self.assertEqual(rep["stage_weighted"], (60000.0, 80000.0, 75.0, 0.75))
        line = self.env["crm.forecast.accuracy.report"].search(
            first + [("user_id", "=", self.rep.id), ("method", "=", "commit")]
        )
        self.assertEqual(line.date_snapshot, self.snapshot_day)
        # the team's whole line: its only rep's figures
        team = self.lines(first + [("scope", "=", "team")])
        self.assertEqual(team["commit"], (100000.0, 80000.0, 75.0, 1.25))
        # 30 days before, nothing was in the pipeline: 0 forecast, accuracy
        # 0 and optimism 0 against the 80,000 won
        ahead = self.lines(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", self.first),
                ("lead_days", "=", 30),
                ("user_id", "=", self.rep.id),
            ]
        )
        self.assertEqual(ahead["commit"], (0.0, 80000.0, 0.0, 0.0))
        # last month: forecast, nothing won: n/a
        second = self.lines(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", self.second),
                ("lead_days", "=", 0),
                ("user_id", "=", self.rep.id),
            ]
        )
        self.assertEqual(second["stage_weighted"], (5000.0, 0.0, False, False))
        # this month is not over: no line, though a deal is expected in it
        self.assertEqual(self.lines([("date_from", "=", self.this_month)]), {})

    def test_closest_method_and_optimism_over_closed_months(self):
        """What the pivot's "Last 12 Closed Months" answers for the rep's
        two closed months: the error each method made in all (the closest
        has the smallest), and the rep's average optimism per method (a
        month without anything won has none and does not count)."""
        Report = self.env["crm.forecast.accuracy.report"]
        Report._sff_refresh()
        span = [
            ("period_type", "=", "month"),
            ("lead_days", "=", 0),
            ("scope", "=", "rep"),
            ("user_id", "=", self.rep.id),
            ("team_id", "=", self.team.id),
            ("date_from", ">=", date.today() + relativedelta(day=1, months=-12)),
        ]
        groups = Report._read_group(
            span, ["method"], ["error_amount:sum", "optimism:avg", "__count"]
        )
        # by hand: Commit and Best Case forecast 100,000 for the 80,000 won
        # in the first month (20,000 off) and nothing for the second, where
        # nothing was won (0 off); the stage-weighted 60,000 then 5,000 are
        # 20,000 + 5,000 off, the history-weighted the same (too few closed
        # deals: the stage's percentage); optimism 1.25 and 0.75 in the first
        # month, none in the second
        self.assertEqual(
            sorted(groups),
            [
                ("best_case", 20000.0, 1.25, 2),
                ("commit", 20000.0, 1.25, 2),
                ("history_weighted", 25000.0, 0.75, 2),
                ("stage_weighted", 25000.0, 0.75, 2),
            ],
        )
        closest = min(groups, key=lambda group: group[1])[1]
        self.assertEqual(
            {method for method, error, _optimism, _count in groups if error == closest},
            {"commit", "best_case"},
        )

    def test_no_snapshot_no_line(self):
        """A deal won in a month whose start no snapshot precedes (the job
        has not written that far back): no line, rather than a forecast of 0
        and an accuracy of 0 % for every method."""
        early = self.won_early()
        self.drop_early_snapshots()
        self.assertEqual(self.lines([("period_type", "=", "month"), ("date_from", "=", early)]), {})
        # a refresh that writes no line at all still says when it ran
        Report = self.env["crm.forecast.accuracy.report"]
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        self.set_now(datetime(2030, 2, 3, 4, 5))
        self.assertEqual(Report._sff_refresh(), 0)
        self.assertFalse(Report.search([]))
        self.assertEqual(Report._sff_refreshed_on(), datetime(2030, 2, 3, 4, 5))

    def test_no_snapshot_no_submitted_line(self):
        """A forecast of 5,000 submitted for a month whose start no snapshot
        precedes, a deal of 4,000 won in it: no line, the submitted one
        included (it read a Won of 0 beside the 4,000 won, accuracy n/a),
        as for the other methods."""
        early = self.won_early()
        # submitted two days before the month (a salesperson of its deals)
        submission = (
            self.env["crm.forecast.submission"]
            .with_user(self.rep)
            .create(
                {
                    "team_id": self.team.id,
                    "date_from": early,
                    "commit_amount": 5000,
                    "best_case_amount": 6000,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
            [datetime.combine(early - timedelta(days=2), time(9)), submission.id],
        )
        self.drop_early_snapshots()
        self.assertEqual(self.lines([("period_type", "=", "month"), ("date_from", "=", early)]), {})

    def test_submitted_forecast(self):
        """The rep submitted 90,000 for the first month three days before it
        started, then 70,000 on its second day: at its start, 90,000 was
        the submitted forecast; against 80,000 won, 87.5 % accurate,
        optimism 1.125. Thirty days before, nothing was submitted: no
        line."""
        Submission = self.env["crm.forecast.submission"].with_user(self.rep)
        early = Submission.create(
            {
                "team_id": self.team.id,
                "date_from": self.first,
                "commit_amount": 90000,
                "best_case_amount": 120000,
            }
        )
        late = Submission.create(
            {
                "team_id": self.team.id,
                "date_from": self.first,
                "commit_amount": 70000,
                "best_case_amount": 120000,
            }
        )
        for submission, day in (
            (early, self.first - timedelta(days=3)),
            (late, self.first + timedelta(days=1)),
        ):
            self.env.cr.execute(
                "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
                [datetime.combine(day, time(9)), submission.id],
            )
        self.env.invalidate_all()
        first = [
            ("period_type", "=", "month"),
            ("date_from", "=", self.first),
            ("user_id", "=", self.rep.id),
        ]
        at_start = self.lines(first + [("lead_days", "=", 0)])
        self.assertEqual(at_start["submitted"], (90000.0, 80000.0, 87.5, 1.125))
        self.assertNotIn("submitted", self.lines(first + [("lead_days", "=", 30)]))

    def test_reps_read_their_own_lines(self):
        Report = self.env["crm.forecast.accuracy.report"]
        Report._sff_refresh()
        own = Report.with_user(self.rep).search([("team_id", "=", self.team.id)])
        self.assertTrue(own)
        self.assertEqual(own.user_id, self.rep)
        self.assertFalse(Report.with_user(self.other_rep).search([("team_id", "=", self.team.id)]))
        managed = Report.with_user(self.manager).search([("team_id", "=", self.team.id)])
        self.assertEqual(set(managed.mapped("scope")), {"rep", "team"})

    def test_lines_are_stored_until_refreshed(self):
        """The lines are worked out by a refresh and read as they were
        then: a deal won later in a closed month changes them at the next
        refresh (the snapshots' job, or Refresh Now), which says when."""
        Report = self.env["crm.forecast.accuracy.report"]
        first = [
            ("period_type", "=", "month"),
            ("date_from", "=", self.first),
            ("lead_days", "=", 0),
            ("user_id", "=", self.rep.id),
            ("method", "=", "commit"),
            ("team_id", "=", self.team.id),
        ]
        self.set_now(datetime(2030, 1, 2, 8, 0))
        Report._sff_refresh()
        self.assertEqual(Report.search(first).actual_amount, 80000.0)
        self.assertEqual(Report._sff_refreshed_on(), datetime(2030, 1, 2, 8, 0))
        # 20,000 more won in that month, after the refresh
        late = self.make_deal("Late", self.s_new, 20000)
        late.stage_id = self.s_won
        self.env.flush_all()
        won_on = datetime.combine(self.first + timedelta(days=20), time(10))
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, late.id])
        self.env.invalidate_all()
        self.assertEqual(Report.search(first).actual_amount, 80000.0)
        # Refresh Now is a manager's: the lines again, and the report named
        # anew, with the time in the manager's time zone
        with self.assertRaises(AccessError):
            Report.with_user(self.rep).action_sff_refresh()
        self.manager.tz = "Europe/Warsaw"
        self.set_now(datetime(2030, 1, 2, 9, 30))
        action = Report.with_user(self.manager).action_sff_refresh()
        self.assertEqual(action["tag"], "display_notification")
        opened = action["params"]["next"]
        self.assertEqual(opened["res_model"], "crm.forecast.accuracy.report")
        self.assertEqual(
            (opened["name"], opened["display_name"]),
            ("Forecast Accuracy (refreshed 01/02/2030 10:30)",) * 2,
        )
        line = Report.search(first)
        self.assertEqual((line.actual_amount, line.accuracy), (100000.0, 100.0))
        self.assertEqual(line.refreshed_on, datetime(2030, 1, 2, 9, 30))
        # the snapshots' job refreshes them once it has every snapshot
        Snapshot = self.env["crm.pipeline.snapshot"]
        with patch.object(type(Snapshot), "_sff_days_missing", lambda self: []):
            self.set_now(datetime(2030, 1, 3, 6, 0))
            self.assertEqual(Snapshot._cron_take_snapshots(), 0)
        self.assertEqual(Report._sff_refreshed_on(), datetime(2030, 1, 3, 6, 0))

    def test_menu_names_the_last_refresh(self):
        Report = self.env["crm.forecast.accuracy.report"]
        # never worked out: no refresh's row
        self.env.cr.execute(
            "DELETE FROM ir_config_parameter WHERE key = 'sales_funnel_forecast.accuracy_refreshed_on'"
        )
        # the menu's action, as a salesperson runs it
        menu_action = self.env.ref(
            "sales_funnel_forecast.crm_forecast_accuracy_report_action_open"
        ).with_user(self.rep)
        self.rep.tz = "UTC"
        action = menu_action.run()
        self.assertEqual(action["name"], "Forecast Accuracy (not worked out yet)")
        self.set_now(datetime(2030, 1, 2, 8, 0))
        Report._sff_refresh()
        action = menu_action.run()
        self.assertEqual(action["display_name"], "Forecast Accuracy (refreshed 01/02/2030 08:00)")
        self.assertEqual(action["view_mode"], "pivot,graph,list")
        # every line says it too, from the refresh's one row
        self.assertEqual(
            set(Report.search([]).mapped("refreshed_on")), {datetime(2030, 1, 2, 8, 0)}
        )
        # a refresh at a moment with its microseconds: the row keeps the
        # second, as Odoo writes a date and time (and reads one written with
        # them, as earlier builds wrote it)
        self.set_now(datetime(2030, 1, 2, 8, 5, 7, 123456))
        Report._sff_refresh()
        self.assertEqual(Report._sff_refreshed_on(), datetime(2030, 1, 2, 8, 5, 7))
        self.env.cr.execute(
            """UPDATE ir_config_parameter SET value = '2030-01-02 08:06:00.654321'
                WHERE key = 'sales_funnel_forecast.accuracy_refreshed_on'"""
        )
        self.assertEqual(Report._sff_refreshed_on(), datetime(2030, 1, 2, 8, 6))

    # ------------------------------------------------------------------
    # Who won what, when, and what was forecast at a period's first day
    # ------------------------------------------------------------------
    def rep_line(self, month, user, method="commit"):
        return self.env["crm.forecast.accuracy.report"].search(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", month),
                ("lead_days", "=", 0),
                ("team_id", "=", self.team.id),
                ("user_id", "=", user.id),
                ("method", "=", method),
            ]
        )

    def test_won_deal_handed_over_later_stays_with_who_won_it(self):
        """The rep won Big (80,000 of the 100,000 committed) in the month
        before last; this month the account goes to another rep. The
        closed month still says 75 % and 1.25 for the rep, and nothing won
        by the other rep then."""
        self.set_now(datetime.combine(self.this_month, time(11)))
        self.big.user_id = self.other_rep
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        line = self.rep_line(self.first, self.rep)
        self.assertEqual(
            (line.forecast_amount, line.actual_amount, line.accuracy, line.optimism),
            (100000.0, 80000.0, 75.0, 1.25),
        )
        self.assertFalse(self.rep_line(self.first, self.other_rep))

    def test_won_without_a_team_stays_without(self):
        """A deal of 7,000 won in the month before last while it had no
        team, given the team this month: that month's actual of the rep in
        the team is Big's 80,000 alone (the version at the win says no
        team)."""
        self.set_now(datetime.combine(self.first, time(9)))
        deal = self.make_deal("Teamless", self.s_proposal, 7000, team_id=False)
        won_on = datetime.combine(self.first + timedelta(days=3), time(10))
        self.set_now(won_on)
        deal.stage_id = self.s_won
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, deal.id])
        self.set_now(datetime.combine(self.this_month, time(11)))
        deal.team_id = self.team
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        self.assertEqual(self.rep_line(self.first, self.rep).actual_amount, 80000.0)

    def test_won_in_the_month_of_the_funnel_time_zone(self):
        """The funnel totals' time zone is Paris: a deal of 3,000 won at
        23:30 UTC on the last day of the month before last is won on the
        first day of last month, as the Forecast screen and the prefill
        count it (for a rep in New York too): last month's won amount."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Europe/Paris")
        # the rep reads in another zone: the same days
        self.rep.tz = "America/New_York"
        self.set_now(datetime.combine(self.first, time(9)))
        deal = self.make_deal("Edge", self.s_proposal, 3000)
        won_on = datetime.combine(self.second - timedelta(days=1), time(23, 30))
        self.set_now(won_on)
        deal.stage_id = self.s_won
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, deal.id])
        self.env.invalidate_all()
        Submission = self.env["crm.forecast.submission"].with_user(self.rep)
        prefill = Submission._sff_prefill(self.rep.id, self.team.id, "month", self.second)
        self.assertEqual(prefill["won_amount"], 3000.0)
        screen = Submission.get_forecast_screen(
            {"team_id": self.team.id, "date_from": fields.Date.to_string(self.second)}
        )
        self.assertEqual([line["won"] for line in screen["lines"]], [3000.0])
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        self.assertEqual(
            (
                self.rep_line(self.first, self.rep).actual_amount,
                self.rep_line(self.second, self.rep).actual_amount,
            ),
            (80000.0, 3000.0),
        )

    def test_forecast_read_at_the_period_first_day(self):
        """A 20,000 deal put in Commit for last month the day before it
        began, and won in it: Commit forecast 20,000 at the month's start
        (the job writes the month's first day), accuracy 100 %; read from
        the snapshot of that day, not the weekly one before it."""
        Snapshot = self.env["crm.pipeline.snapshot"]
        self.set_now(datetime.combine(self.second - timedelta(days=1), time(10)))
        late = self.make_deal(
            "Late", self.s_proposal, 20000, date_deadline=self.second + timedelta(days=9)
        )
        late.forecast_category = "commit"
        won_on = datetime.combine(self.second + timedelta(days=5), time(10))
        self.set_now(won_on)
        late.stage_id = self.s_won
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, late.id])
        self.env.invalidate_all()
        # the job writes the month's first day and 30 days before it (the
        # setup's Monday may be one of them, taken before Late was made)
        missing = Snapshot._sff_days_missing()
        for day in (self.second, self.second - timedelta(days=30)):
            self.assertTrue(day in missing or day == self.monday_before(day))
        Snapshot._sff_take([self.second, self.second - timedelta(days=30)])
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        line = self.rep_line(self.second, self.rep)
        self.assertEqual(line.date_snapshot, self.second)
        # Commit: Late alone (Small, expected last month too, is in Pipeline)
        self.assertEqual(
            (line.forecast_amount, line.actual_amount, line.accuracy), (20000.0, 20000.0, 100.0)
        )
        at_start = {
            deal["lead_id"]: deal["forecast_category"]
            for deal in self.env["crm.lead"].sff_pipeline_at(self.second)
        }
        self.assertEqual(at_start.get(late.id), "commit")

    def test_submissions_of_a_team_shared_by_two_companies(self):
        """A team without a company submits its own forecast for the month
        before last in each of two companies (30,000 and 900): a submitted
        line for each company."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        other = self.env["res.company"].create({"name": "Euro Co", "currency_id": eur.id})
        self.manager.company_ids |= other
        Submission = self.env["crm.forecast.submission"].with_user(self.manager)
        for company, amount in ((self.company, 30000), (other, 900)):
            submission = Submission.with_context(allowed_company_ids=company.ids).create(
                {
                    "team_id": self.team.id,
                    "user_id": False,
                    "date_from": self.first,
                    "commit_amount": amount,
                    "best_case_amount": amount,
                }
            )
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
                [datetime.combine(self.first - timedelta(days=3), time(9)), submission.id],
            )
        self.env.invalidate_all()
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        lines = self.env["crm.forecast.accuracy.report"].search(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", self.first),
                ("lead_days", "=", 0),
                ("team_id", "=", self.team.id),
                ("method", "=", "submitted"),
            ]
        )
        self.assertEqual(
            sorted((line.company_id.name, line.forecast_amount) for line in lines),
            sorted([(self.company.name, 30000.0), ("Euro Co", 900.0)]),
        )

    def test_lead_time_is_not_negative(self):
        with self.assertRaisesRegex(ValidationError, "0 or more"):
            self.env["res.config.settings"].create({"sff_accuracy_lead_days": -10})
        with self.assertRaisesRegex(ValidationError, "0 or more"):
            self.env["res.config.settings"].create({"sff_submission_stale_days": -1})


@tagged("post_install", "-at_install")
class TestSnapshotRace(FunnelCase):
    """Apart from the other tests: it commits a change of the row that
    every snapshot writer writes first, which a test transaction that
    began before would then fail to write."""

    def test_two_snapshots_of_a_day_at_once(self):
        """Two requests writing the first snapshot of a day at once (a
        manager's button and the weekly job): the second fails to
        serialise, for Odoo to run it again, which then replaces the first
        one's rows, instead of adding its own beside them (every deal of
        the day counted twice). A day with no open deal: one row."""
        day = date(2001, 1, 1)
        try:
            with self.registry.cursor() as first_cr:
                # the first request's snapshot; a regression fails, rather than waits
                first_cr.execute("SET LOCAL lock_timeout = '5s'")
                first_cr.execute("SELECT count(*) FROM crm_pipeline_snapshot")
                with self.registry.cursor() as second_cr:
                    second_cr.execute("SET LOCAL lock_timeout = '5s'")
                    api.Environment(second_cr, SUPERUSER_ID, {})["crm.pipeline.snapshot"]._sff_take(
                        [day]
                    )
                Snapshot = api.Environment(first_cr, SUPERUSER_ID, {})["crm.pipeline.snapshot"]
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    Snapshot._sff_take([day])
                first_cr.rollback()
                # run again, as Odoo does
                Snapshot._sff_take([day])
                first_cr.commit()
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*), sum(deal_count) FROM crm_pipeline_snapshot WHERE date_snapshot = %s",
                    [day],
                )
                self.assertEqual(cr.fetchone(), (1, 0))
        finally:
            with self.registry.cursor() as cr:
                cr.execute("DELETE FROM crm_pipeline_snapshot WHERE date_snapshot = %s", [day])
