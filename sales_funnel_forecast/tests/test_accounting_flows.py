# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invoices, payments and quotas as accountants work: down payments, orders
invoiced in several invoices, links set after posting, payments matched and
unmatched. Every figure is set up to be counted by hand (no taxes: untaxed
and total are the same)."""

from datetime import timedelta

from odoo import Command, fields

from .common import FunnelCase, company_user


class TestAccountingFlows(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.accountant = company_user(
            cls.env,
            "sff_flow_accountant",
            "Anna Accountant",
            "account.group_account_invoice",
            cls.company,
        )
        # the team's pipeline: Prospect, then Qualified when an order is
        # confirmed, Proposal when the first invoice is posted, Won when the
        # invoices are paid; its own stages only, as a catalogue gives them
        cls.s_qualified.document_trigger = "order"
        cls.s_proposal.document_trigger = "invoice"
        cls.s_won.document_trigger = "payment"
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")
        cls.customer = cls.env["res.partner"].create({"name": "Hand Count Ltd"})
        cls.product = cls.env["product.product"].create(
            {
                "name": "Consulting day",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1000.0,
                "taxes_id": [Command.clear()],
            }
        )

    # ------------------------------------------------------------------
    def deal(self, name, user=None):
        return self.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.s_new.id,
                "user_id": (user or self.rep).id,
                "partner_id": self.customer.id,
            }
        )

    def order(self, deal, *prices):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "opportunity_id": deal.id,
                "user_id": deal.user_id.id,
                "team_id": self.team.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "price_unit": price,
                            "tax_id": [Command.clear()],
                        }
                    )
                    for price in prices
                ],
            }
        )
        order.action_confirm()
        return order

    def post(self, move):
        move.invoice_date = self.today
        move.action_post()
        return move

    def down_payment(self, order, percent):
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": percent})
        )
        return self.post(wizard._create_invoices(order))

    def loose_invoice(self, amount):
        """An invoice of no order (a service billed by the accountant)."""
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Work", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )

    def pay(self, move, amount):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"amount": amount, "payment_date": self.today})._create_payments()

    def figures(self, deal):
        deal.invalidate_recordset()
        return deal.stage_id, deal.invoiced_amount, deal.paid_amount

    # ------------------------------------------------------------------
    def test_paid_down_payment_does_not_win_the_deal(self):
        """An order of 1,000 with a down payment of 30 %: the customer pays
        the 300 of the down payment invoice. 700 is still to invoice: the
        deal waits in Proposal (its first invoice posted), not Won ("full
        payment received"). The final invoice (1,000 less the 300 already
        invoiced: 700) paid, the deal is won, 1,000 invoiced and paid."""
        deal = self.deal("Down payment")
        order = self.order(deal, 1000.0)
        self.assertEqual(deal.stage_id, self.s_qualified)
        advance = self.down_payment(order, 30)
        self.assertEqual(advance.amount_total, 300.0)
        self.assertEqual(self.figures(deal), (self.s_proposal, 300.0, 0.0))
        self.pay(advance, 300.0)
        self.assertEqual(advance.payment_state, "paid")
        self.assertEqual(self.figures(deal), (self.s_proposal, 300.0, 300.0))
        final = self.post(order._create_invoices(final=True))
        self.assertEqual(final.amount_total, 700.0)
        self.assertEqual(self.figures(deal), (self.s_proposal, 1000.0, 300.0))
        self.pay(final, 700.0)
        self.assertEqual(self.figures(deal), (self.s_won, 1000.0, 1000.0))

    def test_order_invoiced_in_two_invoices_is_won_when_both_are_paid(self):
        """An order of two lines, 600 and 400, invoiced line by line: the
        first invoice (600) paid leaves 400 to invoice, the deal is not won
        yet; the second invoiced and paid, it is."""
        deal = self.deal("Two invoices")
        order = self.order(deal, 600.0, 400.0)
        first = order._create_invoices()
        first.invoice_line_ids.filtered(lambda line: line.price_unit == 400.0).unlink()
        self.post(first)
        self.pay(first, 600.0)
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertEqual(self.figures(deal), (self.s_proposal, 600.0, 600.0))
        second = self.post(order._create_invoices())
        self.assertEqual(second.amount_total, 400.0)
        self.pay(second, 400.0)
        self.assertEqual(self.figures(deal), (self.s_won, 1000.0, 1000.0))

    def test_posted_invoice_linked_afterwards_moves_the_deal(self):
        """The accountant bills 400 without an order, posts it, and links it
        to its deal only afterwards: the deal reaches Proposal (its first
        invoice posted), as if linked before posting. Another invoice of
        250, posted and paid before the accountant links it to a second
        deal: that deal is won (its invoices paid)."""
        posted_deal, paid_deal = self.deal("Linked after posting"), self.deal("Linked after paying")
        posted = self.post(self.loose_invoice(400.0))
        posted.with_user(self.accountant).opportunity_id = posted_deal
        self.assertEqual(self.figures(posted_deal), (self.s_proposal, 400.0, 0.0))
        paid = self.post(self.loose_invoice(250.0))
        self.pay(paid, 250.0)
        paid.with_user(self.accountant).opportunity_id = paid_deal
        self.assertEqual(self.figures(paid_deal), (self.s_won, 250.0, 250.0))
        self.env.flush_all()
        # through Proposal, as posting then paying it would have
        self.assertEqual(
            [(row.stage_id, row.reason) for row in paid_deal.stage_history_ids.sorted("id")],
            [(self.s_new, "create"), (self.s_proposal, "accounting"), (self.s_won, "accounting")],
        )

    def test_grouped_invoice_goes_to_the_deal_it_bills_most_net_of_down_payments(self):
        """Deal A's order of 1,000 had a down payment of 300 invoiced; one
        invoice then bills the rest of A's order (1,000 less the 300: 700)
        and deal B's order of 800. B has the larger share (800 against
        700): the invoice counts for B, as the link of existing invoices on
        install sees it too. A keeps its down payment's 300."""
        deal_a, deal_b = self.deal("A, down payment"), self.deal("B")
        order_a, order_b = self.order(deal_a, 1000.0), self.order(deal_b, 800.0)
        self.down_payment(order_a, 30)
        grouped = (order_a | order_b)._create_invoices(final=True)
        self.assertEqual(len(grouped), 1)
        self.assertEqual(grouped.amount_total, 1500.0, "1,000 - 300 + 800")
        self.assertEqual(grouped.opportunity_id, deal_b)
        self.assertIn("it counts for B,", grouped.opportunity_warning)
        self.post(grouped)
        self.assertEqual(self.figures(deal_a)[1:], (300.0, 0.0))
        self.assertEqual(self.figures(deal_b)[1:], (1500.0, 0.0))
        # as the install's link of existing invoices finds it
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET opportunity_id = NULL WHERE id = %s", [grouped.id]
        )
        self.env.invalidate_all()
        self.env["account.move"]._sff_link_existing_invoices()
        self.assertEqual(grouped.opportunity_id, deal_b)

    def test_overdue_counts_the_installments_past_due(self):
        """An invoice of 1,000 dated 10 days ago, payable 30 % at once and
        70 % in 60 days: the first installment (300) is 10 days late, the
        second not due for 50 days. The deal's overdue amount is 300, as
        the invoice's own "overdue installments" say, not nothing (the
        invoice's due date is its last installment's). 100 paid leaves 200
        overdue; the first installment paid in full, nothing is."""
        terms = self.env["account.payment.term"].create(
            {
                "name": "30 % now, 70 % in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60}),
                ],
            }
        )
        deal = self.deal("Installments")
        move = self.loose_invoice(1000.0)
        move.write(
            {
                "opportunity_id": deal.id,
                "invoice_payment_term_id": terms.id,
                "invoice_date": self.today - timedelta(days=10),
            }
        )
        move.action_post()
        self.assertEqual(
            sorted(
                (line.date_maturity, line.amount_residual)
                for line in move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            ),
            [(self.today - timedelta(days=10), 300.0), (self.today + timedelta(days=50), 700.0)],
        )
        deal.invalidate_recordset()
        self.assertEqual(deal.overdue_amount, 300.0)
        self.pay(move, 100.0)
        deal.invalidate_recordset()
        self.assertEqual(
            (deal.invoiced_amount, deal.paid_amount, deal.overdue_amount), (1000.0, 100.0, 200.0)
        )
        # the daily job finds the same
        self.env["crm.lead"]._cron_refresh_overdue_amounts()
        deal.invalidate_recordset()
        self.assertEqual(deal.overdue_amount, 200.0)
        self.pay(move, 200.0)
        deal.invalidate_recordset()
        self.assertEqual(deal.overdue_amount, 0.0)
        self.env["crm.lead"]._cron_refresh_overdue_amounts()
        deal.invalidate_recordset()
        self.assertEqual(deal.overdue_amount, 0.0)

    def test_cash_basis_lists_the_payment_not_its_exchange_difference(self):
        """A company counting payments bills 1,000 EUR at 2 EUR a dollar
        (500) and is paid the 1,000 EUR when the euro is at 2.5: Odoo books
        the exchange difference in an entry of its own, matched with the
        invoice. Quota attainment lists one row, the payment's 500 at its
        date, not a second row of 0 for the exchange difference."""
        self.company.crm_quota_basis = "cash"
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].search(
            [("currency_id", "=", eur.id), ("company_id", "in", [self.company.id, False])]
        ).unlink()
        self.env["res.currency.rate"].create(
            [
                {"currency_id": eur.id, "name": "2000-01-01", "rate": 2.0},
                {"currency_id": eur.id, "name": self.today - timedelta(days=5), "rate": 2.5},
            ]
        )
        deal = self.deal("In euros")
        move = self.loose_invoice(1000.0)
        move.write(
            {
                "opportunity_id": deal.id,
                "currency_id": eur.id,
                "invoice_date": self.today - timedelta(days=30),
            }
        )
        move.action_post()
        self.assertEqual(move.amount_untaxed_signed, 500.0)
        self.pay(move, 1000.0)
        self.assertEqual(move.payment_state, "paid")
        self.env.flush_all()
        rows = self.env["crm.quota.report"].search([("move_id", "=", move.id)])
        self.assertEqual(
            [(row.date, row.basis, row.amount, row.user_id) for row in rows],
            [(self.today, "cash", 500.0, self.rep)],
        )
