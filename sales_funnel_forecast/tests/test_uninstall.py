# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Uninstall and install again: what the uninstall hook keeps and removes,
and the install's data onto records the database has already (the
lifecycle script, scripts/lifecycle.sh, uninstalls a real database)."""

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

from ..hooks import _set_initial_stage_percentages, pre_init_hook, uninstall_hook
from .common import FunnelCase, apply_catalogue, make_plan


@tagged("post_install", "-at_install")
class TestUninstallKeeps(TransactionCase):
    def _module_records(self, model):
        """What Odoo's uninstall removes after the hook: the records of
        ``model`` that the module alone names."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "sales_funnel_forecast"), ("model", "=", model)]
        )
        return self.env[model].browse(data.mapped("res_id")).exists()

    def test_uninstall_keeps_the_source_of_deals_orders(self):
        """A deal that came by referral (the module's "Referral" source,
        picked by a rep) keeps its source once the module is uninstalled,
        as a deal lost for one of the module's lost reasons keeps its
        reason."""
        referral = self.env.ref("sales_funnel_forecast.utm_source_referral")
        deal = self.env["crm.lead"].create(
            {"name": "Referred deal", "type": "opportunity", "source_id": referral.id}
        )
        reason = self.env.ref("sales_funnel_forecast.lost_reason_price")
        lost = self.env["crm.lead"].create({"name": "Lost deal", "type": "opportunity"})
        lost.action_set_lost(lost_reason_id=reason.id)
        self.env.flush_all()
        uninstall_hook(self.env)
        # what ir.model.data._module_data_uninstall does with them next
        for model in ("crm.lost.reason", "utm.source"):
            self._module_records(model).with_context(**{MODULE_UNINSTALL_FLAG: True}).unlink()
        self.env.invalidate_all()
        self.assertEqual(lost.lost_reason_id, reason, "the lost reason is kept (the hook does it)")
        self.assertEqual(deal.source_id, referral, "the deal's source is lost on uninstall")
        # unused ones go with the module
        self.assertFalse(self.env.ref("sales_funnel_forecast.utm_source_cold_call", False))
        self.assertEqual(self._module_records("utm.source"), self.env["utm.source"])

    def test_reinstall_after_uninstall_does_not_duplicate_lost_reasons(self):
        """Uninstall keeps the module's lost reasons that deals were lost
        with (without their xml id); installing the module again must not
        add a second "Price too high" beside the kept one."""
        reason = self.env.ref("sales_funnel_forecast.lost_reason_price")
        lost = self.env["crm.lead"].create({"name": "Lost deal", "type": "opportunity"})
        lost.action_set_lost(lost_reason_id=reason.id)
        self.env.flush_all()
        Reason = self.env["crm.lost.reason"].with_context(lang="en_US", active_test=False)
        before = Reason.search([("name", "=", "Price too high")])
        uninstall_hook(self.env)
        self.assertFalse(self.env.ref("sales_funnel_forecast.lost_reason_price", False))
        # the install again: its hook, then its data file in init mode
        pre_init_hook(self.env)
        convert_file(
            self.env,
            "sales_funnel_forecast",
            "data/crm_lost_reason_data.xml",
            {},
            mode="init",
            noupdate=True,
        )
        self.assertEqual(
            Reason.search([("name", "=", "Price too high")]),
            before,
            "lost reasons named 'Price too high' after reinstall",
        )
        self.assertIn(self.env.ref("sales_funnel_forecast.lost_reason_price"), before)


@tagged("post_install", "-at_install")
class TestUninstallArchivedStages(FunnelCase):
    def assert_uninstall_runs(self):
        try:
            with self.env.cr.savepoint():
                uninstall_hook(self.env)
                self.env.flush_all()
        except Exception as error:  # noqa: BLE001 - what the administrator gets
            self.fail(f"the uninstall hook failed: {type(error).__name__}: {error}")

    def test_uninstall_with_an_archived_stage_a_deal_went_through(self):
        """A deal went through a stage (day 0), moved on (day 1); the stage
        was archived since and holds no deal. The uninstall deletes such
        stages: it must not fail on the deal's forecast versions that
        point to it."""
        extra = self.env["crm.stage"].create(
            {"name": "T-Extra", "sequence": 901, "team_id": self.team.id}
        )
        self.set_now(self.t0)
        deal = self.make_deal("Through extra", extra, 1000)
        self.end_request()
        self.set_now(self.day(1))
        deal.stage_id = self.s_qualified
        self.end_request()
        extra.action_archive()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM crm_lead_forecast_version WHERE stage_id = %s", [extra.id]
        )
        self.assertTrue(self.env.cr.fetchone()[0], "the deal's first version is in the stage")
        self.assert_uninstall_runs()

    def test_uninstall_with_an_archived_stage_in_a_target_plan(self):
        """A plan's stage conversions name a stage archived since (no deal
        in it): the uninstall must not fail on the plan's line."""
        extra = self.env["crm.stage"].create(
            {"name": "T-Extra", "sequence": 901, "team_id": self.team.id}
        )
        make_plan(
            self.env,
            self.team,
            company_id=self.company.id,
            stage_line_ids=[(0, 0, {"stage_id": extra.id, "conversion": 50})],
        )
        extra.action_archive()
        self.env.flush_all()
        self.assert_uninstall_runs()


@tagged("post_install", "-at_install")
class TestInstallOntoOwnRecords(TransactionCase):
    def test_install_onto_a_company_s_own_referral_source(self):
        """A company that already tracks a "Referral" source (utm.source
        names are unique) installs the module: its source is the referral
        source, not a second "Referral [2]" beside it with the origin type
        while the company's deals stay on the first one."""
        referral = self.env.ref("sales_funnel_forecast.utm_source_referral")
        # the company's own source, as before the install (no xml id)
        self.env["ir.model.data"].search(
            [("module", "=", "sales_funnel_forecast"), ("name", "=", "utm_source_referral")]
        ).unlink()
        deal = self.env["crm.lead"].create(
            {"name": "Referred", "type": "opportunity", "source_id": referral.id}
        )
        pre_init_hook(self.env)
        convert_file(
            self.env,
            "sales_funnel_forecast",
            "data/utm_source_data.xml",
            {},
            mode="init",
            noupdate=True,
        )
        sources = self.env["utm.source"].search([("name", "=like", "Referral%")])
        self.assertEqual(
            sorted(sources.mapped("name")), ["Referral"], "sources after the install's data"
        )
        self.assertEqual(deal.source_id.origin_type, "seed")


@tagged("post_install", "-at_install")
class TestReinstall(FunnelCase):
    def test_reinstall_gives_a_catalogue_team_its_step_percentages(self):
        """A team ran the 17-step project catalogue (First contact 2 %,
        Final negotiation 50 %) with a deal in each of those stages. The
        uninstall dropped the stages' percentages (and the catalogue's
        link); installed again, the stages named after the catalogue's
        steps get the steps' percentages back (they were spread between
        Odoo's shared stages: 21 % and 74 % on the demo), which the deals
        in them still carry."""
        team = self.env["crm.team"].create({"name": "Project team"})
        stages = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_project_sales"
        )
        by_name = {stage.name: stage for stage in stages}
        first, last = by_name["First contact"], by_name["Final negotiation"]
        early = self.make_deal("Early", first, 1000, team_id=team.id)
        late = self.make_deal("Late", last, 1000, team_id=team.id)
        self.assertEqual((early.probability, late.probability), (2, 50))
        self.env.flush_all()
        # what the uninstall left: stages without percentage nor step, a
        # team without catalogue
        self.env.cr.execute(
            """UPDATE crm_stage SET forecast_probability = NULL, catalogue_line_id = NULL
                WHERE team_id = %s""",
            [team.id],
        )
        self.env.cr.execute(
            "UPDATE crm_team SET stage_catalogue_id = NULL WHERE id = %s", [team.id]
        )
        self.env.invalidate_all()
        _set_initial_stage_percentages(self.env)
        self.env.invalidate_all()
        self.assertEqual(
            [stage.forecast_probability for stage in stages._sff_sorted()],
            [
                line.forecast_probability
                for line in self.env.ref(
                    "sales_funnel_forecast.catalogue_project_sales"
                ).line_ids.sorted("sequence")
            ],
        )
        self.assertEqual((first.forecast_probability, last.forecast_probability), (2, 50))
