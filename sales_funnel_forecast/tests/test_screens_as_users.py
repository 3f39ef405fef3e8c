# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's screens as each kind of user opens them: what a button or a
menu shows a user is what that user can open, with figures counted by
hand."""

from odoo.tests import tagged

from .common import FunnelCase


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
