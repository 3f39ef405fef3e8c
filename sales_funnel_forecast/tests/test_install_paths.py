# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Installed onto deals whose chatter tells their past: the funnel rows of
a deal handed over between teams, or moved through a stage deleted since;
installed onto a new database: tables before the views that read them."""

from odoo.models import MetaModel
from odoo.tests import TransactionCase, tagged

from ..install.stage_history import backfill_from_tracking
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestInstalledFunnel(FunnelCase):
    def install_rebuild(self, deals):
        """What the install runs over existing deals: the stays from the
        chatter, then the forecast versions from them."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.cr.execute(
            "DELETE FROM crm_lead_stage_history WHERE lead_id = ANY(%s)", [deals.ids]
        )
        self.env.invalidate_all()
        backfill_from_tracking(self.env)
        self.env["crm.lead.forecast.version"]._sff_rebuild()
        self.env.invalidate_all()

    def test_deal_handed_to_another_team_did_not_reach_won(self):
        """Prospected in the test team (its own stages, sequences 901-904),
        then handed on day 2 to a team on Odoo's shared pipeline (New 1,
        Qualified 2, Proposition 3, Won 70) into New, where it still is: in
        its team's funnel it reached New only, not Proposition or Won."""
        other_team = self.env["crm.team"].create({"name": "Shared pipeline team"})
        shared_new = self.env.ref("crm.stage_lead1")
        deal = self.make_deal("Handed over", self.s_new, 1000)
        self.created(deal)
        self.track(deal, {"team_id": other_team.id, "stage_id": shared_new.id}, 2)
        self.install_rebuild(deal)
        self.env["crm.lead.stage.reach"]._sff_fill()
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(sorted(rows.mapped("stage_id.name")), ["New"], "stages the deal reached")

    def test_deal_through_a_deleted_stage_did_not_reach_won(self):
        """New (day 0), then a stage between Qualified and Proposal that was
        deleted since (day 1), then Proposal (day 2), where it is open: it
        reached New, Qualified (skipped), Proposal; not Won."""
        deal, _gone_id = self.deal_through_a_deleted_stage()
        self.install_rebuild(deal)
        self.env["crm.lead.stage.reach"]._sff_fill()
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        team_rows = rows.filtered(lambda row: row.stage_id.team_id == self.team)
        self.assertEqual(
            team_rows.stage_id.mapped("name"),
            ["T-Prospect", "T-Qualified", "T-Proposal"],
            "an open deal in Proposal did not reach Won",
        )


@tagged("post_install", "-at_install")
class TestSetUpOrder(TransactionCase):
    def test_tables_are_made_before_the_report_views_that_read_them(self):
        """A new database gets the module's tables and report views in the
        order its classes are defined (each model's table or view in turn):
        every model of models/ before any report of reports/, whose views
        read their tables (the adoption report's reads the logins'). An
        import of the reports from a model once defined them first, and the
        install failed."""
        packages = [
            cls.__module__.split(".")[3]
            for cls in MetaModel.module_to_models["sales_funnel_forecast"]
            if cls.__module__.split(".")[3] in ("models", "reports")
        ]
        self.assertEqual(packages, sorted(packages))
        self.assertIn("reports", packages)
