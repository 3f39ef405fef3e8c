# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a live server asks of the reports: every read runs on a read-only
transaction (as Odoo runs ``@api.readonly`` calls, on a replica when there
is one), and bad parameters sent over RPC get a clear error."""

import io
from datetime import date

import openpyxl
import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..const import TZ_PARAM
from .common import ReadOnlyMixin
from .test_funnel_report import FunnelReportCase

# every report, as its pivot groups it
PIVOTS = {
    "crm.funnel.report": (
        ["stage_id", "date_in:month"],
        ["reached:sum", "won_amount:sum", "conversion_rate:avg", "target_conversion_rate:avg"],
    ),
    "crm.forecast.report": (
        ["stage_id", "date_deadline:month"],
        ["forecast_revenue:sum", "history_forecast_revenue:sum"],
    ),
    "crm.sales.process.report": (["user_id", "date:week"], ["reached_count:sum", "new_count:sum"]),
    "crm.rep.comparison.report": (["user_id", "stage_id"], ["reached:sum", "conversion_rate:avg"]),
    "crm.lead.source.report": (
        ["source_id", "create_date:month"],
        ["new_count:sum", "won_amount:sum"],
    ),
    "crm.loss.report": (["lost_reason_id", "lost_stage_id"], ["lost_count:sum", "lost_amount:sum"]),
    "crm.call.report": (["user_id", "date:day"], ["call_count:sum", "conversation_count:sum"]),
    "crm.adoption.report": (["user_id", "date:week"], ["login_count:sum", "move_count:sum"]),
    "crm.quota.report": (["user_id", "date:month"], ["amount:sum", "target:sum"]),
}


@tagged("post_install", "-at_install")
class TestReadOnly(ReadOnlyMixin, FunnelReportCase):
    def test_read_only_transaction_refuses_writes(self):
        """The helper does what it says."""
        with self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction), self.read_only():
            self.env.cr.execute(
                "UPDATE crm_stage SET sequence = sequence WHERE id = %s", [self.a.id]
            )
        self.env.cr.execute("UPDATE crm_stage SET sequence = sequence WHERE id = %s", [self.a.id])

    def test_every_report_read_is_read_only(self):
        self.build()
        self.make_plan("Read-only plan", date(2026, 3, 1), date(2026, 4, 30), (60, 50, 30))
        params = {"team_id": self.team.id, "period": "all", "compare": "previous"}
        for user in (self.manager, self.rep):
            Report = self.env["crm.funnel.dashboard"].with_user(user)
            Dashboard = self.env["crm.funnel.dashboard"].with_user(user)
            with self.read_only():
                for model, (groupby, aggregates) in PIVOTS.items():
                    if not self.env[model].with_user(user).has_access("read"):
                        continue
                    Model = self.env[model].with_user(user)
                    Model.web_read_group([], aggregates, groupby, lazy=False)
                    Model.web_search_read([], {"id": {}}, limit=80)
                data = Report.get_funnel_dashboard(params)
                self.assertEqual(
                    [row["reached"] for row in data["funnels"][0]["stages"]], [5, 4, 2, 1]
                )
                action = Report.get_stage_deals_action(params, self.a.id)
                self.assertEqual(len(action["domain"][0][2]), 5)
                xlsx = Report.action_export(params, "xlsx")
                pdf = Report.action_export(params, "pdf")
                content, _name = Dashboard._sff_xlsx(params)
                book = openpyxl.load_workbook(io.BytesIO(content))
                self.assertEqual(book["Funnel"]["B6"].value, 5)
                html = (
                    self.env["ir.actions.report"]
                    .with_user(user)
                    ._render_qweb_html(
                        "sales_funnel_forecast.action_report_funnel", [], data=pdf["data"]
                    )[0]
                )
                self.assertIn(b"T-Prospect", html)
                self.assertIn("/sales_funnel_forecast/funnel.xlsx", xlsx["url"])

    def test_pdf_is_read_only(self):
        self.build()
        with self.read_only():
            pdf, _type = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(
                    "sales_funnel_forecast.action_report_funnel",
                    [],
                    data={"sff_params": {"team_id": self.team.id, "period": "all"}},
                )
            )
        self.assertTrue(pdf.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestBadInput(FunnelReportCase):
    """Integrators call the report methods over RPC: whatever they send, a
    salesperson gets a UserError in their language, never a traceback."""

    def test_bad_calls_get_a_clear_error(self):
        Report = self.env["crm.funnel.dashboard"].with_user(self.rep)
        other_company = self.env["res.company"].create({"name": "Bad Input Elsewhere"})
        hidden_team = self.env["crm.team"].create(
            {"name": "Elsewhere", "company_id": other_company.id}
        )
        calls = [
            ("team as text", Report.get_funnel_dashboard, ({"team_id": "abc"},)),
            ("two teams", Report.get_funnel_dashboard, ({"team_id": [1, 2]},)),
            ("a team that is not", Report.get_funnel_dashboard, ({"team_id": 987654321},)),
            ("another company's team", Report.get_funnel_dashboard, ({"team_id": hidden_team.id},)),
            ("a team as true", Report.get_funnel_dashboard, ({"team_id": True},)),
            ("salesperson as text", Report.get_funnel_dashboard, ({"user_id": "me"},)),
            (
                "not a date",
                Report.get_funnel_dashboard,
                ({"period": "custom", "date_from": "not-a-date"},),
            ),
            (
                "a date as a number",
                Report.get_funnel_dashboard,
                ({"period": "custom", "date_to": 20260101},),
            ),
            (
                "backwards",
                Report.get_funnel_dashboard,
                ({"period": "custom", "date_from": "2026-03-01", "date_to": "2026-02-01"},),
            ),
            ("unknown period", Report.get_funnel_dashboard, ({"period": "someday"},)),
            ("unknown mode", Report.get_funnel_dashboard, ({"mode": "sideways"},)),
            ("unknown comparison", Report.get_funnel_dashboard, ({"compare": "tomorrow"},)),
            ("parameters as a list", Report.get_funnel_dashboard, (["team_id", 1],)),
            ("stage as SQL", Report.get_stage_deals_action, ({}, "1; drop table crm_lead")),
            (
                "unknown period, stage",
                Report.get_stage_deals_action,
                ({"period": "someday"}, self.a.id),
            ),
            ("no stage", Report.get_stage_deals_action, ({}, False)),
            ("a stage that is not", Report.get_stage_deals_action, ({}, 987654321)),
            ("a team as text, stage", Report.get_stage_deals_action, ({}, self.a.id, "x")),
            ("unknown period, export", Report.action_export, ({"period": "someday"}, "xlsx")),
            ("unknown export", Report.action_export, ({}, "docx")),
            (
                "bad date, spreadsheet",
                self.env["crm.funnel.dashboard"].with_user(self.rep)._sff_xlsx,
                ({"date_from": "31/12/2026"},),
            ),
        ]
        for label, method, args in calls:
            with self.subTest(label), self.assertRaises(UserError):
                method(*args)
        # the messages say what is wrong
        with self.assertRaisesRegex(UserError, "“not-a-date” is not a date"):
            Report.get_funnel_dashboard({"period": "custom", "date_from": "not-a-date"})
        with self.assertRaisesRegex(UserError, "no sales team #987654321 that you may see"):
            Report.get_funnel_dashboard({"team_id": 987654321})
        with self.assertRaisesRegex(UserError, "Unknown period: someday"):
            Report.action_export({"period": "someday"}, "xlsx")
        # and in the user's language
        self.env["res.lang"]._activate_lang("fr_FR")
        with self.assertRaisesRegex(UserError, "Période inconnue"):
            Report.with_context(lang="fr_FR").get_funnel_dashboard({"period": "someday"})

    def test_forecast_calls_get_a_clear_error(self):
        """The Forecast screen, its Print and Spreadsheet buttons, the
        pipeline at a moment and the deal flow, called over RPC with bad
        parameters: a UserError each, as the funnel's calls."""
        other_company = self.env["res.company"].create({"name": "Forecast Elsewhere"})
        hidden_team = self.env["crm.team"].create(
            {"name": "Elsewhere", "company_id": other_company.id}
        )
        Submission = self.env["crm.forecast.submission"].with_user(self.rep)
        Lead = self.env["crm.lead"].with_user(self.rep)
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.rep)
        screen, export = Submission.get_forecast_screen, Submission.action_forecast_export

        def pdf(params):
            return (
                self.env["ir.actions.report"]
                .with_user(self.rep)
                ._render_qweb_html(
                    "sales_funnel_forecast.report_forecast_screen", [], data={"sff_params": params}
                )
            )

        team = self.team.id
        year_one = {"period": "custom", "date_from": "0001-01-01", "date_to": "0001-06-01"}
        calls = [
            ("screen, parameters as a list", screen, (["team_id", 1],)),
            ("screen, team as text", screen, ({"team_id": "abc"},)),
            ("screen, two teams", screen, ({"team_id": [team, 1]},)),
            ("screen, team as a float", screen, ({"team_id": 1.5},)),
            ("screen, a team that is not", screen, ({"team_id": 987654321},)),
            ("screen, another company's team", screen, ({"team_id": hidden_team.id},)),
            ("screen, negative team", screen, ({"team_id": -3},)),
            ("screen, unknown period", screen, ({"period_type": "week"},)),
            ("screen, period as a list", screen, ({"period_type": ["month"]},)),
            ("screen, not a date", screen, ({"date_from": "not-a-date"},)),
            ("screen, month 13", screen, ({"date_from": "2026-13-01"},)),
            ("screen, date as a number", screen, ({"date_from": 20260301},)),
            (
                "screen, the last quarter",
                screen,
                ({"date_from": "9999-12-01", "period_type": "quarter"},),
            ),
            ("export, team as text", export, ({"team_id": "a"}, "xlsx")),
            ("export, bad date", export, ({"date_from": "x"}, "xlsx")),
            ("export, unknown kind", export, ({}, ["pdf"])),
            (
                "spreadsheet, bad date",
                Submission._sff_forecast_xlsx,
                ({"date_from": "31/12/2026"},),
            ),
            ("spreadsheet, team as text", Submission._sff_forecast_xlsx, ({"team_id": "abc"},)),
            ("pdf, bad date", pdf, ({"date_from": "not-a-date"},)),
            ("pdf, two teams", pdf, ({"team_id": [team, 1]},)),
            ("bar, unknown step", Submission.action_forecast_flow_step, ({}, "middle")),
            ("bar, step as a list", Submission.action_forecast_flow_step, ({}, ["won"])),
            ("bar, team as text", Submission.action_forecast_flow_step, ({"team_id": "a"}, "won")),
            (
                "submissions, salesperson as text",
                Submission.action_forecast_submissions,
                ({}, "me"),
            ),
            (
                "submissions, a salesperson that is not",
                Submission.action_forecast_submissions,
                ({}, 987654321),
            ),
            (
                "submissions, bad date",
                Submission.action_forecast_submissions,
                ({"date_from": "x"}, False),
            ),
            ("pipeline, not a date", Lead.sff_pipeline_at, ("bad",)),
            ("pipeline, no moment", Lead.sff_pipeline_at, (None,)),
            ("pipeline, a number", Lead.sff_pipeline_at, (5,)),
            ("pipeline, month 13", Lead.sff_pipeline_at, ("2026-13-01",)),
            ("pipeline, domain as text", Lead.sff_pipeline_at, ("2026-03-01", "x")),
            ("flow, not a date", Lead.sff_deal_flow, ("bad", "2026-04-01")),
            ("flow, no start", Lead.sff_deal_flow, (None, "2026-04-01")),
            ("flow, numbers", Lead.sff_deal_flow, (1, 2)),
            ("flow, backwards", Lead.sff_deal_flow, ("2026-04-01", "2026-03-01")),
            ("flow, domain as text", Lead.sff_deal_flow, ("2026-03-01", "2026-04-01", "x")),
            (
                "funnel, the year 1 compared with the one before",
                Dashboard.get_funnel_dashboard,
                (dict(year_one, compare="previous"),),
            ),
            (
                "funnel, the year 1 compared with last year",
                Dashboard.get_funnel_dashboard,
                (dict(year_one, compare="last_year"),),
            ),
            (
                "funnel spreadsheet, the year 1",
                Dashboard._sff_xlsx,
                (dict(year_one, compare="previous"),),
            ),
        ]
        for label, method, args in calls:
            with self.subTest(label), self.assertRaises(UserError), self.env.cr.savepoint():
                method(*args)
        with self.assertRaisesRegex(UserError, "Unknown period: week"):
            screen({"period_type": "week"})
        with self.assertRaisesRegex(UserError, "Unknown step of the deal flow: middle"):
            Submission.action_forecast_flow_step({}, "middle")
        with self.assertRaisesRegex(UserError, "“bad” is not a date"):
            Lead.sff_deal_flow("bad", "2026-04-01")
        with self.assertRaisesRegex(UserError, "no sales team #987654321 that you may see"):
            export({"team_id": 987654321}, "pdf")
        with self.assertRaisesRegex(UserError, "no period before 01/01/0001"):
            Dashboard.get_funnel_dashboard(dict(year_one, compare="previous"))
        # a submission for the calendar's last quarter
        with self.assertRaisesRegex(UserError, "beyond the last date"):
            Submission.create(
                {"team_id": team, "period_type": "quarter", "date_from": "9999-12-01"}
            )
        # good calls answer, the export with the checked parameters
        self.assertEqual(
            screen({"team_id": team, "period_type": "quarter", "date_from": "2026-02-10"})[
                "date_from"
            ],
            "2026-01-01",
        )
        action = export({"team_id": team, "date_from": "2026-02-10", "extra": 1}, "pdf")
        self.assertEqual(
            action["data"]["sff_params"],
            {"team_id": team, "period_type": "month", "date_from": "2026-02-10"},
        )
        self.assertEqual(
            Lead.sff_deal_flow("2026-03-01", "2026-04-01 00:00:00", [("id", "=", 0)])["start"],
            (0, 0.0),
        )
        # no parameters: the defaults, as the funnel's
        self.assertEqual(screen(None)["period_type"], "month")
        # the calendar's first month, its days starting east of UTC (before
        # the first instant a datetime holds)
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Asia/Tokyo")
        self.assertIn("lines", screen({"team_id": team, "date_from": "0001-01-01"}))

    def test_report_reads_get_a_read_only_cursor_over_rpc(self):
        """Odoo's JSON-RPC gives a read-only cursor (a replica's) to a method
        whose first definition in the class's order is ``@api.readonly``
        (web's ``_call_kw_readonly``): every report read the clients call."""
        reads = [
            ("crm.funnel.dashboard", "get_funnel_dashboard"),
            ("crm.funnel.dashboard", "get_stage_deals_action"),
            ("crm.funnel.dashboard", "action_export"),
            ("crm.forecast.submission", "get_forecast_screen"),
            ("crm.forecast.submission", "action_forecast_export"),
            ("crm.forecast.submission", "action_forecast_submissions"),
            ("crm.forecast.accuracy.report", "action_sff_open"),
            ("crm.lead", "sff_pipeline_at"),
            ("crm.lead", "sff_deal_flow"),
        ]

        def read_only(model, name):
            for cls in type(self.env[model]).mro():
                method = getattr(cls, name, None)
                if method is not None and hasattr(method, "_readonly"):
                    return method._readonly
            return False

        self.assertEqual([read for read in reads if not read_only(*read)], [])

    def test_good_calls_still_answer(self):
        self.build()
        Report = self.env["crm.funnel.dashboard"].with_user(self.rep)
        for params in (
            {},
            None,
            {"team_id": False},
            {"team_id": self.team.id, "period": "all", "extra": 1},
            {
                "period": "custom",
                "date_from": "2026-03-01",
                "date_to": "2026-04-01",
                "team_id": self.team.id,
            },
        ):
            with self.subTest(params=params):
                Report.get_funnel_dashboard(params)
        data = Report.get_funnel_dashboard(
            {
                "period": "custom",
                "date_from": "2026-03-01",
                "date_to": "2026-04-01",
                "team_id": self.team.id,
            }
        )
        self.assertEqual([row["reached"] for row in data["funnels"][0]["stages"]], [5, 4, 2, 1])
