# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's screens as each kind of user opens them: what a button or a
menu shows a user is what that user can open, with figures counted by
hand."""

from datetime import datetime, time, timedelta

from odoo.osv import expression
from odoo.tests import tagged

from ..tools.days import local_today
from .common import FunnelCase, screen_domain


@tagged("post_install", "-at_install")
class TestScreensAsUsers(FunnelCase):
    def test_rep_opens_the_invoices_the_deal_counts(self):
        """Accounting bills Rita's deal: an invoice of 1,000 whose
        salesperson is whoever made it (not Rita). Her deal says 1 invoice,
        1,000 invoiced; its Invoiced button opens that invoice with its line
        of 1,000, lost deal or not. Otto, limited to his own deals, does not
        read it."""
        deal = self.make_deal("Billed by accounting", self.s_proposal, 1000)
        move = self.post_invoice(deal, 1000, self.company)
        self.assertNotEqual(move.invoice_user_id, self.rep)
        for lost in (False, True):
            if lost:
                deal.action_set_lost()
            mine = deal.with_user(self.rep)
            self.assertEqual((mine.invoice_count, mine.invoiced_amount), (1, 1000.0))
            action = mine.action_view_invoices()
            listed = self.env["account.move"].with_user(self.rep).search(action["domain"])
            self.assertEqual(listed, move, f"lost: {lost}")
            [invoice] = listed.web_read(
                {"amount_untaxed": {}, "invoice_line_ids": {"fields": {"price_subtotal": {}}}}
            )
            self.assertEqual(invoice["amount_untaxed"], 1000.0)
            self.assertEqual(
                [line["price_subtotal"] for line in invoice["invoice_line_ids"]], [1000.0]
            )
        others = self.env["account.move"].with_user(self.other_rep)
        self.assertFalse(others.search([("id", "=", move.id)]))

    def test_snapshot_taken_by_hand_shows_where_the_button_leaves(self):
        """A manager takes a snapshot of the pipeline from the Pipeline Trend
        on a day that is not the settings' weekly snapshot day: the screen
        the button leaves them on shows it, the team's 2 deals open at the
        start of the day, 4,000."""
        today = local_today(self.env)
        self.env["ir.config_parameter"].set_param(
            "sales_funnel_forecast.snapshot_weekday", str((today.weekday() + 1) % 7)
        )
        self.set_now(datetime.combine(today - timedelta(days=1), time(12)))
        self.make_deal("Snapped one", self.s_new, 1000)
        self.make_deal("Snapped two", self.s_qualified, 3000)
        self.set_now(datetime.now())
        manager = self.env(user=self.manager)
        result = manager["crm.pipeline.snapshot"].action_take_snapshot()
        then = result["params"]["next"]
        if then["type"] == "ir.actions.client":
            # a reload of the screen the manager is on: the menu's
            then = manager["ir.actions.act_window"]._for_xml_id(
                "sales_funnel_forecast.crm_pipeline_snapshot_action"
            )
        domain, Snapshot = screen_domain(manager, then)
        rows = Snapshot.search(expression.AND([domain, [("team_id", "=", self.team.id)]]))
        self.assertEqual(
            (sum(rows.mapped("deal_count")), sum(rows.mapped("expected_revenue"))), (2, 4000.0)
        )
        self.assertEqual(set(rows.mapped("date_snapshot")), {today})
