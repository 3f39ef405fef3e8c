# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.27.0 read again by its next maintainer: the paths its changes
left out, counted by hand."""

from datetime import date

from lxml import etree

from odoo import Command
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestDealInvoicesListAsTheButton(FunnelCase):
    """An invoice of 100.03 untaxed (no tax) rounded to 0.05 down: Odoo adds
    a rounding line of 0.03, the customer owes 100.00. The deal's Invoiced
    button counts the product line, 100.03, as Odoo's Invoicing Analysis
    does; the list it opens totalled the invoices' untaxed amounts, 100.00
    (the rounding line in them): the button and its list disagreed."""

    def test_list_totals_the_buttons_figure(self):
        account = self.env["account.account"].search(
            [
                ("account_type", "=", "income"),
                *self.env["account.account"]._check_company_domain(self.company),
            ],
            limit=1,
        )
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "5 cents down",
                "rounding": 0.05,
                "strategy": "add_invoice_line",
                "rounding_method": "DOWN",
                "profit_account_id": account.id,
                "loss_account_id": account.id,
            }
        )
        customer = self.env["res.partner"].create({"name": "Rounded Ltd"})
        deal = self.make_deal("Rounded", self.s_new, 100)

        def post(move_type, price, day):
            move = self.env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": customer.id,
                    "invoice_date": day,
                    "opportunity_id": deal.id,
                    "invoice_cash_rounding_id": rounding.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Work", "quantity": 1, "price_unit": price, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
            return move

        # 100.03 invoiced (100.00 owed), 20.04 credited (20.00 given back)
        invoice = post("out_invoice", 100.03, date(2026, 3, 10))
        credit = post("out_refund", 20.04, date(2026, 3, 20))
        self.assertEqual(
            (invoice.amount_untaxed_signed, credit.amount_untaxed_signed), (100.0, -20.0)
        )
        self.assertEqual(deal.invoiced_amount, 79.99)
        action = deal.action_view_invoices()
        (list_view_id,) = [view_id for view_id, view_type in action["views"] if view_type == "list"]
        Move = self.env["account.move"]
        arch = etree.fromstring(Move.get_view(list_view_id, "list")["arch"])
        (column,) = arch.xpath("//field[@sum='Invoiced']")
        listed = Move.search(action["domain"])
        self.assertEqual(listed, invoice | credit)
        # each line's figure, and their total: the button's
        self.assertEqual(
            [(move, move[column.get("name")]) for move in listed.sorted("invoice_date")],
            [(invoice, 100.03), (credit, -20.04)],
        )
        self.assertEqual(round(sum(listed.mapped(column.get("name"))), 2), 79.99)
        # the deal's salesperson, limited to own documents, reads them too
        self.assertEqual(deal.user_id, self.rep)
        mine = Move.with_user(self.rep).search(action["domain"])
        self.assertEqual(mine.mapped(column.get("name")), listed.mapped(column.get("name")))
