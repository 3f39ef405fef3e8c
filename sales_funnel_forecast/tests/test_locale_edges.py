# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Users around the world: the days of a rep whose day is not UTC's, amounts,
dates and counts as the user's language writes them."""

from datetime import date, datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from ..const import TZ_PARAM
from .common import FunnelCase, make_plan


def zone_of_another_day():
    """A time zone whose date differs from UTC's right now, and its date:
    Honolulu (UTC-10) before 10:00 UTC, Kiritimati (UTC+14) from then on."""
    now = datetime.utcnow()
    if now.hour < 10:
        return "Pacific/Honolulu", (now - timedelta(hours=10)).date()
    return "Pacific/Kiritimati", (now + timedelta(hours=14)).date()


@tagged("post_install", "-at_install")
class TestLocaleEdges(FunnelCase):
    # ------------------------------------------------------------------
    # Calls against targets: the days of the rep's time zone
    # ------------------------------------------------------------------
    def call_targets(self, user, date_from, date_to):
        """The user's daily and weekly call targets from ``date_from`` to
        ``date_to`` (included), per day."""
        self.env.flush_all()
        self.env["crm.call.report"].invalidate_model()
        return {
            day: (daily, weekly)
            for day, daily, weekly in self.env["crm.call.report"]._read_group(
                [
                    ("kind", "=", "target"),
                    ("user_id", "=", user.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ],
                ["date:day"],
                ["target_daily:sum", "target_weekly:sum"],
            )
        }

    def test_call_targets_start_on_the_day_the_rep_joined_in_her_zone(self):
        """A rep in Auckland joins the team (3 calls a day, 12 a week) on
        Monday 2 March 2026 at 08:00 there (NZDT, UTC+13: Sunday 1 March
        19:00 UTC). Her targets start that Monday: none in the week of 23
        February (it had 5 x 3 daily and the 12 of its Monday), 3 and 12 on
        2 March."""
        self.rep.tz = "Pacific/Auckland"
        self.team.write({"call_target_daily": 3, "call_target_weekly": 12})
        self.set_now(datetime(2026, 3, 1, 19, 0))
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        targets = self.call_targets(self.rep, date(2026, 2, 23), date(2026, 3, 8))
        self.assertEqual(
            sum(daily for daily, _weekly in targets.values()), 15, "Monday 2 to Friday 6 March"
        )
        self.assertEqual(min(targets), date(2026, 3, 2))
        self.assertEqual(targets[date(2026, 3, 2)], (3, 12))

    def test_call_targets_run_to_the_reps_today(self):
        """A rep whose day is not UTC's (Honolulu in UTC's morning,
        Kiritimati in its afternoon) has targets up to her own today, not
        UTC's."""
        tz, today = zone_of_another_day()
        self.rep.tz = tz
        self.team.write({"call_target_daily": 3, "call_target_weekly": 12})
        self.set_now(datetime.utcnow() - timedelta(days=20))
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        targets = self.call_targets(
            self.rep, today - timedelta(days=10), today + timedelta(days=10)
        )
        self.assertEqual(max(targets), today)
        self.assertEqual(today, fields.Date.context_today(self.env["crm.lead"].with_context(tz=tz)))

    # ------------------------------------------------------------------
    # Overdue: past the due date in the days of the funnel totals' zone
    # ------------------------------------------------------------------
    def test_overdue_from_the_day_after_the_due_date_in_the_settings_zone(self):
        """Funnel totals' time zone one whose date is not UTC's. An invoice
        of 1,000 (no tax) due on that zone's today is not overdue yet
        (Honolulu: UTC's yesterday); one due on its yesterday (Kiritimati:
        UTC's today) is, 1,000. The same when the daily job refreshes
        it."""
        tz, today = zone_of_another_day()
        self.env["ir.config_parameter"].set_param(TZ_PARAM, tz)
        due = min(today, datetime.utcnow().date())
        expected = 1000.0 if due < today else 0.0
        deal = self.make_deal("Billed", self.s_proposal, 1000)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.env["res.partner"].create({"name": "Customer"}).id,
                "invoice_date": due,
                "invoice_date_due": due,
                "opportunity_id": deal.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Work", "quantity": 1, "price_unit": 1000, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        installment = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertEqual(installment.date_maturity, due)
        deal.invalidate_recordset()
        self.assertEqual(deal.overdue_amount, expected)
        self.env["crm.lead"]._sff_fill_invoice_amounts(overdue_only=True)
        deal.invalidate_recordset()
        self.assertEqual(deal.overdue_amount, expected)

    # ------------------------------------------------------------------
    # Messages: amounts and dates as the user's language writes them
    # ------------------------------------------------------------------
    def test_submission_amounts_in_the_error_as_the_language_writes_them(self):
        """A German rep submits a Best Case of 1,500 below her Commit of
        2,000: the message writes 1.500,00 and 2.000,00 with the currency,
        not 1500.0 and 2000.0."""
        self.env["res.lang"]._activate_lang("de_DE")
        self.rep.lang = "de_DE"
        # the language the web client sends with every call
        Submission = (
            self.env["crm.forecast.submission"].with_user(self.rep).with_context(lang="de_DE")
        )
        with self.assertRaises(ValidationError) as caught:
            Submission.create(
                {
                    "team_id": self.team.id,
                    "date_from": date(2026, 3, 1),
                    "commit_amount": 2000,
                    "best_case_amount": 1500,
                }
            )
        message = str(caught.exception)
        self.assertNotIn("1500.0", message)
        self.assertIn("1.500,00", message)
        self.assertIn("2.000,00", message)
        self.assertIn(self.env.company.currency_id.symbol, message)

    def test_overlapping_plan_dates_in_the_error_as_the_language_writes_them(self):
        """A German manager's second plan for 2027 clashes with the first:
        the message names its dates 01.01.2027 to 31.12.2027, not
        2027-01-01 to 2027-12-31."""
        self.env["res.lang"]._activate_lang("de_DE")
        make_plan(self.env, self.team, name="Erster")
        with self.assertRaises(ValidationError) as caught:
            make_plan(
                self.env(context=dict(self.env.context, lang="de_DE")),
                self.team,
                name="Zweiter",
                date_from=date(2027, 6, 1),
                date_to=date(2028, 5, 31),
            )
        message = str(caught.exception)
        self.assertNotIn("2027-01-01", message)
        self.assertIn("01.01.2027", message)
        self.assertIn("31.12.2027", message)

    def test_plan_pdf_counts_with_the_languages_thousands_separator(self):
        """A German manager prints a plan of 12,000,000 at 1,000 a deal, 20 %
        won: the year needs 12,000 deals and 60,000 prospects, printed
        12.000 and 60.000 as German writes numbers (amounts already were:
        12.000.000,00)."""
        self.env["res.lang"]._activate_lang("de_DE")
        plan = make_plan(self.env, self.team, revenue_target=12000000)
        year = plan.year_period_ids
        self.assertEqual((year.deals_needed, year.leads_needed), (12000, 60000))
        html = (
            self.env["ir.actions.report"]
            .with_context(lang="de_DE")
            ._render_qweb_html("sales_funnel_forecast.action_report_target_plan", plan.ids)[0]
            .decode()
        )
        self.assertIn("12.000.000,00", html)
        self.assertNotIn("60000", html)
        self.assertIn("60.000", html)
        self.assertRegex(html, r">\s*12\.000\s*<", "the year's deals to close")

    # ------------------------------------------------------------------
    # Currencies without cents: the plan's figures add up
    # ------------------------------------------------------------------
    def test_yen_plan_pipeline_months_add_up_to_the_year(self):
        """A plan of 1,000,000 yen (no decimals) at 10,000 a deal, 20 % won:
        5,000,000 of pipeline to enter, 416,666.67 a month. The months are
        whole yen adding up to the quarters (1,250,000 each) and the year
        (5,000,000), as the revenue targets do, not 12 x 416,667 =
        5,000,004."""
        _currency, company, team, _stage = self.currency_team("JPY")
        plan = make_plan(
            self.env,
            team,
            company_id=company.id,
            revenue_target=1000000,
            average_deal_value=10000,
        )
        months = plan.month_period_ids
        self.assertEqual(len(months), 12)
        self.assertEqual(plan.year_period_ids.pipeline_value_needed, 5000000)
        self.assertEqual(sum(months.mapped("pipeline_value_needed")), 5000000)
        self.assertEqual(set(months.mapped("pipeline_value_needed")), {416666, 416667})
        self.assertEqual(plan.quarter_period_ids.mapped("pipeline_value_needed"), [1250000] * 4)
        self.assertEqual(sum(months.mapped("revenue_target")), 1000000)


@tagged("post_install", "-at_install")
class TestLocaleScreens(HttpCase):
    def test_dashboard_counts_with_the_languages_thousands_separator(self):
        """A German administrator's dashboard: a team's 1,000 open deals in
        its first stage read 1.000 reached, open here and in the forecast,
        as German writes numbers (amounts already were), not 1000."""
        team = self.env["crm.team"].create(
            {
                "name": "SFF Thousand Team",
                "stage_catalogue_id": self.env.ref("sales_funnel_forecast.catalogue_simple").id,
            }
        )
        stage = self.env["crm.stage"].create(
            {"name": "K-Prospect", "sequence": 901, "forecast_probability": 10, "team_id": team.id}
        )
        admin = self.env.ref("base.user_admin")
        self.env["crm.lead"].create(
            [
                {
                    "name": f"SFF Thousand {index}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": stage.id,
                    "user_id": admin.id,
                    "expected_revenue": 100,
                }
                for index in range(1000)
            ]
        )
        self.env["res.lang"]._activate_lang("de_DE")
        admin.lang = "de_DE"
        self.start_tour("/odoo", "sales_funnel_forecast_locale_tour", login="admin")
