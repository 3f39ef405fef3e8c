# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
from datetime import date, datetime
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import SQL

from ..const import REACH_COLUMNS, TZ_PARAM
from ..reports.crm_funnel_summary import SUMMARY_MEASURES
from .common import committing_cursor, team_and_deal
from .test_funnel_report import FunnelReportCase

SUMS = [f"{name}:sum" for name in SUMMARY_MEASURES]
# a filter that every funnel row passes and that the monthly totals cannot
# answer: the grouped read then counts the rows
ROWS = ("lead_id", "!=", False)


def totals_and_rows(cr, tz):
    """The monthly totals as PostgreSQL keeps them (keys whose every total
    is zero left out), against the same totals worked out from the funnel
    rows with months in ``tz``: two dicts keyed by company, team,
    salesperson, stage and month."""
    measures = SQL(", ").join(
        SQL("SUM(%s)::float", SQL.identifier(name)) for name in SUMMARY_MEASURES
    )
    cr.execute(
        SQL(
            """SELECT company_id, team_id, user_id, stage_id, month, %s
                        FROM crm_funnel_summary_delta GROUP BY 1, 2, 3, 4, 5""",
            measures,
        )
    )
    kept = {row[:5]: tuple(round(value, 2) for value in row[5:]) for row in cr.fetchall()}
    cr.execute(
        SQL(
            """SELECT company_id, team_id, user_id, stage_id,
                             date_trunc('month', timezone(%s, timezone('UTC', date_in)))::date, %s
                        FROM crm_funnel_report GROUP BY 1, 2, 3, 4, 5""",
            tz,
            measures,
        )
    )
    rows = {row[:5]: tuple(round(value, 2) for value in row[5:]) for row in cr.fetchall()}
    return {key: values for key, values in kept.items() if any(values)}, rows


@tagged("post_install", "-at_install")
class TestFunnelSummary(FunnelReportCase):
    """The funnel's monthly totals follow the funnel rows on every path, and
    the funnel pivots read them with the rows' figures."""

    def summary_plan(self, report, *args):
        """How the monthly totals would answer this grouped read of the
        funnel report (None: the rows answer it)."""
        return self.env["crm.funnel.summary"]._sff_plan(report, *args)

    def totals(self):
        """The monthly totals as PostgreSQL keeps them, against the same
        totals worked out from the funnel rows now: two dicts keyed by
        company, team, salesperson, stage and month."""
        self.env["crm.lead.stage.reach"].flush_model()
        return totals_and_rows(self.env.cr, self.env["crm.funnel.summary"]._sff_tz())

    def assertTotalsFollow(self, message):
        kept, rows = self.totals()
        self.assertTrue(rows, "some funnel rows")
        self.assertEqual(kept, rows, message)

    def test_totals_follow_every_path(self):
        d1, d2, d3, d4, d5 = self.build()
        self.assertTotalsFollow("moves, several deals in one write, won and lost")
        (d3 | d4).write({"stage_id": self.c.id, "user_id": self.other_rep.id})
        self.assertTotalsFollow("a move and a new salesperson for two deals in one write")
        d5.action_unarchive()
        self.assertTotalsFollow("a lost deal restored")
        d4.action_archive()
        self.assertTotalsFollow("a deal archived")
        other_team = self.env["crm.team"].create({"name": "Summary Other Team"})
        d3.team_id = other_team
        self.assertTotalsFollow("a deal moved to another team")
        self.env["crm.lead.stage.reach"]._sff_set_stalled(d4.ids + d1.ids)
        self.assertTotalsFollow("rows flagged stalled in place")
        d2.unlink()
        self.assertTotalsFollow("a deal deleted")
        self.env["crm.lead.stage.reach"]._sff_fill()
        self.assertTotalsFollow("every row written again in bulk")

    def test_a_save_of_many_deals_writes_only_the_rows_that_change(self):
        """A save of more deals than are worked out in Python (lowered here
        to 1) brings their rows up to date in one statement: a missing row
        is inserted, a row no longer given deleted, a wrong value mended
        (a NULL too), a row there twice kept once, the rows the move
        changes updated in place (the same id), and a row the move leaves
        as it was is not written at all (the same place in the table); the
        rows are then those a rebuild gives, and the monthly totals
        follow."""
        d1, d2, d3, d4, d5 = self.build()
        deals = d1 | d2 | d3 | d4 | d5
        Reach = self.env["crm.lead.stage.reach"]
        Reach.flush_model()
        cr = self.env.cr

        def row(deal, stage):
            cr.execute(
                """SELECT id, ctid::text FROM crm_lead_stage_reach
                    WHERE lead_id = %s AND stage_id = %s""",
                [deal.id, stage.id],
            )
            return cr.fetchall()

        # d4 skipped A (open in B): moving it to C leaves that row as it is
        [(skipped_id, skipped_place)] = row(d4, self.a)
        [(current_id, _place)] = row(d4, self.b)
        # rows gone wrong: d3's B row missing, a W row d4 never reached, a
        # wrong amount on d4's B row
        cr.execute(
            "DELETE FROM crm_lead_stage_reach WHERE lead_id = %s AND stage_id = %s",
            [d3.id, self.b.id],
        )
        cr.execute(
            """INSERT INTO crm_lead_stage_reach (lead_id, stage_id, stage_sequence, date_in,
                   entered, moved_on, deal_state, is_current, is_lost_stage, is_stalled,
                   has_decision_maker, expected_revenue, invoiced_amount, team_id, company_id)
               SELECT lead_id, %s, 99, date_in, TRUE, FALSE, 'open', FALSE, FALSE, FALSE,
                      FALSE, expected_revenue, 0, team_id, company_id
                 FROM crm_lead_stage_reach WHERE id = %s""",
            [self.w.id, current_id],
        )
        cr.execute(
            "UPDATE crm_lead_stage_reach SET expected_revenue = 1 WHERE id = %s", [current_id]
        )
        # d1, saved with them without a move: its A row lost its closing
        # date (a value against NULL); d4's B row, which the move changes,
        # and its W row, which goes, are there twice
        [(d1_a_id, _place)] = row(d1, self.a)
        cr.execute("UPDATE crm_lead_stage_reach SET date_closed = NULL WHERE id = %s", [d1_a_id])
        [(w_id, _place)] = row(d4, self.w)
        for copied in (current_id, w_id):
            cr.execute(
                SQL(
                    "INSERT INTO crm_lead_stage_reach (%s) SELECT %s FROM crm_lead_stage_reach "
                    "WHERE id = %s",
                    SQL(", ").join(map(SQL.identifier, REACH_COLUMNS)),
                    SQL(", ").join(map(SQL.identifier, REACH_COLUMNS)),
                    copied,
                )
            )
        self.assertEqual(len(row(d4, self.b)), 2)
        self.assertEqual(len(row(d4, self.w)), 2)
        Reach.invalidate_model()
        self.assertTotalsFollow("rows changed by hand")
        self.set_now(self.day(5))
        Model = type(Reach)
        with (
            patch(
                "odoo.addons.sales_funnel_forecast.models.crm_lead_stage_history.REFRESH_DEALS", 1
            ),
            patch.object(
                Model, "_sff_merge_sql", autospec=True, side_effect=Model._sff_merge_sql
            ) as merge,
        ):
            (d3 | d4).write({"stage_id": self.c.id})
            self.env["crm.lead.stage.history"]._sff_refresh_reach(d1.ids)
            merged = self.reach_rows(deals)
        self.assertEqual(merge.call_count, 1, "the rows of the three deals in SQL, at once")
        self.assertEqual(set(merge.call_args.args[1]), set((d1 | d3 | d4).ids))
        self.assertEqual([row_id for row_id, _place in row(d1, self.a)], [d1_a_id], "in place")
        self.assertEqual(row(d4, self.a), [(skipped_id, skipped_place)], "not written")
        self.assertEqual(row(d4, self.w), [], "deleted, both")
        [(same_id, _place)] = row(d4, self.b)
        self.assertEqual(same_id, current_id, "the first kept, updated in place")
        self.assertEqual(len(row(d3, self.b)), 1, "inserted")
        by_key = {values[:2]: dict(zip(REACH_COLUMNS, values)) for values in merged}
        self.assertEqual(by_key[d4.id, self.b.id]["expected_revenue"], 4000)
        self.assertTrue(d1.date_closed)
        self.assertEqual(by_key[d1.id, self.a.id]["date_closed"], d1.date_closed, "mended")
        self.assertEqual(
            [
                (
                    stage.name,
                    by_key[d3.id, stage.id]["entered"],
                    by_key[d3.id, stage.id]["is_current"],
                )
                for stage in (self.a, self.b, self.c)
            ],
            [(self.a.name, True, False), (self.b.name, True, False), (self.c.name, True, True)],
        )
        self.assertTotalsFollow("a save of many deals")
        Reach._sff_rebuild(deals.ids)
        self.assertEqual(self.reach_rows(deals), merged, "the rows a rebuild gives")
        self.assertTotalsFollow("rebuilt")

    def test_compaction_keeps_the_totals_in_fewer_rows(self):
        deals = self.build()
        Reach = self.env["crm.lead.stage.reach"]
        Reach.flush_model()
        # each move written on its own: each adds to the same keys again
        for stage in (self.b, self.a, self.b, self.a):
            deals[2].stage_id = stage
            Reach.flush_model()
        before = self.totals()[0]
        self.env.cr.execute("SELECT count(*) FROM crm_funnel_summary_delta")
        rows_before = self.env.cr.fetchone()[0]
        left = self.env["crm.funnel.summary"]._cron_compact()
        self.assertEqual(self.totals()[0], before)
        self.assertLess(left, rows_before)
        self.env.cr.execute("SELECT count(*) FROM crm_funnel_summary_delta WHERE reached = 0")
        self.assertEqual(self.env.cr.fetchone()[0], 0, "keys without a funnel row are dropped")
        self.assertTotalsFollow("compacted")

    def test_pivots_read_the_totals_with_the_rows_figures(self):
        self.build()
        Report = self.env["crm.funnel.report"].with_context(tz="UTC")
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        self.env["crm.funnel.summary"]._sff_rebuild()
        team = ("team_id", "=", self.team.id)
        asked = [
            "__count",
            *SUMS,
            "conversion_rate:avg",
            "entered_conversion_rate:avg",
            "win_rate:avg",
        ]
        for groupby in (
            [],
            ["stage_id"],
            ["stage_id", "date_in:month"],
            ["user_id", "stage_id"],
            ["date_in:year"],
            ["team_id", "stage_id"],
        ):
            self.assertIsNotNone(
                self.summary_plan(Report, [team], groupby, asked, (), 0, None, None)
            )
            self.assertEqual(
                Report._read_group([team], groupby, asked),
                Report._read_group([team, ROWS], groupby, asked),
                groupby,
            )
        # by hand: stage A reached by the five deals in March 2026, B by four
        cells = {
            (stage, month): (count, reached, won)
            for stage, month, count, reached, won in Report._read_group(
                [team], ["stage_id", "date_in:month"], ["__count", "reached:sum", "won:sum"]
            )
        }
        self.assertEqual(cells[self.a, datetime(2026, 3, 1)], (5, 5, 1))
        self.assertEqual(cells[self.b, datetime(2026, 3, 1)], (4, 4, 1))
        # the pivot's public call: same groups, same figures
        pivot = Report.read_group(
            [team], ["reached", "won_amount"], ["stage_id", "date_in:month"], lazy=False
        )
        rows = Report.read_group(
            [team, ROWS], ["reached", "won_amount"], ["stage_id", "date_in:month"], lazy=False
        )
        self.assertEqual(
            [(g["stage_id"], g["date_in:month"], g["reached"], g["won_amount"]) for g in pivot],
            [(g["stage_id"], g["date_in:month"], g["reached"], g["won_amount"]) for g in rows],
        )
        # a month that starts the filter, and one that ends it
        march = [
            team,
            ("date_in", ">=", "2026-03-01 00:00:00"),
            ("date_in", "<", "2026-04-01 00:00:00"),
        ]
        self.assertIsNotNone(
            self.summary_plan(Report, march, ["stage_id"], ["reached:sum"], (), 0, None, None)
        )
        self.assertEqual(
            Report._read_group(march, ["stage_id"], ["reached:sum"]),
            Report._read_group([*march, ROWS], ["stage_id"], ["reached:sum"]),
        )
        april = [team, ("date_in", ">=", "2026-04-01 00:00:00")]
        self.assertEqual(
            Report._read_group(april, [], ["reached:sum", "__count", "conversion_rate:avg"]),
            [(False, 0, False)],
            "no row: the empty values of a grouped read",
        )
        self.assertEqual(Report._read_group(april, ["stage_id"], ["reached:sum"]), [])

    def test_target_conversion_from_the_totals(self):
        """The plans' target conversion, averaged over the funnel rows of
        each group, from the totals, their months and the plans' in the
        totals' time zone: UTC, then Brussels; while the totals are still
        in another time zone than the setting's, the rows are read."""
        self.build()
        self.make_plan("Summary plan", date(2026, 3, 1), date(2026, 3, 31), (60, 50, 33.3))
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        self.env["crm.funnel.summary"]._sff_rebuild()
        Report = self.env["crm.funnel.report"].with_context(tz="UTC")
        team = ("team_id", "=", self.team.id)
        asked = ["target_conversion_rate:avg", "conversion_rate:avg", "reached:sum"]
        self.assertIsNotNone(
            self.summary_plan(Report, [team], ["stage_id"], asked, (), 0, None, None)
        )
        by_stage = Report._read_group([team], ["stage_id"], asked)
        # every deal reached its stages in March: each stage's own target, none for W
        self.assertEqual(
            [(stage, target) for stage, target, *_rest in by_stage],
            [(self.a, 60.0), (self.b, 50.0), (self.c, 33.3), (self.w, False)],
        )
        for groupby in ([], ["stage_id"], ["user_id"], ["date_in:month", "stage_id"]):
            totals = Report._read_group([team], groupby, asked)
            rows = Report._read_group([team, ROWS], groupby, asked)
            self.assertEqual(len(totals), len(rows), groupby)
            for total, row in zip(totals, rows):
                self.assertEqual(total[: len(groupby)], row[: len(groupby)])
                for value, expected in zip(total[len(groupby) :], row[len(groupby) :]):
                    if expected is False:
                        self.assertIs(value, False, groupby)
                    else:
                        self.assertAlmostEqual(value, expected, places=9, msg=groupby)
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Europe/Brussels")
        self.assertIsNone(
            self.summary_plan(Report, [team], ["stage_id"], asked, (), 0, None, None),
            "the totals' months are still UTC's",
        )
        self.env["crm.funnel.summary"]._sff_rebuild()
        Report = Report.with_context(tz="Europe/Brussels")
        self.assertIsNotNone(
            self.summary_plan(Report, [team], ["stage_id"], asked, (), 0, None, None)
        )
        self.assertEqual(Report._read_group([team], ["stage_id"], asked), by_stage)

    def test_target_conversion_of_the_month_in_the_totals_time_zone(self):
        """Funnel totals in Brussels, a team plan for April only (A 60 %):
        a deal that entered A at 23:30 UTC on March 31, 01:30 on April 1
        in Brussels, is April's, with April's target, in the rows and in
        the totals alike; one that entered at 21:30 UTC (23:30 in Brussels)
        is March's, without a target."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Europe/Brussels")
        self.env["crm.funnel.summary"]._sff_rebuild()
        self.make_plan("April", date(2026, 4, 1), date(2026, 4, 30), (60, 50, 40))
        self.set_now(datetime(2026, 3, 31, 23, 30))
        april = self.make_deal("April's", self.a, 1000)
        self.set_now(datetime(2026, 3, 31, 21, 30))
        march = self.make_deal("March's", self.a, 1000)
        self.end_request()
        Report = self.env["crm.funnel.report"].with_context(tz="Europe/Brussels")
        stage_a = [("stage_id", "=", self.a.id)]
        self.assertEqual(
            [
                (deal, row.target_conversion_rate)
                for deal in (april, march)
                for row in Report.search(stage_a + [("lead_id", "=", deal.id)])
            ],
            [(april, 60.0), (march, 0.0)],
        )
        asked = ["target_conversion_rate:avg", "reached:sum"]
        by_month = [("date_in:month", "stage_id"), stage_a]
        self.assertIsNotNone(
            self.summary_plan(Report, by_month[1], list(by_month[0]), asked, (), 0, None, None)
        )
        self.assertEqual(
            Report._read_group(by_month[1], list(by_month[0]), asked),
            Report._read_group(by_month[1] + [ROWS], list(by_month[0]), asked),
        )
        self.assertEqual(
            [
                (month, target)
                for month, _stage, target, _reached in Report._read_group(
                    by_month[1] + [("lead_id", "in", (april | march).ids)],
                    list(by_month[0]),
                    asked,
                )
            ],
            [(datetime(2026, 3, 1), False), (datetime(2026, 4, 1), 60.0)],
        )

    def test_what_the_totals_cannot_answer_reads_the_rows(self):
        Report = self.env["crm.funnel.report"].with_context(tz="UTC")
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        self.env["crm.funnel.summary"]._sff_rebuild()

        def plan(*args):
            return self.summary_plan(Report, *args)

        # the totals are read as superuser: conditions on the salesperson's
        # (or team's...) own fields would search them without this user's rules
        self.assertIsNone(
            plan([("user_id.login", "=", "sff_rep")], [], ["reached:sum"], (), 0, None, None)
        )
        self.assertIsNone(
            plan([("user_id", "ilike", "Rita")], [], ["reached:sum"], (), 0, None, None)
        )
        self.assertIsNotNone(
            plan([("user_id", "in", [self.rep.id, False])], [], ["reached:sum"], (), 0, None, None)
        )
        self.assertIsNone(plan([], ["date_in:day"], ["reached:sum"], (), 0, None, None), "days")
        self.assertIsNone(plan([], ["partner_id"], ["reached:sum"], (), 0, None, None), "customer")
        self.assertIsNone(
            plan([("source_id", "=", 1)], [], ["reached:sum"], (), 0, None, None), "filter"
        )
        self.assertIsNone(plan([], ["stage_id"], ["reached:max"], (), 0, None, None), "not a sum")
        self.assertIsNone(
            plan([], ["stage_id"], ["expected_revenue:sum"], (), 0, None, None), "not kept"
        )
        self.assertIsNone(
            plan([], ["stage_id"], ["reached:sum"], [("reached:sum", ">", 1)], 0, None, None)
        )
        self.assertIsNone(
            plan([], ["stage_id"], ["reached:sum"], (), 0, 10, None), "a page of groups"
        )
        self.assertIsNone(
            plan(
                [("date_in", ">=", "2026-03-02 00:00:00")], [], ["reached:sum"], (), 0, None, None
            ),
            "a day that starts no month",
        )
        self.assertIsNone(
            plan([("date_in", ">", "2026-03-01 00:00:00")], [], ["reached:sum"], (), 0, None, None)
        )
        # months in another time zone than the totals': read from the rows;
        # groups without a month do not depend on it
        brussels = Report.with_context(tz="Europe/Brussels")
        self.assertIsNone(
            self.summary_plan(brussels, [], ["date_in:month"], ["reached:sum"], (), 0, None, None)
        )
        self.assertIsNotNone(
            self.summary_plan(brussels, [], ["user_id"], ["reached:sum"], (), 0, None, None)
        )

    def test_salesperson_reads_own_totals(self):
        deals = self.build()
        (deals[3] | deals[4]).user_id = self.other_rep
        Report = self.env["crm.funnel.report"].with_user(self.rep).with_context(tz="UTC")
        team = ("team_id", "=", self.team.id)
        self.assertIsNotNone(
            self.summary_plan(Report, [team], ["stage_id"], ["reached:sum"], (), 0, None, None)
        )
        rows = Report._read_group([team], ["stage_id"], ["reached:sum"])
        # d1, d2 and d3 are the rep's: A reached by the three, B too (d2 skipped it on
        # its way to C), C by two (d1, d2), W by d1
        self.assertEqual(rows, [(self.a, 3), (self.b, 3), (self.c, 2), (self.w, 1)])
        self.assertEqual(rows, Report._read_group([team, ROWS], ["stage_id"], ["reached:sum"]))
        self.assertFalse(
            self.env["crm.funnel.summary"].with_user(self.rep).has_access("read"),
            "no access of the salesperson's own to everyone's totals",
        )

    def test_nobody_reads_the_totals_around_the_report_rules(self):
        """A rule added on the funnel report (here: one team only)
        holds on the pivots, whether they read the totals or the rows, and
        the totals cannot be read directly (RPC's search_read included)."""
        self.build()
        other_team = self.env["crm.team"].create({"name": "Summary Hidden Team"})
        self.make_deal("hidden", self.a, 900, team_id=other_team.id, user_id=self.other_rep.id)
        Summary = self.env["crm.funnel.summary"]
        for user in (self.rep, self.manager, self.env.ref("base.user_admin")):
            self.assertFalse(Summary.with_user(user).has_access("read"), user.name)
            with self.assertRaises(AccessError):
                Summary.with_user(user).search_read([], ["reached"])
        self.env["ir.rule"].create(
            {
                "name": "Funnel Analysis: the test team only",
                "model_id": self.env.ref("sales_funnel_forecast.model_crm_funnel_report").id,
                "domain_force": f"[('team_id', '=', {self.team.id})]",
            }
        )
        Report = self.env["crm.funnel.report"].with_user(self.manager).with_context(tz="UTC")
        self.assertIsNotNone(
            self.summary_plan(Report, [], ["team_id"], ["reached:sum"], (), 0, None, None),
            "a rule on the totals' own fields: read through them",
        )
        self.assertEqual(
            Report._read_group([], ["team_id"], ["reached:sum"]),
            [(self.team, 12)],
            "A 5, B 4, C 2, W 1",
        )
        self.assertEqual(
            Report._read_group([ROWS], ["team_id"], ["reached:sum"]), [(self.team, 12)]
        )
        # a rule the totals cannot apply sends the pivot to the rows
        self.env["ir.rule"].create(
            {
                "name": "Funnel Analysis: not the hidden customer",
                "model_id": self.env.ref("sales_funnel_forecast.model_crm_funnel_report").id,
                "domain_force": "[('partner_id', '=', False)]",
            }
        )
        self.assertIsNone(
            self.summary_plan(Report, [], ["team_id"], ["reached:sum"], (), 0, None, None)
        )
        self.assertEqual(Report._read_group([], ["team_id"], ["reached:sum"]), [(self.team, 12)])

    def test_truncated_funnel_rows_empty_the_totals(self):
        self.build()
        self.env["crm.lead.stage.reach"].flush_model()
        self.env.cr.execute("TRUNCATE crm_lead_stage_reach")
        self.assertEqual(self.totals(), ({}, {}), "no row, no total")
        self.env["crm.lead.stage.reach"]._sff_fill()
        self.assertTotalsFollow("rows written again after the truncation")
        # the deals truncated with CASCADE take their funnel rows with them
        self.env.cr.execute("SAVEPOINT truncate_deals")
        self.env.cr.execute("TRUNCATE crm_lead CASCADE")
        self.env.cr.execute("SELECT count(*) FROM crm_funnel_summary_delta")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("ROLLBACK TO SAVEPOINT truncate_deals")

    def test_fold_keeps_a_key_with_counts_and_no_reached(self):
        """A key where the totals say one won but nothing reached (a change
        whose rows went to another month than those it took away, as a
        change of time zone left them): the fold keeps it, where keeping
        only the keys with something reached dropped it."""
        self.build()
        self.env["crm.lead.stage.reach"].flush_model()
        self.env.cr.execute(
            SQL(
                "INSERT INTO crm_funnel_summary_delta (company_id, team_id, user_id, stage_id, month, %s) "
                "VALUES (%s, %s, %s, %s, '2025-12-01', %s)",
                SQL(", ").join(map(SQL.identifier, SUMMARY_MEASURES)),
                self.company.id,
                self.team.id,
                self.rep.id,
                self.a.id,
                SQL(", ").join(SQL("%s", 1 if name == "won" else 0) for name in SUMMARY_MEASURES),
            )
        )
        self.env["crm.funnel.summary"]._cron_compact()
        self.env.cr.execute(
            """SELECT count(*), sum(reached), sum(won) FROM crm_funnel_summary_delta
                WHERE stage_id = %s AND team_id = %s AND month = '2025-12-01'""",
            [self.a.id, self.team.id],
        )
        self.assertEqual(
            self.env.cr.fetchone(), (1, 0, 1), "the key kept: nothing reached, one won"
        )

    def test_other_company_rows_stay_out(self):
        self.build()
        other = self.env["res.company"].create({"name": "Summary Other Company"})
        # a deal of the other company, without a team: in the shared stages
        new = self.env.ref("crm.stage_lead1")
        self.make_deal("elsewhere", new, 7000, company_id=other.id, team_id=False, user_id=False)
        shared = [("stage_id", "=", new.id)]
        self.manager.company_ids |= other
        reached = {}
        for companies in ([self.company.id], [self.company.id, other.id]):
            Report = (
                self.env["crm.funnel.report"]
                .with_user(self.manager)
                .with_context(allowed_company_ids=companies)
            )
            [(reached[len(companies)], amount)] = Report._read_group(
                shared, [], ["reached:sum", "reached_amount:sum"]
            )
            self.assertEqual(
                Report._read_group([*shared, ROWS], [], ["reached:sum", "reached_amount:sum"]),
                [(reached[len(companies)], amount)],
                companies,
            )
        self.assertEqual(reached[2] - reached[1], 1, "the other company's deal, once it is allowed")

    def test_totals_keep_the_time_zone_they_were_worked_out_in(self):
        """A setting missing (deleted in the database: deleting it through
        Odoo keeps the one in force) falls back to the administrator's
        time zone, which saving the settings then keeps; as long as nothing
        works the totals out again, the pivots read them in the time zone
        they are in."""
        self.build()
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        Summary = self.env["crm.funnel.summary"]
        Summary._sff_rebuild()
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, False)
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param(TZ_PARAM), "UTC")
        self.env.cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [TZ_PARAM])
        self.env.registry.clear_cache()
        self.env.ref("base.user_admin").tz = "Asia/Tokyo"
        self.assertEqual((Summary._sff_tz(), Summary._sff_built_tz()), ("Asia/Tokyo", "UTC"))
        Report = self.env["crm.funnel.report"]
        self.assertIsNotNone(
            self.summary_plan(
                Report.with_context(tz="UTC"),
                [],
                ["date_in:month"],
                ["reached:sum"],
                (),
                0,
                None,
                None,
            )
        )
        self.assertIsNone(
            self.summary_plan(
                Report.with_context(tz="Asia/Tokyo"),
                [],
                ["date_in:month"],
                ["reached:sum"],
                (),
                0,
                None,
                None,
            )
        )
        # the settings saved: the job works the totals out in the time zone in force
        self.env["res.config.settings"].create({}).execute()
        self.assertEqual(Summary._sff_built_tz(), "UTC", "not in the request itself")
        # saved as the form showed it, the setting holds that time zone: the
        # administrator's own preferences no longer move the company's months
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param(TZ_PARAM), "Asia/Tokyo")
        self.env.ref("base.user_admin").tz = "America/Lima"
        self.assertEqual(Summary._sff_tz(), "Asia/Tokyo")
        Summary._sff_rebuild()
        self.assertEqual(Summary._sff_built_tz(), "Asia/Tokyo")
        self.assertTotalsFollow("months at midnight in Tokyo")

    def test_time_zone_setting_works_the_totals_out_again(self):
        self.build()
        Summary = self.env["crm.funnel.summary"]
        built = Summary._sff_built_tz()
        job = self.env.ref("sales_funnel_forecast.ir_cron_rebuild_funnel_summary")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", job.id)])
        settings = Form(self.env["res.config.settings"])
        # the form opens on the time zone in force and the one the totals are in
        self.assertEqual(settings.sff_funnel_summary_tz, Summary._sff_tz())
        self.assertEqual(settings.sff_funnel_summary_tz_built, built)
        settings.sff_funnel_summary_tz = "Pacific/Kiritimati"
        settings.save().execute()
        self.assertEqual(Summary._sff_tz(), "Pacific/Kiritimati")
        # the request only starts the job; until it ran, months in
        # Kiritimati are counted from the rows
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", job.id)]), triggers + 1
        )
        self.assertEqual(Summary._sff_built_tz(), built)
        Report = self.env["crm.funnel.report"].with_context(tz="Pacific/Kiritimati")
        team = ("team_id", "=", self.team.id)
        self.assertIsNone(
            self.summary_plan(Report, [team], ["date_in:month"], ["reached:sum"], (), 0, None, None)
        )
        self.assertEqual(
            self.env["res.config.settings"].create({}).sff_funnel_summary_tz_built, built
        )
        # what the job does once it holds the lock
        Summary._sff_rebuild()
        self.assertEqual(
            self.env["res.config.settings"].create({}).sff_funnel_summary_tz_built,
            "Pacific/Kiritimati",
        )
        self.assertTotalsFollow("months at midnight in Kiritimati (UTC+14)")
        self.assertIsNotNone(
            self.summary_plan(Report, [team], ["date_in:month"], ["reached:sum"], (), 0, None, None)
        )
        self.assertEqual(
            Report._read_group([team], ["stage_id", "date_in:month"], ["reached:sum"]),
            Report._read_group([team, ROWS], ["stage_id", "date_in:month"], ["reached:sum"]),
        )


@tagged("post_install", "-at_install")
class TestTimeZoneRebuildRace(TransactionCase):
    """The totals worked out again in another time zone while a rep moves a
    deal: two real transactions, each committed, as on a live server."""

    def setUp(self):
        super().setUp()
        # the job runs as a cron worker runs it, in a transaction of its own
        # (a test's thread keeps it in the one it has)
        self.patch(threading.current_thread(), "testing", False)

    def cursor(self):
        return committing_cursor(self.registry)

    def run_sql(self, query, params=()):
        with self.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None

    def totals_and_rows(self, tz):
        with self.cursor() as cr:
            return totals_and_rows(cr, tz)

    def race(self, rebuild):
        """A rebuild into Kiritimati (UTC+14) that read before a rep's move
        was committed: the move opens a stay on 31 January 2026 at noon UTC,
        1 February in Kiritimati. ``rebuild(env)`` is what the job does in
        its transaction. Returns the deal's team."""
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.funnel.summary"]._sff_rebuild("UTC")
            env["ir.config_parameter"].set_param(TZ_PARAM, "Pacific/Kiritimati")
        job_cr = self.cursor()
        try:
            job_env = api.Environment(job_cr, SUPERUSER_ID, {})
            # the job's runner reads first (its server action, the job's row)
            job_env["crm.funnel.summary"]._sff_tz()
            job_cr.execute("SELECT count(*) FROM crm_lead_stage_reach")
            with self.cursor() as rep_cr:
                env = api.Environment(rep_cr, SUPERUSER_ID, {})
                team, deal = team_and_deal(env, "Race across a month", expected_revenue=700)
                env.flush_all()
                env["crm.lead.stage.history"]._sff_flush_pending()
                rep_cr.execute(
                    "UPDATE crm_lead_stage_history SET date_in = '2026-01-31 12:00:00' "
                    "WHERE lead_id = %s",
                    [deal.id],
                )
                env["crm.lead.stage.reach"]._sff_rebuild([deal.id])
                team_id = team.id
            rebuild(job_env)
            job_cr.commit()
        finally:
            job_cr.close()
        with self.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["crm.funnel.summary"]._cron_compact()
        return team_id

    def test_a_rebuild_into_another_time_zone_keeps_a_move_committed_meanwhile(self):
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            setting = env["ir.config_parameter"].get_param(TZ_PARAM)
            built = env["crm.funnel.summary"]._sff_built_tz()
        team_ids = []
        try:
            # the control: a rebuild whose lock comes after its snapshot
            # leaves the move's totals in January, in UTC
            team_ids.append(self.race(lambda env: env["crm.funnel.summary"]._sff_rebuild()))
            kept, rows = self.totals_and_rows("Pacific/Kiritimati")
            self.assertNotEqual(kept, rows, "the race happened")
            self.assertEqual({key[4] for key in kept if key[1] == team_ids[-1]}, {date(2026, 1, 1)})
            # the job: its transaction starts with the lock
            team_ids.append(self.race(lambda env: env["crm.funnel.summary"]._cron_rebuild()))
            kept, rows = self.totals_and_rows("Pacific/Kiritimati")
            self.assertEqual(kept, rows)
            self.assertEqual({key[4] for key in kept if key[1] == team_ids[-1]}, {date(2026, 2, 1)})
        finally:
            with self.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.lead"].with_context(active_test=False).search(
                    [("team_id", "in", team_ids)]
                ).unlink()
                env["crm.team"].browse(team_ids).exists().unlink()
                env["ir.config_parameter"].set_param(TZ_PARAM, setting or False)
                env["crm.funnel.summary"]._sff_rebuild(built)
