# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import random
from collections import Counter
from datetime import date, datetime, timedelta
from unittest.mock import patch

import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import tagged
from odoo.tools import SQL

from ..const import REACH_COLUMNS
from .common import FunnelCase, team_and_deal

MEASURES = [
    "reached",
    "entered",
    "moved_on",
    "won",
    "lost_here",
    "open_here",
    "reached_amount",
    "won_amount",
    "lost_amount",
    "open_amount",
]


class FunnelReportCase(FunnelCase):
    """Five deals a person can follow on paper, in a team whose pipeline is
    its own four stages A (10 %), B (30 %), C (60 %) and W (won):

    - d1, 1,000: A, B, C, W: won;
    - d2, 2,000: A, then C (B skipped), lost in C;
    - d3, 3,000: A, B, back to A: open in A;
    - d4, 4,000: created in B (A skipped): open in B;
    - d5, 5,000: A, lost in A.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")
        cls.a, cls.b, cls.c, cls.w = cls.s_new, cls.s_qualified, cls.s_proposal, cls.s_won

    def build(self):
        self.set_now(self.day(0))
        d1 = self.make_deal("d1", self.a, 1000)
        d2 = self.make_deal("d2", self.a, 2000)
        d3 = self.make_deal("d3", self.a, 3000)
        d5 = self.make_deal("d5", self.a, 5000)
        self.set_now(self.day(1))
        d4 = self.make_deal("d4", self.b, 4000)
        (d1 | d3).write({"stage_id": self.b.id})
        self.set_now(self.day(2))
        d2.stage_id = self.c
        d5.action_set_lost()
        self.set_now(self.day(3))
        d1.stage_id = self.c
        d3.stage_id = self.a
        self.set_now(self.day(4))
        d1.action_set_won()
        d2.action_set_lost()
        return d1, d2, d3, d4, d5

    def make_plan(self, name, date_from, date_to, conversions):
        """The team's target plan over the period, with the target
        conversions of stages A, B and C."""
        return self.env["crm.target.plan"].create(
            {
                "name": name,
                "team_id": self.team.id,
                "date_from": date_from,
                "date_to": date_to,
                "revenue_target": 100000,
                "average_deal_value": 1000,
                "stage_line_ids": [
                    Command.create({"stage_id": stage.id, "conversion": conversion})
                    for stage, conversion in zip((self.a, self.b, self.c), conversions)
                ],
            }
        )

    def reach_rows(self, deals):
        """The funnel rows of these deals as stored, every column
        (``REACH_COLUMNS``), in the order of deal and stage."""
        self.env["crm.lead.stage.reach"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM crm_lead_stage_reach WHERE lead_id = ANY(%s) ORDER BY 1, 2",
                SQL(", ").join(map(SQL.identifier, REACH_COLUMNS)),
                deals.ids,
            )
        )
        return self.env.cr.fetchall()

    def funnel(self, domain=(), user=None):
        Dashboard = self.env["crm.funnel.dashboard"]
        if user:
            Dashboard = Dashboard.with_user(user)
        domain = [("team_id", "=", self.team.id), *domain]
        return {row["stage_id"]: row for row in Dashboard._sff_funnel(domain)}


@tagged("post_install", "-at_install")
class TestFunnelReport(FunnelReportCase):
    def test_reach_per_stage_by_hand(self):
        self.build()
        funnel = self.funnel()
        self.assertEqual(list(funnel), [self.a.id, self.b.id, self.c.id, self.w.id], "stage order")
        expected = {
            #            reached entered moved won lost open  amounts: reached won lost open
            self.a.id: (5, 4, 4, 1, 1, 1, 15000, 1000, 5000, 3000),
            self.b.id: (4, 3, 2, 1, 0, 1, 10000, 1000, 0, 4000),
            self.c.id: (2, 2, 1, 1, 1, 0, 3000, 1000, 2000, 0),
            self.w.id: (1, 1, 0, 1, 0, 0, 1000, 1000, 0, 0),
        }
        for stage_id, figures in expected.items():
            self.assertEqual(
                tuple(funnel[stage_id][name] for name in MEASURES),
                figures,
                self.env["crm.stage"].browse(stage_id).name,
            )
        # conversion: moved on / reached; of entered: among the deals that had a stay
        self.assertEqual(funnel[self.a.id]["conversion_rate"], 80.0)
        self.assertEqual(funnel[self.a.id]["entered_conversion_rate"], 75.0)
        self.assertEqual(funnel[self.b.id]["conversion_rate"], 50.0)
        self.assertAlmostEqual(funnel[self.b.id]["entered_conversion_rate"], 100.0 / 3)
        self.assertEqual(funnel[self.c.id]["conversion_rate"], 50.0)
        # the won stage no deal left ends the funnel: no conversion (0 %
        # would read as every won deal lost there)
        self.assertIsNone(funnel[self.w.id]["conversion_rate"])
        self.assertIsNone(funnel[self.w.id]["entered_conversion_rate"])

    def test_pivot_measures_are_the_same_figures(self):
        self.build()
        Report = self.env["crm.funnel.report"]
        domain = [("team_id", "=", self.team.id)]
        rows = dict(
            (stage, (conversion, entered_conversion))
            for stage, conversion, entered_conversion in Report._read_group(
                domain, ["stage_id"], ["conversion_rate:avg", "entered_conversion_rate:avg"]
            )
        )
        self.assertEqual(rows[self.a][0], 80.0)
        self.assertEqual(rows[self.a][1], 75.0, "the average ignores stages a deal skipped")
        self.assertEqual(rows[self.b][0], 50.0)
        # the numerator of the stricter conversion, as a measure
        moved = dict(Report._read_group(domain, ["stage_id"], ["entered_moved_on:sum"]))
        self.assertEqual((moved[self.a], moved[self.b], moved[self.c], moved[self.w]), (3, 1, 1, 0))

    def test_skipped_stage_is_dated_by_the_next_entry(self):
        _d1, d2, _d3, d4, _d5 = self.build()
        rows = self.env["crm.funnel.report"].search([("lead_id", "in", (d2 | d4).ids)])
        by_key = {(row.lead_id, row.stage_id): row for row in rows}
        # d2 skipped B: reached it when it entered C, on day 2
        self.assertEqual((by_key[d2, self.b].entered, by_key[d2, self.b].date_in), (0, self.day(2)))
        # d4 was created in B: it reached A then
        self.assertEqual((by_key[d4, self.a].entered, by_key[d4, self.a].date_in), (0, self.day(1)))
        self.assertEqual(by_key[d2, self.a].date_in, self.day(0))

    def test_moved_back_deal_first_entry_dates_the_stage(self):
        _d1, _d2, d3, _d4, _d5 = self.build()
        row = self.env["crm.funnel.report"].search(
            [("lead_id", "=", d3.id), ("stage_id", "=", self.a.id)]
        )
        self.assertEqual(row.date_in, self.day(0), "first entry, not the return")
        self.assertEqual((row.moved_on, row.open_here), (1, 1))

    def test_stage_entered_after_a_later_one_is_dated_by_its_own_entry(self):
        # created in C (A and B reached on day 0), back to A on day 2: A's own
        # entry dates it, B (never entered) takes the first later entry
        self.set_now(self.day(0))
        deal = self.make_deal("d6", self.c, 6000)
        self.set_now(self.day(2))
        deal.stage_id = self.a
        Reach = self.env["crm.lead.stage.reach"]
        expected = {
            self.a: (1, 1, self.day(2)),
            self.b: (0, 1, self.day(0)),
            self.c: (1, 0, self.day(0)),
        }
        for path in ("after the move", "rebuilt for every deal"):
            if path == "rebuilt for every deal":
                Reach._sff_fill()
            rows = {
                row.stage_id: row
                for row in self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
            }
            self.assertEqual(
                {stage: (row.entered, row.moved_on, row.date_in) for stage, row in rows.items()},
                expected,
                path,
            )

    def test_rows_follow_the_deal_now(self):
        d1, _d2, d3, _d4, d5 = self.build()
        Report = self.env["crm.funnel.report"]
        d3.write({"user_id": self.other_rep.id, "team_id": self.team.id})
        self.assertEqual(
            set(Report.search([("lead_id", "=", d3.id)]).mapped("user_id")), {self.other_rep}
        )
        # a lost deal restored is open again where it is
        d5.action_unarchive()
        funnel = self.funnel()
        self.assertEqual((funnel[self.a.id]["lost_here"], funnel[self.a.id]["open_here"]), (0, 2))
        # a won deal reopened
        d1.stage_id = self.c
        funnel = self.funnel()
        self.assertEqual(funnel[self.w.id]["won"], 0)
        self.assertEqual(funnel[self.c.id]["open_here"], 1)
        self.assertEqual(funnel[self.w.id]["reached"], 1, "it did reach the won stage")

    def test_rows_follow_the_deal_source(self):
        d1 = self.build()[0]
        source = self.env["utm.source"].create({"name": "Funnel trade fair"})
        medium = self.env["utm.medium"].create({"name": "Funnel booth"})
        d1.write({"source_id": source.id, "medium_id": medium.id})
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", d1.id)])
        self.assertEqual((len(rows), rows.source_id, rows.medium_id), (4, source, medium))
        # grouped by source: the four stages d1 reached count for the fair
        groups = dict(
            self.env["crm.funnel.report"]._read_group(
                [("team_id", "=", self.team.id), ("source_id", "=", source.id)],
                ["stage_id"],
                ["reached:sum"],
            )
        )
        self.assertEqual(list(groups.values()), [1, 1, 1, 1])

    def test_stages_reordered_after_deals_passed(self):
        _d1, d2, _d3, d4, _d5 = self.build()
        # C now comes before B: d2 (A then C) no longer skipped anything
        self.c.sequence = 900
        self.a.sequence = 899
        funnel = self.funnel()
        self.assertEqual(list(funnel), [self.a.id, self.c.id, self.b.id, self.w.id])
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", d2.id)])
        self.assertEqual(rows.stage_id, self.a | self.c)
        # d4, created in B, now reached A and C before it
        self.assertEqual(
            self.env["crm.funnel.report"].search([("lead_id", "=", d4.id)]).stage_id,
            self.a | self.c | self.b,
        )

    def test_reorder_followed_by_many_deals_rebuilds_them_in_the_background(self):
        """From QUEUED_REBUILD_DEALS deals on (lowered here to 2), a reorder
        leaves the deals' rows to the job, which rebuilds them batch by
        batch with the rows a rebuild deal by deal gives; meanwhile nothing
        else waits: another user reads the users, the stages, another deal
        and its funnel rows, without waiting a second."""
        deals = self.build()
        deals = deals[0] | deals[1] | deals[2] | deals[3] | deals[4]
        Reach = self.env["crm.lead.stage.reach"]

        def rows():
            Reach.flush_model()
            return sorted(
                (
                    row.lead_id.id,
                    row.stage_id.id,
                    row.stage_sequence,
                    row.date_in,
                    row.entered,
                    row.moved_on,
                    row.deal_state,
                    row.is_current,
                    row.is_lost_stage,
                )
                for row in Reach.search([("lead_id", "in", deals.ids)])
            )

        self.c.sequence, self.a.sequence = 900, 899
        one_by_one = rows()
        self.c.sequence, self.a.sequence = 1, 0
        before = rows()
        self.assertNotEqual(before, one_by_one)
        other_rows = Reach.search_count([("lead_id", "not in", deals.ids)])
        job = self.env.ref("sales_funnel_forecast.ir_cron_rebuild_funnel_rows")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", job.id)])
        with patch(
            "odoo.addons.sales_funnel_forecast.models.crm_lead_stage_reach.QUEUED_REBUILD_DEALS", 2
        ):
            self.c.sequence, self.a.sequence = 900, 899
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", job.id)]), triggers
        )
        self.assertEqual(rows(), before, "left to the job")
        # a committed deal (the demo data's) that someone else reads meanwhile
        other = self.env["crm.lead"].search(
            [("id", "not in", deals.ids), ("type", "=", "opportunity")], limit=1, order="id"
        )
        self.assertTrue(other)
        # two batches of at most three deals, as the job calls them
        self.assertEqual(Reach._sff_rebuild_pending_batch(3), (3, 2))
        with self.registry.cursor() as reader:
            reader.execute("SET LOCAL lock_timeout = '1s'")
            reader.execute("SELECT login FROM res_users WHERE id = %s", [self.rep.id])
            reader.execute("SELECT id FROM res_users ORDER BY id")
            reader.execute("SELECT id, name FROM crm_stage ORDER BY id")
            reader.execute("SELECT name FROM crm_lead WHERE id = %s", [other.id])
            self.assertTrue(reader.fetchone())
            reader.execute(
                "SELECT count(*) FROM crm_lead_stage_reach WHERE lead_id = %s", [other.id]
            )
            self.assertTrue(reader.fetchone()[0])
            # and a user's save of another deal does not wait either
            reader.execute("SELECT id FROM crm_lead WHERE id = %s FOR NO KEY UPDATE", [other.id])
            reader.rollback()
        self.assertEqual(Reach._sff_rebuild_pending_batch(3), (2, 0))
        self.assertEqual(rows(), one_by_one)
        self.assertEqual(Reach.search_count([("lead_id", "not in", deals.ids)]), other_rows)
        self.assertEqual(Reach._sff_rebuild_pending_batch(3), (0, 0))
        # the table's keys are as they were: checked, none dropped
        self.env.cr.execute("""SELECT count(*), count(*) FILTER (WHERE NOT convalidated) FROM pg_constraint
                                WHERE conrelid = 'crm_lead_stage_reach'::regclass AND contype = 'f'""")
        self.assertEqual(self.env.cr.fetchone(), (9, 0))

    def test_a_save_and_a_rebuild_give_the_same_rows(self):
        """A save's rows are worked out in Python (engine.funnel_reach), a
        rebuild's in SQL: the same rows, column by column, for deals moved
        at random through their pipeline, a stage of another team and an
        archived one, won, lost, restored, reassigned, with tied sequences."""
        rng = random.Random(11)
        deals = self.build()
        other_team = self.env["crm.team"].create({"name": "Parity Other Team"})
        foreign = self.env["crm.stage"].create(
            {"name": "T-Foreign", "sequence": 902, "team_id": other_team.id}
        )
        tied = self.env["crm.stage"].create(
            {"name": "T-AA tied", "sequence": 902, "team_id": self.team.id}
        )
        old = self.env["crm.stage"].create(
            {"name": "T-Old", "sequence": 901, "team_id": self.team.id}
        )
        stages = [self.a, self.b, self.c, self.w, foreign, tied, old]
        Reach = self.env["crm.lead.stage.reach"]
        more = self.env["crm.lead"].browse()
        for index in range(6):
            more |= self.make_deal(f"p{index}", rng.choice(stages[:3]), 100 * index)
        everything = more.union(*deals)
        done = Counter()
        for day in range(5, 25):
            self.set_now(self.day(day))
            deal = rng.choice(everything)
            action = rng.choice(["move", "move", "move", "lost", "restore", "owner", "amount"])
            if action == "move":
                deal.stage_id = rng.choice(stages)
            elif action == "lost" and deal.active:
                deal.action_set_lost()
            elif action == "restore" and not deal.active:
                deal.action_unarchive()
            elif action == "owner":
                deal.user_id = rng.choice([self.rep, self.other_rep])
            elif action == "amount":
                deal.expected_revenue = rng.randrange(100, 9000)
            else:
                action = "nothing"
            done[action] += 1
            if day == 15:
                everything.filtered(
                    lambda deal: deal.stage_id == old and deal.active
                ).stage_id = self.a
                old.action_archive()
                stages.remove(old)
            Reach.flush_model()
        for action in ("move", "lost", "restore", "owner", "amount"):
            self.assertGreater(done[action], 0, action)

        # every row of these deals worked out by a save (some were written
        # by the rebuilds of the stages' changes)
        self.env.cr.execute(
            "DELETE FROM crm_lead_stage_reach WHERE lead_id = ANY(%s)", [everything.ids]
        )
        Reach.invalidate_model()
        self.env["crm.lead.stage.history"]._sff_refresh_reach(everything.ids)
        saved = self.reach_rows(everything)
        self.assertGreater(len(saved), 20)
        Reach._sff_rebuild(everything.ids)
        self.assertEqual(self.reach_rows(everything), saved)

    def test_reorder_without_the_job_rebuilds_in_the_request(self):
        """The job switched off by an administrator: a reorder of many deals
        rebuilds their rows at once rather than queue them for nothing."""
        deals = self.build()
        self.env.ref("sales_funnel_forecast.ir_cron_rebuild_funnel_rows").active = False
        Reach = self.env["crm.lead.stage.reach"]
        with patch(
            "odoo.addons.sales_funnel_forecast.models.crm_lead_stage_reach.QUEUED_REBUILD_DEALS", 2
        ):
            self.c.sequence, self.a.sequence = 900, 899
        self.env.cr.execute("SELECT count(*) FROM crm_lead_stage_reach_pending")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        rows = Reach.search([("lead_id", "=", deals[3].id)])
        # d4, in B: with C now between A and B, it reached C too (skipped)
        self.assertEqual(rows.stage_id, self.a | self.c | self.b)
        self.assertEqual(rows.filtered(lambda row: row.stage_id == self.c).entered, False)

    def test_queued_deal_that_a_user_is_saving_waits_for_the_next_batch(self):
        deal = self.env["crm.lead"].search([("type", "=", "opportunity")], limit=1, order="id")
        self.assertTrue(deal, "a committed deal (demo data)")
        Reach = self.env["crm.lead.stage.reach"]
        Reach._sff_queue_rebuild([deal.id])
        self.env.cr.execute("SET LOCAL lock_timeout = '5s'")
        with self.registry.cursor() as user:
            user.execute("SET LOCAL lock_timeout = '5s'")
            user.execute("SELECT id FROM crm_lead WHERE id = %s FOR NO KEY UPDATE", [deal.id])
            self.assertEqual(
                Reach._sff_rebuild_pending_batch(10), (0, 1), "skipped, not waited for"
            )
            user.rollback()
        self.assertEqual(Reach._sff_rebuild_pending_batch(10), (1, 0))

    def test_a_save_meets_a_rebuild_committed_meanwhile(self):
        """A save locks the funnel rows of its deals before it works them
        out: a rebuild of a deal's rows (a stage reordered, the job's
        batch: every row deleted and written again) that committed after
        the save's snapshot makes the save fail, for Odoo to run it again,
        even when the save writes none of the rows (it would otherwise
        keep rows of the stages' former order beside the rebuild's); for a
        few deals (worked out in Python) and for many (in SQL)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team, deal = team_and_deal(env, "Save against a rebuild")
            deal.stage_id = env.ref("crm.stage_lead2")
            env.flush_all()
            self.assertTrue(env["crm.lead.stage.reach"].search_count([("lead_id", "=", deal.id)]))
            team_id, deal_id = team.id, deal.id
        try:
            for threshold in (100, 0):
                with self.registry.cursor() as save_cr:
                    # the save's snapshot; a regression fails, rather than waits
                    save_cr.execute("SET LOCAL lock_timeout = '5s'")
                    save_cr.execute("SELECT stage_id FROM crm_lead WHERE id = %s", [deal_id])
                    with self.registry.cursor() as rebuild_cr:
                        rebuild_cr.execute("SET LOCAL lock_timeout = '5s'")
                        env = api.Environment(rebuild_cr, SUPERUSER_ID, {})
                        env["crm.lead.stage.reach"]._sff_rebuild([deal_id])
                    History = api.Environment(save_cr, SUPERUSER_ID, {})["crm.lead.stage.history"]
                    with (
                        patch(
                            "odoo.addons.sales_funnel_forecast.models.crm_lead_stage_history."
                            "REFRESH_DEALS",
                            threshold,
                        ),
                        self.assertRaises(psycopg2.errors.SerializationFailure, msg=threshold),
                    ):
                        History._sff_refresh_reach([deal_id])
                        History._sff_flush_pending()
                    save_cr.rollback()
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.lead"].browse(deal_id).unlink()
                env["crm.team"].browse(team_id).unlink()

    def test_added_and_archived_stage(self):
        self.build()
        # a stage added between B and C (B's sequence, a name after B's): d1
        # and d2 went beyond it, so they reached it (without a stay)
        extra = self.env["crm.stage"].create(
            {"name": "T-Qualified, extra", "sequence": 902, "team_id": self.team.id}
        )
        row = self.funnel()[extra.id]
        self.assertEqual((row["reached"], row["entered"], row["moved_on"]), (2, 0, 2))
        extra.action_archive()
        self.assertNotIn(extra.id, self.funnel())

    def test_deal_moved_to_another_team(self):
        _d1, _d2, _d3, d4, _d5 = self.build()
        other = self.env["crm.team"].create({"name": "Plain team"})
        d4.team_id = other
        # its new pipeline is Odoo's shared stages, in none of which it had a
        # stay: it reached none of them (the old team's B, where it sits,
        # says nothing of the shared stages' order: not Won at least), and
        # it left its old team's funnel
        self.assertFalse(self.env["crm.funnel.report"].search([("lead_id", "=", d4.id)]))
        # moved on into the shared Qualified, it reached New and Qualified
        shared = self.env["crm.stage"].search([("team_id", "=", False)], order="sequence, id")
        d4.stage_id = shared[1]
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", d4.id)])
        self.assertEqual(set(rows.mapped("team_id")), {other})
        self.assertEqual(rows.stage_id, shared[:2])
        self.assertEqual(
            [(row.stage_id, row.entered) for row in rows.sorted("stage_sequence")],
            [(shared[0], 0), (shared[1], 1)],
        )

    def test_deal_without_team_uses_shared_stages(self):
        shared = self.env["crm.stage"].search([("team_id", "=", False)], order="sequence, id")
        deal = self.make_deal("No team", shared[0], 100, team_id=False, user_id=False)
        deal.stage_id = shared[2]
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(rows.stage_id, shared[:3])
        self.assertEqual(rows.filtered(lambda row: row.stage_id == shared[1]).entered, 0)

    def test_stages_with_the_same_sequence_reach_in_the_kanban_order(self):
        """Two stages at the same sequence are in the order the kanban shows
        them: by name ("T-Also qualified", created after B, "T-Qualified",
        comes before it). A deal in B reached the other one, not the other
        way round; the funnel lists them in that order too."""
        twin = self.env["crm.stage"].create(
            {
                "name": "T-Also qualified",
                "sequence": self.b.sequence,
                "forecast_probability": 30,
                "team_id": self.team.id,
            }
        )
        self.assertGreater(twin.id, self.b.id)
        columns = (
            self.env["crm.lead"]
            .with_context(default_team_id=self.team.id)
            ._read_group_stage_ids(self.env["crm.stage"], [])
        )
        self.assertEqual(columns.filtered(lambda stage: stage in (twin | self.b)), twin | self.b)
        self.set_now(self.day(0))
        in_twin = self.make_deal("In the twin", self.a, 100)
        in_b = self.make_deal("In B", self.a, 100)
        self.set_now(self.day(1))
        in_twin.stage_id = twin
        in_b.stage_id = self.b
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", in_b.id)])
        self.assertEqual(rows.stage_id, self.a | twin | self.b, "the report's own order")
        self.assertEqual(rows.filtered(lambda row: row.stage_id == twin).entered, 0, "skipped")
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", in_twin.id)])
        self.assertEqual(rows.stage_id, self.a | twin)
        funnel = [
            row["stage_id"]
            for row in self.env["crm.funnel.dashboard"]._sff_funnel(
                [("lead_id", "in", (in_b | in_twin).ids)]
            )
        ]
        self.assertEqual(funnel, [self.a.id, twin.id, self.b.id])
        # renamed so that it sorts after B: the rows follow the new order
        twin.name = "T-Z qualified"
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", in_twin.id)])
        self.assertEqual(rows.stage_id, self.a | self.b | twin)
        self.assertEqual(rows.filtered(lambda row: row.stage_id == self.b).entered, 0)

    def test_leads_count_once_they_are_opportunities(self):
        lead = self.make_deal("A lead", self.a, 100, type="lead")
        Report = self.env["crm.funnel.report"]
        self.assertFalse(Report.search([("lead_id", "=", lead.id)]), "a lead is not in the funnel")
        lead.convert_opportunity(self.env["res.partner"], team_id=self.team.id)
        self.assertEqual((lead.type, lead.team_id), ("opportunity", self.team))
        self.assertEqual(Report.search([("lead_id", "=", lead.id)]).stage_id, lead.stage_id)

    def test_funnel_by_week(self):
        """The five deals reached their stages from Monday 2 to Friday 6 March
        2026: one week, grouped from the funnel rows."""
        self.build()
        groups = self.env["crm.funnel.report"]._read_group(
            [("team_id", "=", self.team.id)],
            ["stage_id", "date_in:week"],
            ["reached:sum", "won:sum"],
        )
        [week] = {week for _stage, week, _reached, _won in groups}
        # the week starts on the language's first day of the week
        self.assertTrue(week <= datetime(2026, 3, 2) < week + timedelta(days=7), week)
        self.assertEqual(
            [(stage, reached, won) for stage, _week, reached, won in groups],
            [(self.a, 5, 1), (self.b, 4, 1), (self.c, 2, 1), (self.w, 1, 1)],
        )


@tagged("post_install", "-at_install")
class TestFunnelPeriods(FunnelReportCase):
    def test_flow_cohort_and_comparison(self):
        self.build()
        Report = self.env["crm.funnel.dashboard"]
        # flow: stages reached from day 1 to day 3 (excluded)
        flow = {
            row["stage_id"]: row
            for row in Report._sff_funnel(
                Report._sff_funnel_domain(self.team.id, self.day(1), self.day(3), "flow")
            )
        }
        # A: d4 reached it on day 1 (skipped); B: d1, d3, d4 on day 1, d2 on day 2; C: d2 on day 2
        self.assertEqual(
            {stage: row["reached"] for stage, row in flow.items()},
            {self.a.id: 1, self.b.id: 4, self.c.id: 1},
        )
        # cohort: deals created on day 1 (d4 only)
        cohort = {
            row["stage_id"]: row["reached"]
            for row in Report._sff_funnel(
                Report._sff_funnel_domain(self.team.id, self.day(1), self.day(2), "cohort")
            )
        }
        self.assertEqual(cohort, {self.a.id: 1, self.b.id: 1})

    def test_report_data_with_comparison_and_an_empty_period(self):
        self.build()
        Dashboard = self.env["crm.funnel.dashboard"]
        start = self.day(1).date()
        data = Dashboard._sff_report_data(
            team_id=self.team.id,
            period="custom",
            date_from=start,
            date_to=start + timedelta(days=2),
            mode="flow",
            compare="previous",
        )
        # the two days before: day -1 and day 0: A reached by d1, d2, d3, d5
        self.assertEqual(
            (data["compare_from"], data["compare_to"]), (str(start - timedelta(days=2)), str(start))
        )
        [funnel] = data["funnels"]
        self.assertEqual(funnel["team_id"], self.team.id)
        by_stage = {row["stage_id"]: row for row in funnel["stages"]}
        self.assertEqual(by_stage[self.a.id]["compare_reached"], 4)
        self.assertEqual(by_stage[self.b.id]["compare_reached"], 0)
        # a period without deals: an empty funnel, no division by zero
        empty = Dashboard._sff_report_data(
            team_id=self.team.id, period="custom", date_from="2001-01-01", date_to="2001-02-01"
        )
        self.assertEqual(empty["funnels"], [])

    def test_dashboard_stage_action_opens_the_deals(self):
        d1, d2, _d3, _d4, _d5 = self.build()
        params = {"team_id": self.team.id, "period": "all", "mode": "flow"}
        action = self.env["crm.funnel.dashboard"].get_stage_deals_action(params, self.c.id)
        self.assertEqual(action["res_model"], "crm.lead")
        self.assertEqual(
            self.env["crm.lead"].with_context(active_test=False).search(action["domain"]), d1 | d2
        )
        data = self.env["crm.funnel.dashboard"].get_funnel_dashboard(params)
        self.assertEqual([row["reached"] for row in data["funnels"][0]["stages"]], [5, 4, 2, 1])
        # every team: one funnel per team, each in its own pipeline
        other = self.env["crm.team"].create({"name": "Another team"})
        self.make_deal(
            "Elsewhere",
            self.env["crm.stage"].search([("team_id", "=", False)], limit=1),
            team_id=other.id,
        )
        every = self.env["crm.funnel.dashboard"].get_funnel_dashboard(dict(params, team_id=False))
        names = [funnel["team_name"] for funnel in every["funnels"]]
        self.assertIn("Another team", names)
        self.assertIn(self.team.name, names)
        ours = next(funnel for funnel in every["funnels"] if funnel["team_id"] == self.team.id)
        self.assertEqual([row["reached"] for row in ours["stages"]], [5, 4, 2, 1])
        # opened without a team, the dashboard shows the user's own team
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        first = (
            self.env["crm.funnel.dashboard"]
            .with_user(self.rep)
            .get_funnel_dashboard({"period": "all"})
        )
        self.assertEqual((first["team_id"], first["team_name"]), (self.team.id, self.team.name))

    def test_plan_funnel_beside_the_real_one(self):
        self.build()
        self.make_plan("Funnel plan", date(2026, 1, 1), date(2026, 12, 31), (60, 50, 40))
        data = self.env["crm.funnel.dashboard"]._sff_report_data(
            team_id=self.team.id, period="custom", date_from="2026-03-01", date_to="2026-04-01"
        )
        [funnel] = data["funnels"]
        self.assertEqual(funnel["plan_name"], "Funnel plan")
        rows = {row["stage_id"]: row for row in funnel["stages"]}
        # 5 deals really reached A: the plan expects 5, then 3, 1.5 and 0.6
        self.assertEqual(
            [rows[stage.id]["plan_reached"] for stage in (self.a, self.b, self.c, self.w)],
            [5.0, 3.0, 1.5, 0.6],
        )
        self.assertEqual(
            [rows[stage.id]["target_conversion"] for stage in (self.a, self.b, self.c, self.w)],
            [60.0, 50.0, 40.0, None],
        )
