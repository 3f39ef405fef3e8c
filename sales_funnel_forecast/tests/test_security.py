# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

import openpyxl

from odoo.tests import new_test_user, tagged

from .common import FunnelCase


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
        here_only = new_test_user(
            self.env,
            login="sff_here_only",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        History = self.env["crm.lead.stage.history"]
        self.assertFalse(History.with_user(here_only).search([("lead_id", "=", deal.id)]))
        self.assertEqual(deal.stage_history_ids.company_id, other_company)


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
