# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A deal's orders on the paths accountants and upgrades take them: down
payments of orders invoiced on delivery, quotations of before the
upgrade. Every figure can be counted by hand (no taxes: untaxed and total
are the same)."""

from odoo import Command, fields
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestOrderPaths(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.customer = cls.env["res.partner"].create({"name": "Hand Count Ltd"})

    def product(self, policy):
        return self.env["product.product"].create(
            {
                "name": f"Work invoiced on {policy}",
                "type": "service",
                "invoice_policy": policy,
                "list_price": 1000.0,
                "taxes_id": [Command.clear()],
            }
        )

    def order(self, deal, product, price):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "opportunity_id": deal.id,
                "user_id": deal.user_id.id,
                "team_id": deal.team_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "price_unit": price,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def post_and_pay(self, move):
        move.invoice_date = self.today
        move.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"amount": move.amount_total, "payment_date": self.today})._create_payments()
        self.assertEqual(move.payment_state, "paid")
        return move

    def test_paid_down_payment_of_an_order_invoiced_on_delivery_does_not_win(self):
        """An order of 1,000 of work invoiced as it is delivered, nothing
        delivered yet, with a down payment of 30 %: the customer pays the
        300. The 1,000 is still to deliver and invoice (Odoo says "Nothing
        to invoice" until then): the deal waits in Proposal, not in the won
        Payment stage. Delivered, invoiced (700 left) and paid: won."""
        self.s_qualified.document_trigger = "order"
        self.s_proposal.document_trigger = "invoice"
        self.s_won.document_trigger = "payment"
        # the team's own stages only, as a catalogue gives them
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        deal = self.make_deal("Delivered later", self.s_new, 1000.0, user_id=self.rep.id)
        order = self.order(deal, self.product("delivery"), 1000.0)
        order.action_confirm()
        self.assertEqual(deal.stage_id, self.s_qualified)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 30})
        )
        advance = self.post_and_pay(wizard._create_invoices(order))
        self.assertEqual(advance.amount_total, 300.0)
        self.assertEqual(order.invoice_status, "no")
        deal.invalidate_recordset()
        self.assertEqual((deal.stage_id, deal.paid_amount), (self.s_proposal, 300.0))
        order.order_line.filtered(lambda line: not line.is_downpayment).qty_delivered = 1
        final = self.post_and_pay(order._create_invoices(final=True))
        self.assertEqual(final.amount_total, 700.0)
        deal.invalidate_recordset()
        self.assertEqual((deal.stage_id, deal.paid_amount), (self.s_won, 1000.0))

    def test_quotation_sent_before_the_upgrade_dates_from_its_email(self):
        """A quotation of before the upgrade, written on day 2 (its order
        date) and emailed to the customer on day 9, still waiting for an
        answer: it was sent on day 9, its first message to the customer,
        not on day 2, when it was only written."""
        self.set_now(self.t0)
        deal = self.make_deal("Quoted before", self.s_proposal, 10000, user_id=self.rep.id)
        order = self.order(deal, self.product("order"), 700.0)
        order.action_quotation_sent()
        order.message_post(
            body="Your quotation", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE mail_message SET date = %s
                WHERE model = 'sale.order' AND res_id = %s AND message_type = 'comment'""",
            [self.day(9), order.id],
        )
        self.env.cr.execute(
            "UPDATE sale_order SET date_order = %s, quotation_sent_date = NULL WHERE id = %s",
            [self.day(2), order.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self.env["sale.order"]._sff_fill_quotation_sent_dates(), 1)
        self.assertEqual((order.state, order.quotation_sent_date), ("sent", self.day(9)))
