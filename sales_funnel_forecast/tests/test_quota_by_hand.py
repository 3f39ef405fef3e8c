# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quota attainment and the target plans' invoiced actuals, counted by hand
as an accountant would: invoices of 1,000 untaxed with 15 % tax (1,150 to
pay) unless said, payments, credit notes and journal entries matched with
them, in the months of 2026."""

from datetime import date

from odoo import Command

from .common import FunnelCase, make_plan


class TestQuotaByHand(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Hand Count Ltd"})
        cls.tax = cls.env["account.tax"].create(
            {"name": "Sales 15 %", "amount": 15.0, "type_tax_use": "sale"}
        )
        cls.misc_journal = cls.env["account.journal"].search(
            [
                ("type", "=", "general"),
                *cls.env["account.journal"]._check_company_domain(cls.company),
            ],
            limit=1,
        )

    # ------------------------------------------------------------------
    def deal(self, name, user=None):
        return self.make_deal(
            name, self.s_new, user_id=(user or self.rep).id, partner_id=self.customer.id
        )

    def invoice(self, deal, amount, day):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": day,
                "opportunity_id": deal.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Work",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set(self.tax.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def pay(self, moves, amount, day):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"amount": amount, "payment_date": day})
            ._create_payments()
        )

    @staticmethod
    def receivable(move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def rows(self, moves):
        """The quota attainment rows of ``moves``: (date, amount)."""
        self.env.flush_all()
        return [
            (row.date, row.amount)
            for row in self.env["crm.quota.report"].search(
                [("move_id", "in", moves.ids)], order="date, id"
            )
        ]

    def monthly_actuals(self, plan):
        """The plan's invoiced revenue by month (months with revenue), and
        for the whole plan."""
        plan.action_refresh_actuals()
        periods = plan.period_ids
        return {
            period.date_from.month: period.actual_revenue
            for period in periods.filtered(
                lambda period: period.period_type == "month" and period.actual_revenue
            )
        }, periods.filtered(lambda period: period.period_type == "year").actual_revenue

    # ------------------------------------------------------------------
    def test_cash_basis_counts_no_journal_entry_reversing_an_invoice(self):
        """Rita invoices 1,150 (1,000 untaxed) in January; the customer pays
        575 on 10 February (500 untaxed), and on 3 March the accountant
        reverses the rest of the sale with a journal entry (575 off the
        receivable: 500 back out of sales, 75 of tax), matched with the
        invoice. No money came in in March: attainment counts 500, in
        February; the plan's actuals too."""
        self.company.crm_quota_basis = "cash"
        plan = make_plan(
            self.env,
            self.team,
            user_id=self.rep.id,
            date_from=date(2026, 1, 1),
            date_to=date(2026, 12, 31),
            revenue_target=12000,
        )
        deal = self.deal("Half reversed")
        move = self.invoice(deal, 1000.0, date(2026, 1, 15))
        self.pay(move, 575.0, date(2026, 2, 10))
        receivable = self.receivable(move)
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.misc_journal.id,
                "date": date(2026, 3, 3),
                "line_ids": [
                    Command.create(
                        {
                            "name": "Sale reversed",
                            "account_id": receivable.account_id.id,
                            "partner_id": self.customer.id,
                            "credit": 575.0,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Sale reversed",
                            "account_id": move.invoice_line_ids.account_id.id,
                            "debit": 500.0,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Sale reversed",
                            "account_id": move.line_ids.filtered("tax_line_id").account_id.id,
                            "debit": 75.0,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        (receivable | entry.line_ids.filtered(lambda line: line.credit)).reconcile()
        self.assertEqual(move.amount_residual, 0.0)
        self.assertEqual(self.rows(move), [(date(2026, 2, 10), 500.0)])
        attainment = self.env["crm.quota.report"]._sff_attainment([("lead_id", "=", deal.id)])
        self.assertEqual(attainment["rows"][0]["amounts"], [500.0])
        self.assertEqual(attainment["rows"][0]["total"], 500.0)
        self.assertEqual(self.monthly_actuals(plan), ({2: 500.0}, 500.0))

    def test_cash_basis_counts_a_payment_received_before_the_invoice_at_its_date(self):
        """The customer pays 1,150 on 20 December 2025, before Rita's
        invoice of 1,150 (1,000 untaxed) of 15 January 2026, which the
        accountant then matches with the payment. Counting payments, the
        1,000 came in in December (the payment's date, as the report's Date
        says), not in January; the plan's actuals too."""
        self.company.crm_quota_basis = "cash"
        plan = make_plan(
            self.env,
            self.team,
            user_id=self.rep.id,
            date_from=date(2025, 12, 1),
            date_to=date(2026, 11, 30),
            revenue_target=12000,
        )
        deal = self.deal("Paid in advance")
        journal = self.env["account.journal"].search(
            [
                ("type", "=", "bank"),
                *self.env["account.journal"]._check_company_domain(self.company),
            ],
            limit=1,
        )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 1150.0,
                "date": date(2025, 12, 20),
                "journal_id": journal.id,
            }
        )
        payment.action_post()
        move = self.invoice(deal, 1000.0, date(2026, 1, 15))
        (self.receivable(move) | self.receivable(payment.move_id)).reconcile()
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.rows(move), [(date(2025, 12, 20), 1000.0)])
        self.assertEqual(self.monthly_actuals(plan), ({12: 1000.0}, 1000.0))
