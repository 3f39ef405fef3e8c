# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The dashboard's periods and the sales process report on the days of the
funnel totals' time zone and the readers', and the targets of other
teams' plans kept to their readers."""

from datetime import date, datetime

from odoo.tests import tagged

from ..const import TZ_PARAM
from .common import company_user, make_plan
from .test_funnel_report import FunnelReportCase


@tagged("post_install", "-at_install")
class TestReportPaths(FunnelReportCase):
    def test_dashboard_month_is_the_pivot_month(self):
        """Funnel totals and the manager in Paris: a deal created at 01:30 on
        1 April in Paris (23:30 UTC on 31 March) reached its first stage in
        April, as the Funnel pivot grouped by month shows. The dashboard's
        April (custom period 2026-04-01 to 2026-05-01) must count it too."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Europe/Paris")
        self.env["crm.funnel.summary"]._sff_rebuild()
        self.set_now(datetime(2026, 3, 31, 23, 30))
        deal = self.make_deal("paths April fool", self.a, 1000)
        self.set_now(datetime(2026, 4, 10, 9, 0))
        deal.stage_id = self.b
        self.end_request()
        Report = (
            self.env["crm.funnel.report"].with_user(self.manager).with_context(tz="Europe/Paris")
        )
        pivot = {
            (stage.id, month): reached
            for stage, month, reached in Report._read_group(
                [("team_id", "=", self.team.id)], ["stage_id", "date_in:month"], ["reached:sum"]
            )
        }
        april = datetime(2026, 4, 1)
        self.assertEqual(pivot, {(self.a.id, april): 1, (self.b.id, april): 1}, "the pivot")
        Dashboard = (
            self.env["crm.funnel.dashboard"].with_user(self.manager).with_context(tz="Europe/Paris")
        )
        data = Dashboard.get_funnel_dashboard(
            {
                "team_id": self.team.id,
                "period": "custom",
                "date_from": "2026-04-01",
                "date_to": "2026-05-01",
            }
        )
        reached = {row["stage_id"]: row["reached"] for row in data["funnels"][0]["stages"]}
        self.assertEqual(
            reached, {self.a.id: 1, self.b.id: 1}, "the dashboard's April, as the pivot's"
        )

    def test_dashboard_reads_the_monthly_totals_in_their_time_zone(self):
        """The README: "The funnel's pivots, graphs and dashboard read monthly
        totals". With the totals in Brussels (the demo database's setting),
        the dashboard's April is a month of the totals, which answer it."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Europe/Brussels")
        self.env["crm.funnel.summary"]._sff_rebuild()
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        domain = Dashboard._sff_funnel_domain(self.team.id, date(2026, 4, 1), date(2026, 5, 1))
        Report = (
            self.env["crm.funnel.report"].with_user(self.manager).with_context(tz="Europe/Brussels")
        )
        self.assertIsNotNone(
            self.env["crm.funnel.summary"]._sff_plan(
                Report, domain, ["team_id", "stage_id"], ["reached:sum"], (), 0, None, None
            ),
            f"the dashboard's April {domain} read from the totals",
        )

    def test_sales_process_month_target_in_the_readers_time_zone(self):
        """120,000 at 1,000 a deal, 20 % won: 50 prospects a month. A
        manager in New York grouping the sales process by month reads
        January's 50, and nothing in December before the plan starts."""
        plan = make_plan(self.env, self.team, name="Paths plan")
        self.assertEqual(plan.month_period_ids.sorted("date_from")[0].leads_needed, 50)
        found = {}
        for tz in ("America/New_York", "Europe/Paris", "Asia/Shanghai"):
            Report = self.env["crm.sales.process.report"].with_context(tz=tz)
            months = dict(
                Report._read_group(
                    [("kind", "=", "target"), ("team_id", "=", self.team.id)],
                    ["date:month"],
                    ["target_new_count:sum"],
                )
            )
            found[tz] = (
                round(months.get(datetime(2026, 12, 1), 0.0), 2),
                round(months.get(datetime(2027, 1, 1), 0.0), 2),
            )
        self.assertEqual(
            found,
            dict.fromkeys(found, (0.0, 50.0)),
            "(December 2026, January 2027) as each reader groups them: nothing, then 50",
        )

    def test_sales_process_groups_days_in_the_readers_time_zone(self):
        """A deal created on Monday 2 March 2026 at 09:00 in Shanghai
        (01:00 UTC), and one created on 1 April at 01:30 in Paris (23:30
        UTC on 31 March): the funnel report puts them on the Monday and in
        April for those readers; the sales process must too."""
        self.set_now(datetime(2026, 3, 2, 1, 0))
        morning = self.make_deal("paths Shanghai morning", self.a, 1000)
        self.set_now(datetime(2026, 3, 31, 23, 30))
        night = self.make_deal("paths Paris night", self.a, 1000)
        self.end_request()
        cases = (
            (morning, "Asia/Shanghai", "day", datetime(2026, 3, 2)),
            (night, "Europe/Paris", "month", datetime(2026, 4, 1)),
        )
        funnel, process = {}, {}
        for deal, tz, granularity, expected in cases:
            funnel[deal.name] = (
                self.env["crm.funnel.report"]
                .with_context(tz=tz)
                ._read_group(
                    [("lead_id", "=", deal.id)], [f"date_in:{granularity}"], ["reached:sum"]
                )
            )
            process[deal.name] = (
                self.env["crm.sales.process.report"]
                .with_context(tz=tz)
                ._read_group(
                    [("lead_id", "=", deal.id), ("kind", "=", "reached")],
                    [f"date:{granularity}"],
                    ["reached_count:sum"],
                )
            )
            self.assertEqual(funnel[deal.name], [(expected, 1)], "the funnel report")
        self.assertEqual(process, funnel, "the sales process, as the funnel report")

    # ------------------------------------------------------------------
    # Sales process: another team's targets, which the rep may not read
    # ------------------------------------------------------------------
    def test_sales_process_keeps_other_teams_targets_to_their_readers(self):
        """Reps read the target plans of their teams and their own (the
        plans' record rules); the sales process report must not show a rep
        the daily targets of another team's plan."""
        other_team = self.env["crm.team"].create({"name": "Paths Other Team"})
        make_plan(self.env, other_team, name="Paths other team's plan")
        self.end_request()
        self.assertNotIn(self.rep, other_team.member_ids)
        as_rep = self.env(user=self.rep)
        self.assertFalse(
            as_rep["crm.target.plan"].search([("team_id", "=", other_team.id)]),
            "the plan is not the rep's to read",
        )
        self.assertFalse(
            as_rep["crm.target.plan.period"].search([("team_id", "=", other_team.id)]),
            "nor its figures",
        )
        self.assertEqual(
            as_rep["crm.sales.process.report"]._read_group(
                [("kind", "=", "target"), ("team_id", "=", other_team.id)],
                [],
                ["target_new_count:sum"],
            ),
            [(0.0,)],
            "nor the report's rows of it",
        )

    def test_adoption_counts_in_the_company_of_the_work(self):
        """A rep of companies A (default) and B works in a team of B: the
        manager of B sees the rep's calls and moves on B's deals in the
        adoption report."""
        company_a = self.company
        company_b = self.env["res.company"].create({"name": "Paths Company B"})
        rep = company_user(
            self.env,
            "paths_rep_b",
            "Bea Rep",
            "sales_team.group_sale_salesman",
            company_a | company_b,
        )
        manager_b = company_user(
            self.env, "paths_mgr_b", "Bo Manager", "sales_team.group_sale_manager", company_b
        )
        team_b = self.env["crm.team"].create({"name": "Paths Team B", "company_id": company_b.id})
        stage1, stage2 = self.env.ref("crm.stage_lead1"), self.env.ref("crm.stage_lead2")
        deal = self.env["crm.lead"].create(
            {
                "name": "Paths deal of B",
                "type": "opportunity",
                "team_id": team_b.id,
                "company_id": company_b.id,
                "user_id": rep.id,
                "stage_id": stage1.id,
            }
        )
        self.end_request()
        as_rep = self.env(
            user=rep,
            context=dict(self.env.context, allowed_company_ids=[company_b.id, company_a.id]),
        )
        as_rep["crm.lead"].browse(deal.id).stage_id = stage2
        as_rep["crm.lead.call"].create({"lead_id": deal.id, "outcome": "conversation"})
        self.end_request()
        self.assertEqual(deal.company_id, company_b)
        # the call and the move are there, for a manager of both companies
        self.assertEqual(
            self.env["crm.adoption.report"]
            .with_context(allowed_company_ids=[company_a.id, company_b.id])
            ._read_group(
                [("user_id", "=", rep.id)], ["company_id"], ["call_count:sum", "move_count:sum"]
            ),
            [(company_b, 1, 1)],
            "counted in B, where the work was done, not in the rep's default company A",
        )
        Adoption = (
            self.env["crm.adoption.report"]
            .with_user(manager_b)
            .with_context(allowed_company_ids=[company_b.id])
        )
        self.assertEqual(
            Adoption._read_group(
                [("user_id", "=", rep.id)], [], ["call_count:sum", "move_count:sum"]
            ),
            [(1, 1)],
            "B's manager sees the call and the move made on B's deal",
        )
