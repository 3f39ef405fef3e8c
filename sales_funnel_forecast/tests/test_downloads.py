# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Downloads and prints at their edges: a company without a sales team,
dates of the first millennium, another company's team's letterhead,
parameters nested too deep for the route."""

import json
from urllib.parse import quote

from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from .common import company_user


@tagged("post_install", "-at_install")
class TestDownloadEdges(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create(
            {"name": "Bravo Sarl", "currency_id": cls.env.ref("base.EUR").id}
        )
        cls.rep = new_test_user(
            cls.env, login="sff_dl_rep", groups="sales_team.group_sale_salesman", name="Rex Rep"
        )

    def test_forecast_spreadsheet_of_a_company_without_team(self):
        """A sales manager of a company that has no sales team of its own
        (every team belongs to the other company) opens the Forecast screen
        and clicks Spreadsheet or Print: a message says there is no team to
        forecast (the spreadsheet failed with a TypeError)."""
        self.env["crm.team"].search([]).write({"company_id": self.company_a.id})
        manager = company_user(
            self.env,
            "sff_dl_b_manager",
            "Bea Manager",
            "sales_team.group_sale_manager",
            self.company_b,
        )
        Submission = (
            self.env["crm.forecast.submission"]
            .with_user(manager)
            .with_context(allowed_company_ids=self.company_b.ids)
        )
        screen = Submission.get_forecast_screen({})
        self.assertFalse(screen["team_id"])
        with self.assertRaisesRegex(UserError, "There is no sales team to forecast"):
            Submission._sff_forecast_xlsx({})
        with self.assertRaisesRegex(UserError, "There is no sales team to forecast"):
            Submission._sff_export_values({})

    def test_dates_before_the_year_1000_round_trip(self):
        """Dates of the first millennium (a typo such as 0202 for 2020)
        are written back with four-digit years ("0202-01-01"), which the
        spreadsheet, the PDF, the export wizard and the Forecast screen read
        back (written "202-01-01", they were refused or raised)."""
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.rep)
        params = {"period": "custom", "date_from": "0202-01-01", "date_to": "0202-12-31"}
        # Spreadsheet: ValueError: time data '202-12-31' does not match format
        content, _name = Dashboard._sff_xlsx(params)
        self.assertTrue(content.startswith(b"PK"))
        # Print: the action carries "202-01-01", which its own PDF refuses
        action = Dashboard.action_export(params, "pdf")
        self.assertEqual(action["data"]["sff_params"]["date_from"], "0202-01-01")
        self.env["ir.actions.report"].with_user(self.rep)._render_qweb_html(
            "sales_funnel_forecast.action_report_funnel", [], data=action["data"]
        )
        self.assertEqual(Dashboard.get_funnel_dashboard(params)["date_from"], "0202-01-01")
        # the export wizard, with the same dates typed in its form
        wizard = (
            self.env["crm.funnel.export"]
            .with_user(self.rep)
            .create({"period": "custom", "date_from": "0202-01-01", "date_to": "0202-12-31"})
        )
        wizard.action_export_xlsx()
        # the Forecast screen sends back a start its next call refuses
        Submission = self.env["crm.forecast.submission"].with_user(self.rep)
        screen = Submission.get_forecast_screen({"date_from": "0202-03-01"})
        self.assertEqual(screen["date_from"], "0202-03-01")
        Submission.get_forecast_screen({"date_from": screen["date_from"]})

    def test_funnel_pdf_letterhead_is_the_team_company(self):
        """The funnel of a team of company B, printed by a manager working in
        A and B (A current): B's figures, in B's currency, under B's
        letterhead, as the Forecast PDF of the same team."""
        companies = self.company_a | self.company_b
        manager = company_user(
            self.env, "sff_dl_ab_manager", "Abe Manager", "sales_team.group_sale_manager", companies
        )
        team = self.env["crm.team"].create({"name": "Bravo Team", "company_id": self.company_b.id})
        stage = self.env["crm.stage"].search([("team_id", "=", False)], limit=1)
        self.env["crm.lead"].with_company(self.company_b).create(
            {
                "name": "Bravo deal",
                "type": "opportunity",
                "team_id": team.id,
                "company_id": self.company_b.id,
                "expected_revenue": 1000,
                "stage_id": stage.id,
            }
        )
        context = {"allowed_company_ids": companies.ids}
        Dashboard = self.env["crm.funnel.dashboard"].with_user(manager).with_context(**context)
        Reports = self.env["ir.actions.report"].with_user(manager).with_context(**context)
        params = {"team_id": team.id, "period": "all"}
        data = Dashboard.get_funnel_dashboard(params)
        self.assertEqual(data["currency_id"], self.company_b.currency_id.id)
        forecast_pdf = Reports._render_qweb_html(
            "sales_funnel_forecast.action_report_forecast_screen",
            [],
            data=self.env["crm.forecast.submission"]
            .with_user(manager)
            .with_context(**context)
            .action_forecast_export({"team_id": team.id}, "pdf")["data"],
        )[0].decode()
        self.assertFalse(self.company_a.name in forecast_pdf, "the Forecast PDF: B's letterhead")
        funnel_pdf = Reports._render_qweb_html(
            "sales_funnel_forecast.action_report_funnel",
            [],
            data=Dashboard.action_export(params, "pdf")["data"],
        )[0].decode()
        self.assertTrue("Bravo Team" in funnel_pdf and "€" in funnel_pdf, "B's figures, in EUR")
        self.assertFalse(self.company_a.name in funnel_pdf, "the funnel PDF: B's letterhead")
        self.assertIn("Bravo Sarl", funnel_pdf)


@tagged("post_install", "-at_install")
class TestDownloadRoutes(HttpCase):
    def test_download_parameters_too_deep_are_a_bad_request(self):
        """A download link whose params are JSON nested deeper than Python's
        recursion limit gets the route's own 400 message, as unreadable
        JSON does (json.loads raises RecursionError there, which gave a 500
        and a traceback)."""
        new_test_user(
            self.env,
            login="sff_dl_http_rep",
            groups="sales_team.group_sale_salesman",
            password="sff_dl_http_rep_pw",
        )
        self.authenticate("sff_dl_http_rep", "sff_dl_http_rep_pw")
        for path in ("funnel.xlsx", "forecast.xlsx"):
            with self.subTest(path):
                ok = self.url_open(f"/sales_funnel_forecast/{path}?params=" + quote(json.dumps({})))
                self.assertEqual(ok.status_code, 200)
                bad = self.url_open(f"/sales_funnel_forecast/{path}?params=" + quote("{x"))
                self.assertEqual(bad.status_code, 400)
                deep = self.url_open(f"/sales_funnel_forecast/{path}?params=" + quote("[" * 2000))
                self.assertEqual(deep.status_code, 400)
