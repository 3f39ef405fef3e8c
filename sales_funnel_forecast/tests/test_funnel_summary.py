# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo.tests import Form, tagged
from odoo.tools import SQL

from ..models.res_config_settings import TZ_PARAM
from ..reports.crm_funnel_summary import SUMMARY_MEASURES
from .test_funnel_report import FunnelReportCase

SUMS = [f"{name}:sum" for name in SUMMARY_MEASURES]
# a filter that every funnel row passes and that the monthly totals cannot
# answer: the grouped read then counts the rows
ROWS = ("lead_id", "!=", False)


@tagged("post_install", "-at_install")
class TestFunnelSummary(FunnelReportCase):
    """The funnel's monthly totals follow the funnel rows on every path, and
    the funnel pivots read them with the rows' figures."""

    def totals(self):
        """The monthly totals as PostgreSQL keeps them, against the same
        totals worked out from the funnel rows now: two dicts keyed by
        company, team, salesperson, stage and month."""
        self.env["crm.lead.stage.reach"].flush_model()
        cr = self.env.cr
        tz = self.env["crm.funnel.summary"]._sff_tz()
        measures = SQL(", ").join(SQL("SUM(%s)", SQL.identifier(name)) for name in SUMMARY_MEASURES)
        cr.execute(SQL("""SELECT company_id, team_id, user_id, stage_id, month, %s
                            FROM crm_funnel_summary_delta
                        GROUP BY 1, 2, 3, 4, 5 HAVING SUM(reached) <> 0""", measures))
        kept = {row[:5]: tuple(round(value, 2) for value in row[5:]) for row in cr.fetchall()}
        # the same totals straight from the funnel report's rows
        cr.execute(SQL("""SELECT company_id, team_id, user_id, stage_id,
                                 date_trunc('month', timezone(%s, timezone('UTC', date_in)))::date, %s
                            FROM crm_funnel_report GROUP BY 1, 2, 3, 4, 5""", tz, measures))
        rows = {row[:5]: tuple(round(value, 2) for value in row[5:]) for row in cr.fetchall()}
        return kept, rows

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

    def test_compaction_keeps_the_totals_in_fewer_rows(self):
        deals = self.build()
        deals[2].stage_id = self.b
        deals[2].stage_id = self.a
        self.env["crm.lead.stage.reach"].flush_model()
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
        asked = ["__count", *SUMS, "conversion_rate:avg", "entered_conversion_rate:avg", "win_rate:avg"]
        for groupby in ([], ["stage_id"], ["stage_id", "date_in:month"], ["user_id", "stage_id"],
                        ["date_in:year"], ["team_id", "stage_id"]):
            self.assertIsNotNone(Report._sff_summary_plan([team], groupby, asked, (), 0, None, None))
            self.assertEqual(Report._read_group([team], groupby, asked),
                             Report._read_group([team, ROWS], groupby, asked), groupby)
        # by hand: stage A reached by the five deals in March 2026, B by four
        cells = {(stage, month): (count, reached, won) for stage, month, count, reached, won
                 in Report._read_group([team], ["stage_id", "date_in:month"],
                                       ["__count", "reached:sum", "won:sum"])}
        self.assertEqual(cells[self.a, datetime(2026, 3, 1)], (5, 5, 1))
        self.assertEqual(cells[self.b, datetime(2026, 3, 1)], (4, 4, 1))
        # the pivot's public call: same groups, same figures
        pivot = Report.read_group([team], ["reached", "won_amount"], ["stage_id", "date_in:month"], lazy=False)
        rows = Report.read_group([team, ROWS], ["reached", "won_amount"], ["stage_id", "date_in:month"],
                                 lazy=False)
        self.assertEqual([(g["stage_id"], g["date_in:month"], g["reached"], g["won_amount"]) for g in pivot],
                         [(g["stage_id"], g["date_in:month"], g["reached"], g["won_amount"]) for g in rows])
        # a month that starts the filter, and one that ends it
        march = [team, ("date_in", ">=", "2026-03-01 00:00:00"), ("date_in", "<", "2026-04-01 00:00:00")]
        self.assertIsNotNone(Report._sff_summary_plan(march, ["stage_id"], ["reached:sum"], (), 0, None, None))
        self.assertEqual(Report._read_group(march, ["stage_id"], ["reached:sum"]),
                         Report._read_group([*march, ROWS], ["stage_id"], ["reached:sum"]))
        april = [team, ("date_in", ">=", "2026-04-01 00:00:00")]
        self.assertEqual(Report._read_group(april, [], ["reached:sum", "__count", "conversion_rate:avg"]),
                         [(False, 0, False)], "no row: the empty values of a grouped read")
        self.assertEqual(Report._read_group(april, ["stage_id"], ["reached:sum"]), [])

    def test_target_conversion_from_the_totals(self):
        """The plans' target conversion, averaged over the funnel rows of
        each group, from the totals in UTC; in another time zone the
        totals' months are not the plans' and the rows are read."""
        self.build()
        self.make_plan("Summary plan", date(2026, 3, 1), date(2026, 3, 31), (60, 50, 33.3))
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        self.env["crm.funnel.summary"]._sff_rebuild()
        Report = self.env["crm.funnel.report"].with_context(tz="UTC")
        team = ("team_id", "=", self.team.id)
        asked = ["target_conversion_rate:avg", "conversion_rate:avg", "reached:sum"]
        self.assertIsNotNone(Report._sff_summary_plan([team], ["stage_id"], asked, (), 0, None, None))
        by_stage = Report._read_group([team], ["stage_id"], asked)
        # every deal reached its stages in March: each stage's own target, none for W
        self.assertEqual([(stage, target) for stage, target, *_rest in by_stage],
                         [(self.a, 60.0), (self.b, 50.0), (self.c, 33.3), (self.w, False)])
        for groupby in ([], ["stage_id"], ["user_id"], ["date_in:month", "stage_id"]):
            totals = Report._read_group([team], groupby, asked)
            rows = Report._read_group([team, ROWS], groupby, asked)
            self.assertEqual(len(totals), len(rows), groupby)
            for total, row in zip(totals, rows):
                self.assertEqual(total[:len(groupby)], row[:len(groupby)])
                for value, expected in zip(total[len(groupby):], row[len(groupby):]):
                    if expected is False:
                        self.assertIs(value, False, groupby)
                    else:
                        self.assertAlmostEqual(value, expected, places=9, msg=groupby)
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Europe/Brussels")
        self.env["crm.funnel.summary"]._sff_rebuild()
        self.assertIsNone(Report._sff_summary_plan([team], ["stage_id"], asked, (), 0, None, None))

    def test_what_the_totals_cannot_answer_reads_the_rows(self):
        Report = self.env["crm.funnel.report"].with_context(tz="UTC")
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        self.env["crm.funnel.summary"]._sff_rebuild()
        plan = Report._sff_summary_plan
        # the totals are read as superuser: conditions on the salesperson's
        # (or team's...) own fields would search them without this user's rules
        self.assertIsNone(plan([("user_id.login", "=", "sff_rep")], [], ["reached:sum"], (), 0, None, None))
        self.assertIsNone(plan([("user_id", "ilike", "Rita")], [], ["reached:sum"], (), 0, None, None))
        self.assertIsNotNone(plan([("user_id", "in", [self.rep.id, False])], [], ["reached:sum"], (), 0, None, None))
        self.assertIsNone(plan([], ["date_in:day"], ["reached:sum"], (), 0, None, None), "days")
        self.assertIsNone(plan([], ["partner_id"], ["reached:sum"], (), 0, None, None), "customer")
        self.assertIsNone(plan([("source_id", "=", 1)], [], ["reached:sum"], (), 0, None, None), "filter")
        self.assertIsNone(plan([], ["stage_id"], ["reached:max"], (), 0, None, None), "not a sum")
        self.assertIsNone(plan([], ["stage_id"], ["expected_revenue:sum"], (), 0, None, None), "not kept")
        self.assertIsNone(plan([], ["stage_id"], ["reached:sum"], [("reached:sum", ">", 1)], 0, None, None))
        self.assertIsNone(plan([], ["stage_id"], ["reached:sum"], (), 0, 10, None), "a page of groups")
        self.assertIsNone(plan([("date_in", ">=", "2026-03-02 00:00:00")], [], ["reached:sum"], (), 0, None, None),
                          "a day that starts no month")
        self.assertIsNone(plan([("date_in", ">", "2026-03-01 00:00:00")], [], ["reached:sum"], (), 0, None, None))
        # months in another time zone than the totals': read from the rows;
        # groups without a month do not depend on it
        brussels = Report.with_context(tz="Europe/Brussels")
        self.assertIsNone(brussels._sff_summary_plan([], ["date_in:month"], ["reached:sum"], (), 0, None, None))
        self.assertIsNotNone(brussels._sff_summary_plan([], ["user_id"], ["reached:sum"], (), 0, None, None))

    def test_salesperson_reads_own_totals(self):
        deals = self.build()
        (deals[3] | deals[4]).user_id = self.other_rep
        Report = self.env["crm.funnel.report"].with_user(self.rep).with_context(tz="UTC")
        team = ("team_id", "=", self.team.id)
        self.assertIsNotNone(Report._sff_summary_plan([team], ["stage_id"], ["reached:sum"], (), 0, None, None))
        rows = Report._read_group([team], ["stage_id"], ["reached:sum"])
        # d1, d2 and d3 are the rep's: A reached by the three, B too (d2 skipped it on
        # its way to C), C by two (d1, d2), W by d1
        self.assertEqual(rows, [(self.a, 3), (self.b, 3), (self.c, 2), (self.w, 1)])
        self.assertEqual(rows, Report._read_group([team, ROWS], ["stage_id"], ["reached:sum"]))
        self.assertFalse(self.env["crm.funnel.summary"].with_user(self.rep).has_access("read"),
                         "no access of the salesperson's own to everyone's totals")

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
            Report = self.env["crm.funnel.report"].with_user(self.manager).with_context(
                allowed_company_ids=companies)
            [(reached[len(companies)], amount)] = Report._read_group(
                shared, [], ["reached:sum", "reached_amount:sum"])
            self.assertEqual(Report._read_group([*shared, ROWS], [], ["reached:sum", "reached_amount:sum"]),
                             [(reached[len(companies)], amount)], companies)
        self.assertEqual(reached[2] - reached[1], 1, "the other company's deal, once it is allowed")

    def test_totals_keep_the_time_zone_they_were_worked_out_in(self):
        """Clearing the setting falls back to the administrator's time zone;
        as long as nothing works the totals out again, the pivots read them
        in the time zone they are in."""
        self.build()
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        Summary = self.env["crm.funnel.summary"]
        Summary._sff_rebuild()
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, False)
        self.env.ref("base.user_admin").tz = "Asia/Tokyo"
        self.assertEqual((Summary._sff_tz(), Summary._sff_built_tz()), ("Asia/Tokyo", "UTC"))
        Report = self.env["crm.funnel.report"]
        self.assertIsNotNone(Report.with_context(tz="UTC")._sff_summary_plan(
            [], ["date_in:month"], ["reached:sum"], (), 0, None, None))
        self.assertIsNone(Report.with_context(tz="Asia/Tokyo")._sff_summary_plan(
            [], ["date_in:month"], ["reached:sum"], (), 0, None, None))
        # the settings saved: the totals follow the time zone in force
        self.env["res.config.settings"].create({}).execute()
        self.assertEqual(Summary._sff_built_tz(), "Asia/Tokyo")
        self.assertTotalsFollow("months at midnight in Tokyo")

    def test_time_zone_setting_works_the_totals_out_again(self):
        self.build()
        settings = Form(self.env["res.config.settings"])
        settings.sff_funnel_summary_tz = "Pacific/Kiritimati"
        settings.save().execute()
        self.assertEqual(self.env["crm.funnel.summary"]._sff_tz(), "Pacific/Kiritimati")
        self.assertTotalsFollow("months at midnight in Kiritimati (UTC+14)")
        Report = self.env["crm.funnel.report"].with_context(tz="Pacific/Kiritimati")
        team = ("team_id", "=", self.team.id)
        self.assertIsNotNone(Report._sff_summary_plan([team], ["date_in:month"], ["reached:sum"], (), 0, None, None))
        self.assertEqual(Report._read_group([team], ["stage_id", "date_in:month"], ["reached:sum"]),
                         Report._read_group([team, ROWS], ["stage_id", "date_in:month"], ["reached:sum"]))
