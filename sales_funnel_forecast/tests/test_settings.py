# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's settings over time: what the settings page saves is what
the module reads (0 included), a value the page would refuse (typed over
RPC) breaks nothing, the page opens whatever the parameters hold, and a
change reaches the figures stored before it."""

from datetime import date

from odoo.addons.sale.tests.common import TestSaleCommon
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..const import ACCURACY_LEAD_DAYS_PARAM, TZ_PARAM
from ..models.crm_forecast_submission_screen import STALE_DAYS_PARAM
from ..models.crm_pipeline_snapshot import WEEKDAY_PARAM
from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestSettings(FunnelCase):
    def setUp(self):
        super().setUp()
        self.Param = self.env["ir.config_parameter"].sudo()
        self.Settings = self.env["res.config.settings"]
        self.screen = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}

    def forecast_screen(self):
        return (
            self.env["crm.forecast.submission"]
            .with_user(self.manager)
            .get_forecast_screen(self.screen)
        )

    def opened_settings(self):
        """The values the settings page opens with, as the web client asks
        for them."""
        Settings = self.Settings
        spec = {
            name: {}
            for name, field in Settings._fields.items()
            if field.type not in ("one2many", "many2many", "many2one")
        }
        return Settings.onchange({}, [], spec)["value"]

    def test_zero_days_are_kept(self):
        """0 days (the accuracy at each period's start only; the submission
        reminder off) is saved as 0, not as the default."""
        self.Settings.create(
            {"sff_accuracy_lead_days": 0, "sff_submission_stale_days": 0}
        ).execute()
        settings = self.Settings.create({})
        self.assertEqual(
            (settings.sff_accuracy_lead_days, settings.sff_submission_stale_days), (0, 0)
        )
        self.assertEqual(self.forecast_screen()["stale_days"], 0)
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        self.env.cr.execute("SELECT DISTINCT lead_days FROM crm_forecast_accuracy_report")
        self.assertEqual({row[0] for row in self.env.cr.fetchall()} - {0}, set())
        self.Settings.create(
            {"sff_accuracy_lead_days": 14, "sff_submission_stale_days": 3}
        ).execute()
        settings = self.Settings.create({})
        self.assertEqual(
            (settings.sff_accuracy_lead_days, settings.sff_submission_stale_days), (14, 3)
        )

    def test_new_lead_time_starts_the_snapshots_job(self):
        """A new accuracy lead time compares the forecasts of other days:
        saving it starts the snapshots' job (which takes the days it lacks,
        then works the accuracy out) instead of leaving the old lead time in
        the report until the night; saving the page unchanged does not."""
        cron = self.env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots")
        Trigger = self.env["ir.cron.trigger"].sudo()

        def triggers():
            return Trigger.search_count([("cron_id", "=", cron.id)])

        self.Settings.create({"sff_accuracy_lead_days": 30}).execute()
        before = triggers()
        self.Settings.create({"sff_accuracy_lead_days": 30}).execute()
        self.assertEqual(triggers(), before)
        self.Settings.with_user(self.manager).sudo().create(
            {"sff_accuracy_lead_days": 45}
        ).execute()
        self.assertEqual(triggers(), before + 1)
        # what the job then does: the days of the new lead time taken, and
        # the lines at 45 days
        self.env["crm.pipeline.snapshot"]._cron_take_snapshots(batch_days=1000)
        self.assertFalse(self.env["crm.pipeline.snapshot"]._sff_days_missing())
        self.env.cr.execute("SELECT DISTINCT lead_days FROM crm_forecast_accuracy_report")
        self.assertEqual({row[0] for row in self.env.cr.fetchall()} - {0}, {45})

    def test_days_beyond_what_the_module_reads_are_refused(self):
        for values in ({"sff_accuracy_lead_days": 731}, {"sff_submission_stale_days": 1000000}):
            with self.subTest(values), self.assertRaises(ValidationError):
                self.Settings.create(values).execute()

    def test_values_written_over_rpc_break_nothing(self):
        """Parameters holding what the page would refuse: the screens, the
        snapshots' job, the accuracy's refresh and the settings page work
        on the defaults (7 days, 30 days, Monday, the time zone in force)."""
        self.make_deal("Deal", self.s_proposal, 1000)
        tz = self.env["crm.funnel.summary"]._sff_tz()
        for stale, lead in (("abc", "30.5"), ("1000000", "-10"), ("", "1000000")):
            self.Param.set_param(STALE_DAYS_PARAM, stale)
            self.Param.set_param(ACCURACY_LEAD_DAYS_PARAM, lead)
            self.Param.set_param(WEEKDAY_PARAM, "monday")
            with self.subTest(stale=stale, lead=lead):
                self.assertEqual(self.forecast_screen()["stale_days"], 7)
                self.env["crm.pipeline.snapshot"]._sff_days_missing()
                self.env["crm.forecast.accuracy.report"]._sff_refresh()
                self.env.cr.execute("SELECT DISTINCT lead_days FROM crm_forecast_accuracy_report")
                self.assertEqual({row[0] for row in self.env.cr.fetchall()} - {0, 30}, set())
                values = self.opened_settings()
                self.assertEqual(
                    (
                        values["sff_snapshot_weekday"],
                        values["sff_funnel_summary_tz"],
                        values["sff_accuracy_lead_days"],
                        values["sff_submission_stale_days"],
                    ),
                    ("0", tz, 30, 7),
                )

    def test_time_zone_written_around_the_page_is_refused_in_words(self):
        """The totals' time zone written over RPC or imported as a name
        PostgreSQL does not know broke every funnel query ("time zone not
        recognized"): it is refused with what to do, the setting unchanged;
        one stored before this check is put right by the upgrade."""
        self.Param.set_param(TZ_PARAM, "Europe/Paris")
        self.make_deal("SFF Time Zone Deal", self.s_proposal, 1000)
        Report = self.env["crm.funnel.report"]

        def reached():
            domain = [("lead_id.name", "=", "SFF Time Zone Deal")]
            return Report.read_group(domain, ["reached:sum"], ["stage_id"])

        before = reached()
        self.assertIn(
            ((self.s_proposal.id, self.s_proposal.name), 1),
            [(group["stage_id"], group["reached"]) for group in before],
        )
        Param = self.env["ir.config_parameter"]
        for write in (
            lambda: self.Param.set_param(TZ_PARAM, "Mars/Olympus"),
            lambda: Param.search([("key", "=", TZ_PARAM)]).write({"value": "CEST"}),
            lambda: (
                self.env.cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [TZ_PARAM])
                or Param.create({"key": TZ_PARAM, "value": "europe/paris"})
            ),
        ):
            with (
                self.subTest(write),
                self.assertRaisesRegex(
                    ValidationError, "is not a time zone the funnel's monthly totals can use"
                ),
                self.env.cr.savepoint(),
            ):
                write()
            self.assertEqual(self.Param.get_param(TZ_PARAM), "Europe/Paris")
        self.assertEqual(reached(), before)
        # deleted (System Parameters, or emptied over RPC): the zone in force
        # stays written, which the reports' SQL reads as the totals do
        for delete in (
            lambda: Param.search([("key", "=", TZ_PARAM)]).unlink(),
            lambda: self.Param.set_param(TZ_PARAM, False),
        ):
            delete()
            self.assertEqual(self.Param.get_param(TZ_PARAM), "Europe/Paris")
        # stored raw before the check: the upgrade writes the one in force
        self.env.cr.execute(
            "UPDATE ir_config_parameter SET value = 'Mars/Olympus' WHERE key = %s", [TZ_PARAM]
        )
        self.env.registry.clear_cache()
        self.env["crm.funnel.summary"].init()
        self.assertIn(self.Param.get_param(TZ_PARAM), ("UTC", self.env.ref("base.user_admin").tz))

    def test_time_zone_is_the_one_set_not_the_administrators_own(self):
        """The install sets the totals' time zone (the administrator's
        then): the administrator's own preferences later move nothing."""
        before = self.env["crm.funnel.summary"]._sff_tz()
        self.assertEqual(self.Param.get_param(TZ_PARAM), before)
        admin = self.env.ref("base.user_admin")
        admin.tz = "Pacific/Kiritimati" if before != "Pacific/Kiritimati" else "Asia/Tokyo"
        self.assertEqual(self.env["crm.funnel.summary"]._sff_tz(), before)

    def test_time_zone_cleared_keeps_the_one_in_force(self):
        """The totals' time zone emptied on the settings page: the one in
        force stays written, which the reports' SQL reads as the totals
        are built (a missing setting read as UTC there and as the
        administrator's time zone for the totals: the plans' months of the
        rows and of the totals differed)."""
        before = self.env["crm.funnel.summary"]._sff_tz()
        self.Settings.create({"sff_funnel_summary_tz": False}).execute()
        self.assertEqual(self.Param.get_param(TZ_PARAM), before)

    def test_time_zone_change_reaches_the_plans_actuals(self):
        """A deal won at 23:30 UTC on 31 January 2025 is January's in UTC,
        February's in Paris: the plan (ended long ago, which the daily job
        no longer refreshes) follows the change at once."""
        self.Settings.create({"sff_funnel_summary_tz": "UTC"}).execute()
        plan = make_plan(
            self.env, self.team, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)
        )
        deal = self.make_deal("Won at 23:30 UTC", self.s_won, 1000)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = '2025-01-31 23:30:00' WHERE id = %s", [deal.id]
        )
        self.env.invalidate_all()
        plan.action_refresh_actuals()

        def won():
            return [
                plan.month_period_ids.filtered(
                    lambda period, month=month: period.date_from == date(2025, month, 1)
                ).actual_deals_won
                for month in (1, 2)
            ]

        self.assertEqual(won(), [1, 0])
        self.Settings.create({"sff_funnel_summary_tz": "Europe/Paris"}).execute()
        plan.invalidate_recordset()
        self.assertEqual(won(), [0, 1])

    def test_stage_setting_reaches_deals_of_no_company(self):
        """Deals of no company (a team shared by companies, unassigned)
        follow the current company's setting: switched off, they take
        Odoo's 12 % again; switched on, their stage's 60 %."""
        deal = self.make_deal("No company", self.s_proposal, 1000, user_id=False)
        own = self.make_deal("Own company", self.s_proposal, 1000)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET automated_probability = 12 WHERE id IN %s", [(deal.id, own.id)]
        )
        self.env.invalidate_all()
        self.assertFalse(deal.company_id)
        self.Settings.create({"crm_probability_from_stage": False}).execute()
        self.env.invalidate_all()
        self.assertEqual((deal.probability, own.probability), (12.0, 12.0))
        self.Settings.create({"crm_probability_from_stage": True}).execute()
        self.env.invalidate_all()
        self.assertEqual((deal.probability, own.probability), (60.0, 60.0))
        self.assertStructuresHold("the stage setting switched off and on")


@tagged("post_install", "-at_install")
class TestQuotaBasisSetting(TestSaleCommon):
    def test_quota_basis_change_reaches_the_plans_actuals(self):
        """An invoice of 400 posted, not paid: counted while the company
        counts invoices, nothing once it counts payments, at once."""
        company = self.company_data["company"]
        team = self.env["crm.team"].create({"name": "Basis Team", "company_id": company.id})
        deal = self.env["crm.lead"].create(
            {
                "name": "Invoiced",
                "type": "opportunity",
                "team_id": team.id,
                "company_id": company.id,
            }
        )
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            amounts=[400.0],
            invoice_date=date(2025, 6, 15),
            taxes=self.env["account.tax"],
        )
        invoice.opportunity_id = deal
        invoice.action_post()
        plan = make_plan(
            self.env,
            team,
            company_id=company.id,
            date_from=date(2025, 1, 1),
            date_to=date(2025, 12, 31),
        )
        plan.action_refresh_actuals()
        self.assertEqual(plan.year_period_ids.actual_revenue, 400.0)
        settings = self.env["res.config.settings"].with_company(company).create({})
        settings.crm_quota_basis = "cash"
        settings.execute()
        plan.invalidate_recordset()
        self.assertEqual(plan.year_period_ids.actual_revenue, 0.0)
