# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
from datetime import date

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import tagged

from ..tools.days import local_today
from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestHistoryAccess(FunnelCase):
    def test_rep_sees_own_deals_history_only(self):
        mine = self.make_deal("Mine", self.s_new, user_id=self.rep.id)
        mine.stage_id = self.s_qualified
        theirs = self.make_deal("Theirs", self.s_new, user_id=self.other_rep.id)
        unassigned = self.make_deal("Nobody's", self.s_new, user_id=False)
        History = self.env["crm.lead.stage.history"]
        domain = [("lead_id", "in", (mine | theirs | unassigned).ids)]
        seen = History.with_user(self.rep).search(domain)
        self.assertEqual(seen.lead_id, mine | unassigned)
        self.assertEqual(len(seen), 3)
        # the analysis (read_group) obeys the same rule
        count = History.with_user(self.rep)._read_group(domain, [], ["__count"])[0][0]
        self.assertEqual(count, 3)
        self.assertEqual(len(History.with_user(self.manager).search(domain)), 4)

    def test_lost_deal_history_stays_visible_to_its_rep(self):
        deal = self.make_deal("Lost", self.s_new, user_id=self.rep.id)
        deal.action_set_lost()
        rows = (
            self.env["crm.lead.stage.history"]
            .with_user(self.rep)
            .search([("lead_id", "=", deal.id)])
        )
        self.assertEqual(len(rows), 1)

    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "Funnel Other Co"})
        deal = self.make_deal(
            "Other company", self.s_new, company_id=other_company.id, user_id=False
        )
        here_only = company_user(
            self.env, "sff_here_only", "Manager Here", "sales_team.group_sale_manager", self.company
        )
        History = self.env["crm.lead.stage.history"]
        self.assertFalse(History.with_user(here_only).search([("lead_id", "=", deal.id)]))
        self.assertEqual(deal.stage_history_ids.company_id, other_company)

    def test_forecast_records_stay_in_their_company(self):
        """A manager of one company reads none of another company's forecast
        versions, pipeline snapshots, accuracy lines, submissions,
        adjustments or deal-flow rows; one of both companies reads them while
        that company is among the active ones."""
        other = self.env["res.company"].create({"name": "Forecast Other Co"})
        team = self.env["crm.team"].create({"name": "Other Co Team", "company_id": other.id})
        deal = self.make_deal(
            "Other co deal",
            self.s_new,
            500,
            company_id=other.id,
            team_id=team.id,
            user_id=False,
            date_deadline=fields.Date.today(),
        )
        # the snapshot of the pipeline as it stands at tomorrow's start (in
        # the funnel totals' time zone, where tomorrow may start within
        # the hour before midnight UTC)
        self.env["crm.pipeline.snapshot"]._sff_take([local_today(self.env) + relativedelta(days=1)])
        self.env.cr.execute(
            """INSERT INTO crm_forecast_accuracy_report
                   (company_id, team_id, period_type, date_from, lead_days, method)
               VALUES (%s, %s, 'month', %s, 0, 'commit')""",
            [other.id, team.id, fields.Date.today().replace(day=1)],
        )
        submission = self.env["crm.forecast.submission"].create(
            {
                "user_id": self.env.uid,
                "team_id": team.id,
                "company_id": other.id,
                "commit_amount": 100,
                "best_case_amount": 200,
            }
        )
        self.env["crm.forecast.adjustment"].create(
            {
                "submission_id": submission.id,
                "commit_amount": 80,
                "best_case_amount": 200,
                "reason": "Other company's adjustment",
            }
        )
        here_only = company_user(
            self.env,
            "sff_forecast_here_only",
            "Forecast Manager Here",
            "sales_team.group_sale_manager",
            self.company,
        )
        both = company_user(
            self.env,
            "sff_forecast_both",
            "Forecast Manager of Both",
            "sales_team.group_sale_manager",
            self.company | other,
        )
        theirs = {
            "crm.lead.forecast.version": [("lead_id", "=", deal.id)],
            "crm.pipeline.snapshot": [("company_id", "=", other.id)],
            "crm.forecast.accuracy.report": [("company_id", "=", other.id)],
            "crm.forecast.submission": [("company_id", "=", other.id)],
            "crm.forecast.adjustment": [("company_id", "=", other.id)],
        }
        for model, domain in theirs.items():
            self.assertTrue(self.env[model].search(domain), model)
            self.assertFalse(self.env[model].with_user(here_only).search(domain), model)
            self.assertTrue(
                self.env[model]
                .with_user(both)
                .with_context(allowed_company_ids=[self.company.id, other.id])
                .search(domain),
                model,
            )
            self.assertFalse(
                self.env[model]
                .with_user(both)
                .with_context(allowed_company_ids=[self.company.id])
                .search(domain),
                model,
            )
        # the deal flow's rows, written for the manager of both companies
        Wizard = (
            self.env["crm.deal.flow.wizard"]
            .with_user(both)
            .with_context(allowed_company_ids=[self.company.id, other.id])
        )
        today = fields.Date.today()
        wizard = Wizard.create(
            {
                "team_id": team.id,
                "date_from": today.replace(day=1),
                "date_to": today.replace(day=1) + relativedelta(months=1),
            }
        )
        domain = wizard.action_open_report()["domain"] + [("lead_id", "=", deal.id)]
        Flow = self.env["crm.deal.flow.report"].with_user(both)
        self.assertTrue(
            Flow.with_context(allowed_company_ids=[self.company.id, other.id]).search(domain)
        )
        self.assertFalse(Flow.with_context(allowed_company_ids=[self.company.id]).search(domain))

    def test_plan_lines_and_call_counts_stay_in_their_company_and_plan(self):
        """A plan's stage conversions, seasons and origins are read as the
        plan is: not by a rep of another company, not by a rep whom
        another rep's personal plan is not for, a team's plan by its
        members; managers read those of their companies. The daily call
        counts stay in their company."""
        other = self.env["res.company"].create({"name": "Plan Other Co"})

        def plan(name, company, user=False, team=False):
            return self.env["crm.target.plan"].create(
                {
                    "name": name,
                    "company_id": company.id,
                    "user_id": user and user.id,
                    "team_id": team and team.id,
                    "date_from": date(2026, 1, 1),
                    "date_to": date(2026, 12, 31),
                    "revenue_target": 100000,
                    "average_deal_value": 1000,
                    "stage_line_ids": [
                        Command.create({"stage_id": self.s_new.id, "conversion": 42})
                    ],
                    "origin_line_ids": [
                        Command.create({"origin_type": "seed", "share": 100, "win_rate": 20})
                    ],
                }
            )

        elsewhere = plan("Other co plan", other)
        personal = plan("Rita's own plan", self.company, self.other_rep)
        self.assertTrue(elsewhere.season_ids and personal.season_ids)
        here_rep = company_user(
            self.env,
            "sff_plan_here_rep",
            "Rep Here",
            "sales_team.group_sale_salesman",
            self.company,
        )
        here_manager = company_user(
            self.env,
            "sff_plan_here_mgr",
            "Manager Here",
            "sales_team.group_sale_manager",
            self.company,
        )
        # a team's plan: its members read it
        team = self.env["crm.team"].create({"name": "Plan Team", "company_id": self.company.id})
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": here_rep.id})
        teams = plan("Plan Team's plan", self.company, team=team)
        for model, lines in (
            ("crm.target.plan.stage", "stage_line_ids"),
            ("crm.target.plan.season", "season_ids"),
            ("crm.target.plan.origin", "origin_line_ids"),
        ):
            Lines = self.env[model]
            domain = [("plan_id", "in", (elsewhere | personal | teams).ids)]
            self.assertEqual(Lines.with_user(here_rep).search(domain), teams[lines], model)
            self.assertEqual(Lines.with_user(self.other_rep).search(domain), personal[lines], model)
            self.assertEqual(
                Lines.with_user(here_manager).search(domain), personal[lines] | teams[lines], model
            )
            self.assertEqual(
                Lines.search(domain), elsewhere[lines] | personal[lines] | teams[lines], model
            )
        # the daily call counts: one day of the other company's calls
        self.env.flush_all()
        self.env.cr.execute(
            """INSERT INTO crm_lead_call_day (user_id, day, outcome, company_id, call_count,
                                              conversation_count, duration_minutes)
               VALUES (%s, '2026-03-02', 'no_answer', %s, 7, 0, 0)""",
            [self.other_rep.id, other.id],
        )
        Days = self.env["crm.lead.call.day"]
        domain = [("company_id", "=", other.id)]
        self.assertFalse(Days.with_user(here_manager).search(domain))
        both = company_user(
            self.env,
            "sff_plan_both_mgr",
            "Manager Both",
            "sales_team.group_sale_manager",
            self.company | other,
        )
        self.assertEqual(Days.with_user(both).search(domain).call_count, 7)


@tagged("post_install", "-at_install")
class TestReportAccess(FunnelCase):
    """A rep limited to own documents sees own (and unassigned) deals only,
    in every report, the dashboard, the PDF and the spreadsheet."""

    def setUp(self):
        super().setUp()
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.mine = self.make_deal("Mine", self.s_new, 1000, user_id=self.rep.id)
        self.mine.stage_id = self.s_qualified
        self.theirs = self.make_deal("Theirs", self.s_new, 2000, user_id=self.other_rep.id)
        self.theirs.stage_id = self.s_proposal

    def test_every_report_holds_own_deals_only(self):
        deals = self.mine | self.theirs
        for model in (
            "crm.funnel.report",
            "crm.forecast.report",
            "crm.lead.source.report",
            "crm.sales.process.report",
            "crm.rep.comparison.report",
        ):
            Report = self.env[model]
            seen = Report.with_user(self.rep).search([("lead_id", "in", deals.ids)]).lead_id
            self.assertEqual(seen, self.mine, model)
            self.assertEqual(
                Report.with_user(self.manager).search([("lead_id", "in", deals.ids)]).lead_id,
                deals,
                model,
            )

    def test_dashboard_and_exports_hold_own_deals_only(self):
        params = {"team_id": self.team.id, "period": "all"}
        rep_data = self.env["crm.funnel.dashboard"].with_user(self.rep).get_funnel_dashboard(params)
        manager_data = (
            self.env["crm.funnel.dashboard"].with_user(self.manager).get_funnel_dashboard(params)
        )
        self.assertEqual([row["reached"] for row in rep_data["funnels"][0]["stages"]], [1, 1])
        self.assertEqual(
            [row["reached"] for row in manager_data["funnels"][0]["stages"]], [2, 2, 1]
        )
        self.assertEqual(rep_data["forecast"]["forecast"], 300.0)
        self.assertEqual(manager_data["forecast"]["forecast"], 300.0 + 1200.0)
        wizard = (
            self.env["crm.funnel.export"]
            .with_user(self.rep)
            .create({"team_id": self.team.id, "period": "all"})
        )
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.rep)
        self.assertEqual(
            [
                row["reached"]
                for row in Dashboard._sff_pdf_values(wizard._sff_params())["funnels"][0]["stages"]
            ],
            [1, 1],
        )
        book = openpyxl.load_workbook(io.BytesIO(Dashboard._sff_xlsx(wizard._sff_params())[0]))
        # the sheet's funnel, read back: the rep's two stages, one deal each,
        # and not the third stage that only the manager's deals reached
        sheet = book["Funnel"]
        stage_rows = []
        for name, reached in sheet.iter_rows(min_row=6, max_col=2, values_only=True):
            if not name or name == "Total":
                break
            stage_rows.append((name, reached))
        self.assertEqual(
            stage_rows, [(row["stage_name"], 1) for row in rep_data["funnels"][0]["stages"]]
        )
        third = manager_data["funnels"][0]["stages"][2]["stage_name"]
        self.assertNotIn(third, [cell for row in sheet.iter_rows(values_only=True) for cell in row])
