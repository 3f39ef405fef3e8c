# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stored figures say when they were last worked out, where they are
shown, and can be worked out again on demand: the stages' win rates of the
last 12 months (the funnel dashboard's history-weighted forecast) and the
target plans' actuals."""

from datetime import date, datetime

from lxml import etree

from odoo.exceptions import AccessError
from odoo.modules.migration import load_script
from odoo.tests import tagged

from ..install import rebuild
from ..models.crm_stage import WIN_RATES_REFRESH_PARAM
from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestWinRatesRefreshed(FunnelCase):
    """Ten deals reached T-Qualified and were closed: six won, four lost,
    a win rate of 60 %. The job, a manager's Refresh and the upgrade write
    when the rates were worked out; the dashboard says it in the reader's
    time zone."""

    def setUp(self):
        super().setUp()
        for index in range(10):
            deal = self.make_deal(f"Closed {index}", self.s_new, 1000)
            deal.stage_id = self.s_qualified
            if index < 6:
                deal.action_set_won()
            else:
                deal.action_set_lost()
        # an open deal in T-Qualified: the forecast table has a row
        self.make_deal("Open", self.s_qualified, 5000)
        self.end_request()

    def refreshed_on(self):
        return self.env["crm.stage"]._sff_win_rates_refreshed_on()

    def note(self, user):
        data = (
            self.env["crm.funnel.dashboard"]
            .with_user(user)
            .get_funnel_dashboard({"team_id": self.team.id, "period": "all"})
        )
        return data["win_rates_note"], data["can_refresh_win_rates"]

    def test_job_writes_the_time_with_the_rates(self):
        self.set_now(datetime(2030, 1, 2, 8, 0))
        self.env["crm.stage"]._cron_refresh_history_win_rates()
        self.assertEqual(
            (self.s_qualified.history_win_rate, self.s_qualified.history_closed_count),
            (60.0, 10),
        )
        self.assertEqual(self.refreshed_on(), datetime(2030, 1, 2, 8, 0))
        # the next night's, the deals as they were: the same figures, a new time
        self.set_now(datetime(2030, 1, 3, 8, 0))
        self.env["crm.stage"]._cron_refresh_history_win_rates()
        self.assertEqual(
            (self.s_qualified.history_win_rate, self.s_qualified.history_closed_count),
            (60.0, 10),
        )
        self.assertEqual(self.refreshed_on(), datetime(2030, 1, 3, 8, 0))

    def test_dashboard_says_when_in_the_readers_time_zone(self):
        self.set_now(datetime(2030, 1, 2, 8, 0))
        self.env["crm.stage"]._sff_refresh_history_win_rates()
        # 08:00 UTC: 09:00 in Warsaw in winter, 03:00 in New York
        self.manager.tz = "Europe/Warsaw"
        self.rep.tz = "America/New_York"
        self.assertEqual(
            self.note(self.manager),
            ("Win rates of the last 12 months worked out on 01/02/2030 09:00", True),
        )
        # a salesperson sees the time, not the button
        self.assertEqual(
            self.note(self.rep),
            ("Win rates of the last 12 months worked out on 01/02/2030 03:00", False),
        )
        # the PDF and the spreadsheet say it under the forecast too
        html = self.print_funnel({"team_id": self.team.id, "period": "all"})
        self.assertIn("Win rates of the last 12 months worked out on 01/02/2030 09:00", html)

    def print_funnel(self, params):
        return (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(
                "sales_funnel_forecast.report_funnel", [], data={"sff_params": params}
            )[0]
            .decode()
        )

    def test_never_worked_out(self):
        self.env.cr.execute(
            "DELETE FROM ir_config_parameter WHERE key = %s", [WIN_RATES_REFRESH_PARAM]
        )
        self.assertEqual(
            self.note(self.manager),
            ("Win rates of the last 12 months not worked out yet.", True),
        )

    def test_refresh_is_a_managers(self):
        self.set_now(datetime(2030, 1, 2, 8, 0))
        self.env["crm.stage"]._sff_refresh_history_win_rates()
        # the rates stored wrong since (a day's deals closed meanwhile)
        self.env.cr.execute(
            "UPDATE crm_stage SET history_win_rate = 0, history_closed_count = 0 WHERE id = %s",
            [self.s_qualified.id],
        )
        self.s_qualified.invalidate_recordset()
        self.set_now(datetime(2030, 1, 2, 10, 15))
        with self.assertRaisesRegex(
            AccessError, "Only sales managers can work the win rates out again."
        ):
            self.env["crm.stage"].with_user(self.rep).action_sff_refresh_win_rates()
        self.assertEqual(self.refreshed_on(), datetime(2030, 1, 2, 8, 0))
        self.assertEqual(self.s_qualified.history_closed_count, 0)
        # a manager's: T-Qualified's figures written again, and the time
        self.env["crm.stage"].with_user(self.manager).action_sff_refresh_win_rates()
        self.assertEqual(
            (self.s_qualified.history_win_rate, self.s_qualified.history_closed_count),
            (60.0, 10),
        )
        self.assertEqual(self.refreshed_on(), datetime(2030, 1, 2, 10, 15))
        self.manager.tz = "UTC"
        self.assertEqual(
            self.note(self.manager)[0],
            "Win rates of the last 12 months worked out on 01/02/2030 10:15",
        )

    def test_revenue_forecast_report_says_when_and_refreshes(self):
        """The Revenue Forecast menu opens the report named with the win
        rates' time in the reader's time zone; its list's Refresh Win Rates
        (managers) works them out again and opens it anew."""
        menu = self.env.ref("sales_funnel_forecast.crm_forecast_report_menu")
        self.assertEqual(
            menu.action, self.env.ref("sales_funnel_forecast.crm_forecast_report_action_open")
        )
        Report = self.env["crm.forecast.report"]
        self.env.cr.execute(
            "DELETE FROM ir_config_parameter WHERE key = %s", [WIN_RATES_REFRESH_PARAM]
        )
        self.assertEqual(
            Report.with_user(self.rep).action_sff_open()["name"],
            "Revenue Forecast (win rates not worked out yet)",
        )
        self.set_now(datetime(2030, 1, 2, 8, 0))
        self.env.cr.execute(
            "UPDATE crm_stage SET history_win_rate = 0, history_closed_count = 0 WHERE id = %s",
            [self.s_qualified.id],
        )
        self.s_qualified.invalidate_recordset()
        self.rep.tz = "America/New_York"
        with self.assertRaisesRegex(
            AccessError, "Only sales managers can work the win rates out again."
        ):
            Report.with_user(self.rep).action_sff_refresh_win_rates()
        self.manager.tz = "Europe/Warsaw"
        action = Report.with_user(self.manager).action_sff_refresh_win_rates()
        self.assertEqual(
            (action["res_model"], action["name"]),
            (
                "crm.forecast.report",
                "Revenue Forecast (win rates worked out 01/02/2030 09:00)",
            ),
        )
        self.assertEqual(
            (self.s_qualified.history_win_rate, self.s_qualified.history_closed_count),
            (60.0, 10),
        )
        self.assertEqual(
            Report.with_user(self.rep).action_sff_open()["name"],
            "Revenue Forecast (win rates worked out 01/02/2030 03:00)",
        )

    def test_upgrade_fills_the_times(self):
        """A database of 18.0.1.26.0 has no time for the win rates nor for
        the plans' actuals: the 18.0.1.27.0 upgrade works them out, which
        writes their times."""
        plan = make_plan(self.env, self.team)
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM ir_config_parameter WHERE key = %s", [WIN_RATES_REFRESH_PARAM]
        )
        self.env.cr.execute(
            "UPDATE crm_target_plan_period SET actuals_refreshed_on = NULL WHERE plan_id = %s",
            [plan.id],
        )
        self.env.invalidate_all()
        self.assertFalse(plan.actuals_refreshed_on)
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.27.0/post-migrate.py",
            "sff_post_migrate_18_0_1_27_0",
        )
        migration.migrate(self.env.cr, "18.0.1.26.0")
        self.set_now(datetime(2030, 1, 2, 8, 0))
        self.assertLessEqual({"win_rates", "plan_actuals"}, set(rebuild.run_requested(self.env)))
        self.env.invalidate_all()
        self.assertEqual(self.refreshed_on(), datetime(2030, 1, 2, 8, 0))
        self.assertEqual(plan.actuals_refreshed_on, datetime(2030, 1, 2, 8, 0))
        self.assertEqual(
            set(plan.period_ids.mapped("actuals_refreshed_on")), {datetime(2030, 1, 2, 8, 0)}
        )


@tagged("post_install", "-at_install")
class TestPlanActualsRefreshed(FunnelCase):
    """Every path that works a plan's actuals out writes when: the plan
    saved, Refresh Actuals, the daily job, a change of what they count."""

    def test_every_refresh_writes_its_time(self):
        self.set_now(datetime(2030, 1, 2, 8, 0))
        plan = make_plan(self.env, self.team)
        # 12 months, 4 quarters, the whole plan: one time
        self.assertEqual(len(plan.period_ids), 17)
        self.assertEqual(
            set(plan.period_ids.mapped("actuals_refreshed_on")), {datetime(2030, 1, 2, 8, 0)}
        )
        self.assertEqual(plan.actuals_refreshed_on, datetime(2030, 1, 2, 8, 0))
        # saved with a new target
        self.set_now(datetime(2030, 1, 2, 9, 0))
        plan.with_user(self.manager).revenue_target = 240000
        self.assertEqual(plan.actuals_refreshed_on, datetime(2030, 1, 2, 9, 0))
        # Refresh Actuals, by a manager
        self.set_now(datetime(2030, 1, 2, 10, 0))
        plan.with_user(self.manager).action_refresh_actuals()
        self.assertEqual(plan.actuals_refreshed_on, datetime(2030, 1, 2, 10, 0))
        # the daily job (the plan ends in 2027)
        self.set_now(datetime(2030, 1, 3, 6, 0))
        self.env["crm.target.plan"]._cron_refresh_actuals()
        self.env.invalidate_all()
        self.assertEqual(plan.actuals_refreshed_on, datetime(2030, 1, 3, 6, 0))
        # the company's quota attainment counting payments from now on
        self.set_now(datetime(2030, 1, 3, 7, 0))
        self.company.crm_quota_basis = "cash"
        self.env.invalidate_all()
        self.assertEqual(plan.actuals_refreshed_on, datetime(2030, 1, 3, 7, 0))

    def test_shown_on_the_form_and_the_list(self):
        Plan = self.env["crm.target.plan"]
        self.assertTrue(Plan._fields["actuals_refreshed_on"].readonly)
        form = etree.fromstring(Plan.get_view(view_type="form")["arch"])
        (field,) = form.xpath("//field[@name='actuals_refreshed_on']")
        # beside a Refresh Actuals button
        self.assertEqual(field.getparent().xpath("button/@name"), ["action_refresh_actuals"])
        listed = etree.fromstring(Plan.get_view(view_type="list")["arch"])
        (column,) = listed.xpath("//field[@name='actuals_refreshed_on']")
        self.assertEqual(column.get("optional"), "hide")
        # Targets and Actuals (the menu's list of months) shows each month's
        action = self.env.ref("sales_funnel_forecast.crm_target_plan_period_action")
        months = etree.fromstring(self.env[action.res_model].get_view(view_type="list")["arch"])
        (column,) = months.xpath("//field[@name='actuals_refreshed_on']")
        self.assertEqual(column.get("optional"), "show")

    def test_a_plan_duplicated_has_its_own_time(self):
        self.set_now(datetime(2030, 1, 2, 8, 0))
        plan = make_plan(self.env, self.team, date_from=date(2027, 1, 1))
        self.set_now(datetime(2030, 1, 4, 8, 0))
        copy = plan.copy()
        self.assertEqual(copy.actuals_refreshed_on, datetime(2030, 1, 4, 8, 0))
        self.assertEqual(plan.actuals_refreshed_on, datetime(2030, 1, 2, 8, 0))


@tagged("post_install", "-at_install")
class TestWinRatesWrittenWhenChanged(FunnelCase):
    """A refresh writes the stages whose figures changed only: a rate of
    seven won out of eleven (63.6363... %) is stored as PostgreSQL keeps a
    number (15 digits), and the next refresh, on the same deals, found it
    different from the float it worked out and wrote every such stage
    again, every night."""

    def test_unchanged_figures_are_not_written_again(self):
        for index in range(11):
            deal = self.make_deal(f"Closed {index}", self.s_qualified, 1000)
            if index < 7:
                deal.action_set_won()
            else:
                deal.action_set_lost()
        self.end_request()
        Stage = self.env["crm.stage"]
        Stage._sff_refresh_history_win_rates()
        self.assertEqual(
            (self.s_qualified.history_closed_count, round(self.s_qualified.history_win_rate, 4)),
            (11, 63.6364),
        )
        # the same deals: nothing to write
        self.assertEqual(Stage._sff_refresh_history_win_rates(), 0)
        # one stage's figures stored wrong: that stage only
        self.env.cr.execute(
            "UPDATE crm_stage SET history_closed_count = 0 WHERE id = %s", [self.s_qualified.id]
        )
        self.assertEqual(Stage._sff_refresh_history_win_rates(), 1)
        self.s_qualified.invalidate_recordset()
        self.assertEqual(self.s_qualified.history_closed_count, 11)
