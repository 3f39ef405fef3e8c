# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's daily CRM flows, as a salesperson restricted to own documents:
a team picked in the form before the first save, a deal handed over with
a typed probability or a chosen category, a deal quick-created won, a
lost deal restored after its stage was archived."""

from odoo import Command, fields
from odoo.tests import Form, tagged

from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestDailyFlows(FunnelCase):
    def _clock(self, when):
        """The module's clock and Odoo's fields.Datetime.now() (which the
        sale order's confirmation stamps) both read ``when``."""
        self.set_now(when)
        self.patch(fields.Datetime, "now", lambda *args: when)

    # ------------------------------------------------------------------
    # A. a deal created with its team changed in the form
    # ------------------------------------------------------------------
    def test_new_deal_whose_team_is_changed_in_the_form_enters_its_pipeline(self):
        """Rita (team Plain) creates a deal in the full form and picks the
        catalogue team before saving: Odoo leaves the stage it gave for
        Plain (shared "New"); the saved deal enters its team's pipeline and
        funnel, as when the team is changed after the first save (it stayed
        in "New", outside them)."""
        self.env["crm.team"].create({"name": "Plain", "member_ids": [Command.link(self.rep.id)]})
        cat_team = self.env["crm.team"].create({"name": "Catalogue"})
        stages = apply_catalogue(self.env, cat_team)
        form = Form(
            self.env["crm.lead"].with_user(self.rep).with_context(default_type="opportunity"),
            view="crm.crm_lead_view_form",
        )
        form.name = "Team picked in the form"
        form.expected_revenue = 1000
        form.team_id = cat_team
        deal = form.save()
        self.end_request()
        self.assertEqual(deal.team_id, cat_team)
        self.assertIn(deal.stage_id, stages, f"the deal is in {deal.stage_id.name}")
        self.assertTrue(self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)]))

    # ------------------------------------------------------------------
    # B. handing a deal over with a typed probability / chosen category
    # ------------------------------------------------------------------
    def test_rep_hands_a_deal_over_with_a_typed_probability(self):
        """Rita hands her deal to Otto and types 45 % in the same save of
        the form: saved, as plain Odoo saves it, the probability typed (the
        module's flag was written afterwards as Rita on Otto's deal: an
        access error)."""
        deal = self.make_deal("Handed over", self.s_qualified, 1000)
        self.end_request()
        # the form's save (its read back afterwards, of a deal Rita no longer
        # reads, is refused in plain Odoo too)
        deal.with_user(self.rep).write({"user_id": self.other_rep.id, "probability": 45})
        self.end_request()
        self.assertEqual(deal.user_id, self.other_rep)
        self.assertEqual(deal.probability, 45)
        self.assertTrue(deal.probability_is_manual)

    def test_rep_hands_a_deal_over_with_a_chosen_category(self):
        """The same with a category chosen in the save."""
        deal = self.make_deal("Handed over", self.s_qualified, 1000)
        self.end_request()
        deal.with_user(self.rep).write(
            {"user_id": self.other_rep.id, "forecast_category": "best_case"}
        )
        self.end_request()
        self.assertEqual(deal.forecast_category, "best_case")
        self.assertTrue(deal.forecast_category_is_manual)

    # ------------------------------------------------------------------
    # C. quick create in the won column
    # ------------------------------------------------------------------
    def test_deal_quick_created_in_the_won_column_counts_as_won_this_month(self):
        """Rita quick-creates a deal of 1,000 in the Won column of her
        team's kanban: the funnel counts it won, and it is closed now, so
        the Forecast screen's won of this month counts it (as the forecast
        accuracy, the plans' deals won, the stages' win rates do: without a
        closing date they left it out)."""
        form = Form(
            self.env["crm.lead"]
            .with_user(self.rep)
            .with_context(
                default_type="opportunity",
                default_stage_id=self.s_won.id,
                default_team_id=self.team.id,
            ),
            view="crm.quick_create_opportunity_form",
        )
        form.name = "Won on the phone"
        form.expected_revenue = 1000
        deal = form.save()
        self.end_request()
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(sum(rows.mapped("won")) and 1, 1, "the funnel counts it won")
        self.assertTrue(deal.date_closed, "a won deal has its closing date")
        # an import of a past won deal keeps its file's closing date (here
        # none), not today's
        imported = (
            self.env["crm.lead"]
            .with_context(import_file=True)
            .create(
                {
                    "name": "Won years ago",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": self.s_won.id,
                }
            )
        )
        self.assertFalse(imported.date_closed)
        month = fields.Date.today().replace(day=1)
        prefill = self.env["crm.forecast.submission"]._sff_prefill(
            self.rep.id, self.team.id, "month", month
        )
        self.assertEqual(prefill["won_amount"], 1000)

    # ------------------------------------------------------------------
    # E. a lost deal restored after its stage was archived
    # ------------------------------------------------------------------
    def test_deal_restored_into_an_archived_stage_is_open_in_the_funnel(self):
        """A deal lost in stage Extra (40 %); the manager archives Extra
        (allowed: no open deal in it); Rita restores the deal: it enters the
        open stage of its pipeline nearest in percentage, with a stay of
        cause "Team's pipeline",
        open in the funnel there and in the Revenue Forecast (it stayed
        open in the archived stage: 400 in the forecast, open nowhere in
        the funnel)."""
        self.set_now(self.t0)
        extra = self.env["crm.stage"].create(
            {
                "name": "T-Extra",
                "sequence": 902,
                "team_id": self.team.id,
                "forecast_probability": 40,
            }
        )
        deal = self.make_deal("Restored", extra, 1000)
        reason = self.env["crm.lost.reason"].create({"name": "Review price", "category": "price"})
        self.set_now(self.day(1))
        deal.with_user(self.rep).action_set_lost(lost_reason_id=reason.id)
        self.end_request()
        self.set_now(self.day(2))
        extra.with_user(self.manager).action_archive()
        self.set_now(self.day(3))
        deal.with_user(self.rep).toggle_active()
        self.end_request()
        self.assertTrue(deal.stage_id.active)
        Stage = self.env["crm.stage"]
        pipeline = Stage.search(Stage._sff_pipeline_domain(self.team.id) + [("is_won", "=", False)])
        self.assertIn(deal.stage_id, pipeline)
        self.assertEqual(
            deal.stage_id,
            min(pipeline, key=lambda stage: abs(stage.forecast_probability - 40)),
            "the open stage of its pipeline nearest to 40 %",
        )
        current = deal.stage_history_ids.filtered(lambda stay: not stay.date_out)
        self.assertEqual((current.stage_id, current.reason), (deal.stage_id, "team"))
        forecast = self.env["crm.forecast.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(forecast.forecast_revenue, 1000 * deal.stage_id.forecast_probability / 100)
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(
            rows.filtered("open_here").stage_id, deal.stage_id, "open there in the funnel"
        )
