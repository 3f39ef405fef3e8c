# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invoices linked to deals: the link, the deal's invoiced / paid / overdue
amounts, stages that follow the documents, quota attainment. Every figure is
set up to be counted by hand."""

import io
from datetime import datetime, time, timedelta

import openpyxl
from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command, fields
from odoo.addons.sale.tests.common import TestSaleCommon
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.crm_lead_forecast_version import MOMENT_SETTING
from ..tools.days import local_today
from .common import StructuresMixin, company_user


@tagged("post_install", "-at_install")
class TestInvoices(StructuresMixin, TestSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.company_data["company"]
        # the day the module counts overdue installments from (the funnel
        # totals' time zone): after its midnight, UTC's date is still the day before
        cls.today = local_today(cls.env)
        cls.rep = company_user(
            cls.env, "sff_inv_rep", "Rita Rep", "sales_team.group_sale_salesman", cls.company
        )
        cls.other_rep = company_user(
            cls.env, "sff_inv_other", "Otto Rep", "sales_team.group_sale_salesman", cls.company
        )
        cls.accountant = company_user(
            cls.env,
            "sff_inv_accountant",
            "Anna Accountant",
            "account.group_account_invoice",
            cls.company,
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "Invoice Team", "company_id": cls.company.id}
        )
        Stage = cls.env["crm.stage"]
        cls.s_new = Stage.create(
            {"name": "I-New", "sequence": 951, "team_id": cls.team.id, "forecast_probability": 10}
        )
        cls.s_order = Stage.create(
            {
                "name": "I-Order",
                "sequence": 952,
                "team_id": cls.team.id,
                "forecast_probability": 80,
                "document_trigger": "order",
            }
        )
        cls.s_invoice = Stage.create(
            {
                "name": "I-Invoice",
                "sequence": 953,
                "team_id": cls.team.id,
                "forecast_probability": 95,
                "document_trigger": "invoice",
            }
        )
        cls.s_paid = Stage.create(
            {
                "name": "I-Paid",
                "sequence": 954,
                "team_id": cls.team.id,
                "is_won": True,
                "document_trigger": "payment",
            }
        )
        # the team's own pipeline, as a catalogue gives it
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")
        cls.tax10 = cls.env["account.tax"].create(
            {
                "name": "Sales 10 %",
                "amount": 10,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Consulting day",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1000.0,
                "taxes_id": [Command.set(cls.tax10.ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "Hand Count Ltd"})

    # ------------------------------------------------------------------
    def deal(self, name, user=None, stage=None):
        return self.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": (stage or self.s_new).id,
                "user_id": (user or self.rep).id,
                "partner_id": self.customer.id,
                "company_id": self.company.id,
            }
        )

    def order(self, deal, *prices, currency=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "opportunity_id": deal.id if deal else False,
                "company_id": self.company.id,
                "user_id": (deal.user_id if deal else self.other_rep).id,
                "team_id": self.team.id,
                **(
                    {
                        "pricelist_id": self.env["product.pricelist"]
                        .create({"name": "Foreign", "currency_id": currency.id})
                        .id
                    }
                    if currency
                    else {}
                ),
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": price}
                    )
                    for price in prices
                ],
            }
        )
        order.action_confirm()
        return order

    def invoice(self, orders, date=None, due=None, post=True):
        move = orders._create_invoices()
        move.invoice_date = date or self.today
        move.invoice_payment_term_id = False
        move.invoice_date_due = due or move.invoice_date
        if post:
            move.action_post()
        return move

    def pay(self, move, amount, date=None):
        self.env["account.payment.register"].with_context(
            active_model="account.move",
            active_ids=move.ids,
        ).create({"amount": amount, "payment_date": date or self.today})._create_payments()

    def amounts(self, deal):
        deal.invalidate_recordset()
        return deal.invoiced_amount, deal.paid_amount, deal.overdue_amount

    # ------------------------------------------------------------------
    # The link and the deal's amounts
    # ------------------------------------------------------------------
    def test_invoice_from_orders_counts_untaxed_for_its_deal(self):
        deal = self.deal("Two orders")
        first, second = self.order(deal, 1000.0, 500.0), self.order(deal, 250.0)
        move = self.invoice(first | second)
        self.assertEqual(move.opportunity_id, deal, "one invoice grouping two orders of the deal")
        self.assertEqual(move.amount_untaxed, 1750.0)
        self.assertEqual(move.amount_total, 1925.0)
        self.assertEqual(self.amounts(deal), (1750.0, 0.0, 0.0))
        self.assertEqual(deal.invoice_count, 1)

    def test_draft_and_cancelled_invoices_count_nothing(self):
        deal = self.deal("Drafts")
        draft = self.invoice(self.order(deal, 1000.0), post=False)
        self.assertEqual(draft.opportunity_id, deal)
        self.assertEqual(self.amounts(deal), (0.0, 0.0, 0.0))
        draft.action_post()
        self.assertEqual(self.amounts(deal)[0], 1000.0)
        draft.button_draft()
        draft.button_cancel()
        self.assertEqual(self.amounts(deal), (0.0, 0.0, 0.0))

    def test_invoiced_button_opens_the_invoices_it_counts(self):
        """The deal's Invoiced button says 800 (an invoice of 1,000 less a
        credit note of 200, both posted): its list opens on those two, net
        800; the draft and the cancelled invoice are a filter away."""
        deal = self.deal("Button")
        posted = self.invoice(self.order(deal, 1000.0))
        self.invoice(self.order(deal, 500.0), post=False)
        self.invoice(self.order(deal, 300.0), post=False).button_cancel()
        credit = posted._reverse_moves([{"invoice_date": self.today}])
        credit.invoice_line_ids.price_unit = 200.0
        credit.action_post()
        self.assertEqual(self.amounts(deal)[0], 800.0)
        action = deal.action_view_invoices()
        view = self.env["ir.ui.view"].browse(action["search_view_id"][0])
        # the filters the list opens with, as the web client applies them
        filters = [
            safe_eval(node.get("domain"))
            for node in etree.fromstring(view.get_combined_arch()).iter("filter")
            if action["context"].get(f"search_default_{node.get('name')}")
        ]
        self.assertEqual(len(filters), 1)
        listed = self.env["account.move"].search(action["domain"] + filters[0])
        self.assertEqual(listed, posted | credit)
        self.assertEqual(sum(listed.mapped("amount_untaxed_signed")), 800.0)
        self.assertEqual(
            len(self.env["account.move"].search(action["domain"])), 4, "all of them, unfiltered"
        )

    def test_partial_payment_and_overdue(self):
        deal = self.deal("Half paid")
        move = self.invoice(
            self.order(deal, 1000.0),
            date=self.today - timedelta(days=40),
            due=self.today - timedelta(days=10),
        )
        # 1,100 with tax, 550 paid: half of the untaxed 1,000 is paid, the
        # customer still owes 550 past the due date
        self.pay(move, 550.0)
        self.assertEqual(self.amounts(deal), (1000.0, 500.0, 550.0))
        self.pay(move, 550.0)
        self.assertEqual(self.amounts(deal), (1000.0, 1000.0, 0.0))

    def test_invoice_not_yet_due_is_not_overdue_until_the_daily_refresh(self):
        deal = self.deal("Due tomorrow")
        move = self.invoice(self.order(deal, 1000.0), due=self.today + timedelta(days=1))
        self.assertEqual(self.amounts(deal), (1000.0, 0.0, 0.0))
        # time passes: the due date is now behind us
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET invoice_date_due = %s WHERE id = %s",
            [self.today - timedelta(days=1), move.id],
        )
        # (its installment's due date, which is the invoice's)
        self.env.cr.execute(
            """UPDATE account_move_line SET date_maturity = %s
                WHERE move_id = %s AND display_type = 'payment_term'""",
            [self.today - timedelta(days=1), move.id],
        )
        self.env["account.move"].invalidate_model()
        self.env["account.move.line"].invalidate_model()
        # the scheduler's run, which reports what it wrote
        cron = self.env.ref("sales_funnel_forecast.ir_cron_refresh_overdue_amounts")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        self.env["crm.lead"].with_context(
            ir_cron_progress_id=progress.id
        )._cron_refresh_overdue_amounts()
        self.assertEqual(self.amounts(deal), (1000.0, 0.0, 1100.0))
        self.assertGreaterEqual(progress.done, 1)
        self.assertEqual(progress.remaining, 0)

    def test_credit_notes_subtract_and_can_make_it_negative(self):
        deal = self.deal("Refunded")
        move = self.invoice(self.order(deal, 1000.0))
        refund = move._reverse_moves([{"invoice_date": self.today}])
        self.assertEqual(
            refund.opportunity_id, deal, "a credit note follows the invoice it reverses"
        )
        refund.invoice_line_ids[0].price_unit = 300.0
        refund.action_post()
        self.assertEqual(self.amounts(deal)[0], 700.0)
        bigger = move._reverse_moves([{"invoice_date": self.today}])
        bigger.invoice_line_ids[0].price_unit = 1500.0
        bigger.action_post()
        self.assertEqual(self.amounts(deal)[0], -800.0, "1,000 - 300 - 1,500")

    def test_foreign_currency_counts_at_the_invoice_date_rate(self):
        eur = self.setup_other_currency("EUR", rates=[("1900-01-01", 2.0)])
        deal = self.deal("In euros")
        move = self.invoice(self.order(deal, 1000.0, currency=eur))
        self.assertEqual(move.currency_id, eur)
        self.assertEqual(self.amounts(deal)[0], 500.0, "1,000 EUR at 2 EUR per company unit")

    def test_invoice_mixing_two_deals_goes_to_the_larger_share_with_a_warning(self):
        small, large = self.deal("Small"), self.deal("Large")
        move = self.invoice(self.order(small, 300.0) | self.order(large, 700.0), post=False)
        self.assertEqual(move.opportunity_id, large)
        self.assertIn("Large", move.opportunity_warning)
        self.assertIn("Small", move.opportunity_warning)
        move.action_post()
        self.assertEqual(self.amounts(large)[0], 1000.0)
        self.assertEqual(self.amounts(small)[0], 0.0)

    def test_accountant_links_an_invoice_without_order_and_moves_it_with_a_note_in_both(self):
        first, second = self.deal("First"), self.deal("Second")
        move = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            amounts=[400.0],
            invoice_date=self.today,
            taxes=self.env["account.tax"],
        )
        move = move.with_user(self.accountant)
        move.opportunity_id = first
        move.action_post()
        self.assertEqual(self.amounts(first)[0], 400.0)
        move.opportunity_id = second
        self.assertEqual(self.amounts(first)[0], 0.0)
        self.assertEqual(self.amounts(second)[0], 400.0)
        for deal in (first, second):
            self.assertTrue(
                deal.message_ids.filtered(lambda message: move.name in (message.body or "")),
                deal.name,
            )
        # the accountant reads the deal, and changes nothing else on it
        self.assertEqual(first.with_user(self.accountant).name, "First")
        with self.assertRaises(AccessError):
            first.with_user(self.accountant).write({"expected_revenue": 1.0})

    def test_salesperson_who_invoices_reads_own_deals_and_links_any(self):
        """A salesperson limited to own deals who also has billing rights
        reads own and unassigned deals only, in every read (Odoo adds the
        rules of a user's groups up: the billing users' rule must not widen
        the salesperson's); from an invoice's deal field, like any billing
        user, they find and link any opportunity of their company."""
        invoicing_rep = company_user(
            self.env,
            "sff_inv_rep_billing",
            "Ivan Invoicing Rep",
            "sales_team.group_sale_salesman,account.group_account_invoice",
            self.company,
        )
        own = self.deal("Ivan's own", user=invoicing_rep)
        unassigned = self.deal("Nobody's")
        unassigned.user_id = False
        others = self.deal("Rita's")
        self.env["crm.lead"].create(
            {
                "name": "Rita's lead",
                "type": "lead",
                "team_id": self.team.id,
                "user_id": self.rep.id,
                "company_id": self.company.id,
            }
        )
        team = [("team_id", "=", self.team.id)]
        Lead = self.env["crm.lead"].with_user(invoicing_rep)
        self.assertEqual(Lead.search(team), own | unassigned)
        self.assertEqual(Lead.search_count(team), 2)
        self.assertEqual(
            sorted(
                (group["user_id"] and group["user_id"][0], group["user_id_count"])
                for group in Lead.read_group(team, ["expected_revenue:sum"], ["user_id"])
            ),
            [(False, 1), (invoicing_rep.id, 1)],
        )
        self.assertEqual(Lead._read_group(team, [], ["__count"]), [(2,)])
        names = {name for _id, name in Lead.name_search("'s")}
        self.assertIn("Ivan's own", names)
        self.assertIn("Nobody's", names)
        self.assertNotIn("Rita's", names)
        with self.assertRaises(AccessError):
            others.with_user(invoicing_rep).read(["name"])
        # the funnel reports hold the same deals
        self.env["crm.lead.stage.reach"].flush_model()
        self.assertEqual(
            self.env["crm.funnel.report"].with_user(invoicing_rep).search(team).lead_id,
            own | unassigned,
        )
        # the invoice's deal field: every opportunity of the company, no lead
        linkable = {
            name for _id, name in Lead.with_context(sff_link_invoice=True).name_search("'s")
        }
        self.assertTrue({"Ivan's own", "Nobody's", "Rita's"} <= linkable)
        self.assertNotIn("Rita's lead", linkable)
        # ... which the invoice form saves and shows by name
        move = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            amounts=[400.0],
            invoice_date=self.today,
            taxes=self.env["account.tax"],
        )
        move.with_user(invoicing_rep).web_save({"opportunity_id": others.id}, {})
        self.assertEqual(move.opportunity_id, others)
        [shown] = move.with_user(invoicing_rep).web_read(
            {"opportunity_id": {"fields": {"display_name": {}}}}
        )
        self.assertEqual(shown["opportunity_id"], {"id": others.id, "display_name": "Rita's"})
        # once posted, they move it back to their own deal in a later request
        # (nothing in memory): both deals' notes name the other deal
        move.action_post()
        self.env.invalidate_all()
        move.with_user(invoicing_rep).web_save({"opportunity_id": own.id}, {})
        self.assertEqual(move.opportunity_id, own)
        self.assertIn("(now: Ivan's own)", others.message_ids[0].body)
        self.assertIn("(before: Rita's)", own.message_ids[0].body)

    def test_accountant_reads_every_opportunity_of_the_company(self):
        deals = self.deal("Rita's") | self.deal("Otto's", user=self.other_rep)
        self.env["crm.lead"].create(
            {
                "name": "A lead",
                "type": "lead",
                "team_id": self.team.id,
                "company_id": self.company.id,
            }
        )
        Lead = self.env["crm.lead"].with_user(self.accountant)
        team = [("team_id", "=", self.team.id)]
        self.assertEqual(Lead.search(team), deals, "opportunities, not leads")
        self.assertEqual(Lead._read_group(team, [], ["__count"]), [(2,)])
        self.assertEqual({name for _id, name in Lead.name_search("'s")}, {"Rita's", "Otto's"})
        self.assertEqual(
            {name for _id, name in Lead.with_context(sff_link_invoice=True).name_search("'s")},
            {"Rita's", "Otto's"},
        )
        move = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            amounts=[400.0],
            invoice_date=self.today,
            taxes=self.env["account.tax"],
        )
        move.with_user(self.accountant).web_save({"opportunity_id": deals[1].id}, {})
        self.assertEqual(move.opportunity_id, deals[1])

    def test_lost_deal_keeps_its_invoices(self):
        deal = self.deal("Lost then paid")
        order = self.order(deal, 1000.0)
        deal.action_set_lost()
        self.invoice(order)
        self.assertFalse(deal.active)
        self.assertEqual(self.amounts(deal)[0], 1000.0)

    def test_bad_links_are_refused(self):
        other_company = self.setup_other_company()["company"]
        foreign = self.env["crm.lead"].create(
            {"name": "Elsewhere", "type": "opportunity", "company_id": other_company.id}
        )
        move = self.init_invoice("out_invoice", partner=self.customer, amounts=[100.0])
        with self.assertRaises(UserError):
            move.opportunity_id = foreign
        bill = self.init_invoice("in_invoice", partner=self.customer, amounts=[100.0])
        with self.assertRaisesRegex(ValidationError, "customer invoices"):
            bill.opportunity_id = self.deal("Bill")

    # ------------------------------------------------------------------
    # Stages that follow the documents
    # ------------------------------------------------------------------
    def history_reasons(self, deal):
        return [(row.stage_id.name, row.reason) for row in deal.stage_history_ids.sorted("id")]

    def test_stages_follow_order_invoice_and_payment(self):
        deal = self.deal("Follows")
        order = self.order(deal, 1000.0)
        self.assertEqual(deal.stage_id, self.s_order)
        move = self.invoice(order)
        self.assertEqual(deal.stage_id, self.s_invoice)
        self.pay(move, 500.0)
        self.assertEqual(deal.stage_id, self.s_invoice, "half paid: not yet")
        self.pay(move, 600.0)
        self.assertEqual(deal.stage_id, self.s_paid)
        self.assertTrue(deal.stage_id.is_won)
        self.assertEqual(deal.probability, 100.0)
        self.env.flush_all()
        self.assertEqual(
            self.history_reasons(deal),
            [
                ("I-New", "create"),
                ("I-Order", "accounting"),
                ("I-Invoice", "accounting"),
                ("I-Paid", "accounting"),
            ],
        )

    def test_documents_never_move_a_deal_backwards(self):
        deal = self.deal("Ahead", stage=self.s_invoice)
        self.order(deal, 1000.0)
        self.assertEqual(deal.stage_id, self.s_invoice)

    def test_invoice_cancelled_by_a_full_credit_note_does_not_win_the_deal(self):
        """The customer backs out after the invoice: the accountant issues
        a full credit note (Reverse, full refund). Nothing was paid: the
        deal is not won ("Invoices fully paid"), nor counts invoiced or paid
        revenue."""
        deal = self.deal("Refunded in full")
        move = self.invoice(self.order(deal, 1000.0))
        self.assertEqual(deal.stage_id, self.s_invoice)
        move._reverse_moves([{"invoice_date": self.today}], cancel=True)
        self.assertEqual(move.payment_state, "reversed")
        deal.invalidate_recordset()
        self.assertEqual(
            (deal.stage_id, deal.probability, deal.invoiced_amount, deal.paid_amount),
            (self.s_invoice, 95.0, 0.0, 0.0),
        )
        self.assertStructuresHold("full credit note")

    # ------------------------------------------------------------------
    # Quota attainment
    # ------------------------------------------------------------------
    def attainment(self, user=None, **domain):
        Report = (
            self.env["crm.quota.report"].with_user(user) if user else self.env["crm.quota.report"]
        )
        Report.invalidate_model()
        rows = Report._read_group(
            [("company_id", "=", self.company.id)]
            + [(key, "=", value) for key, value in domain.items()],
            ["user_id"],
            ["amount:sum"],
        )
        return {row_user.name: amount for row_user, amount in rows}

    def test_attainment_accrual_credits_the_deal_salesperson(self):
        deal = self.deal("Rita's deal")
        move = self.invoice(self.order(deal, 1000.0))
        refund = move._reverse_moves([{"invoice_date": self.today}])
        refund.invoice_line_ids[0].price_unit = 200.0
        refund.action_post()
        # an invoice without a deal counts for its own salesperson
        loose = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            amounts=[300.0],
            invoice_date=self.today,
            taxes=self.env["account.tax"],
        )
        loose.invoice_user_id = self.other_rep
        loose.action_post()
        # a draft counts nothing
        self.init_invoice(
            "out_invoice", partner=self.customer, amounts=[5000.0]
        ).invoice_user_id = self.rep
        self.assertEqual(self.attainment(), {"Rita Rep": 800.0, "Otto Rep": 300.0})
        # a rep limited to own documents sees own revenue only
        self.assertEqual(self.attainment(user=self.rep), {"Rita Rep": 800.0})

    def test_attainment_cash_basis_counts_payments_at_their_date(self):
        self.company.crm_quota_basis = "cash"
        deal = self.deal("Cash")
        move = self.invoice(self.order(deal, 1000.0), date=self.today - timedelta(days=60))
        self.assertEqual(self.attainment(), {})
        paid_on = self.today - timedelta(days=5)
        self.pay(move, 550.0, date=paid_on)
        self.assertEqual(self.attainment(), {"Rita Rep": 500.0}, "half of the untaxed 1,000")
        rows = self.env["crm.quota.report"].search([("move_id", "=", move.id)])
        self.assertEqual(rows.mapped("date"), [paid_on])
        self.assertEqual(rows.mapped("basis"), ["cash"])

    def test_forecast_accuracy_against_invoiced_and_paid_revenue(self):
        """Rita's deal of 1,000, put in Commit, was expected in the month
        before last when it started; 800 of it was invoiced (untaxed) in
        that month and it was won at 1,000. Against the won 1,000, Commit
        was 100 % accurate; against the invoiced 800, 75 % with an optimism
        of 1.25. Last month 500 was invoiced on a deal nobody forecast:
        forecast 0, 0 % on invoiced, n/a on won. When the company counts
        payments, half of the first invoice (440 of 880 with tax) paid in
        the first month is 400: accuracy 0 %, optimism 2.5."""
        this_month = self.today.replace(day=1)
        first, second = this_month - relativedelta(months=2), this_month - relativedelta(months=1)

        def at(day):
            # the moment the deals' forecast versions are stamped with
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT set_config(%s, %s, TRUE)",
                [MOMENT_SETTING, datetime.combine(day, time(10)).isoformat(" ")],
            )

        # the snapshots are this test's alone (a database's own job may have
        # written the first days of those months)
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        at(first - timedelta(days=11))
        deal = self.deal("Committed")
        deal.write(
            {
                "expected_revenue": 1000.0,
                "date_deadline": first + timedelta(days=14),
                "forecast_category": "commit",
            }
        )
        at(first + timedelta(days=2))
        other = self.deal("Unforecast")
        self.env["crm.pipeline.snapshot"]._sff_take(
            [first - timedelta(days=first.weekday()), second - timedelta(days=second.weekday())]
        )
        move = self.invoice(self.order(deal, 800.0), date=first + timedelta(days=5))
        self.invoice(self.order(other, 500.0), date=second + timedelta(days=3))
        at(first + timedelta(days=9))
        deal.write({"stage_id": self.s_paid.id, "expected_revenue": 1000.0})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s",
            [datetime.combine(first + timedelta(days=9), time(10)), deal.id],
        )
        self.env.invalidate_all()

        def line(period, method="commit"):
            # the lines as a refresh works them out from the invoices now
            self.env["crm.forecast.accuracy.report"]._sff_refresh()
            lines = self.env["crm.forecast.accuracy.report"].search(
                [
                    ("team_id", "=", self.team.id),
                    ("user_id", "=", self.rep.id),
                    ("period_type", "=", "month"),
                    ("date_from", "=", period),
                    ("lead_days", "=", 0),
                    ("method", "=", method),
                ]
            )
            return [
                (
                    row.forecast_amount,
                    row.actual_amount,
                    row.accuracy,
                    row.revenue_amount,
                    row.revenue_accuracy,
                    row.revenue_optimism,
                )
                for row in lines
            ]

        self.assertEqual(line(first), [(1000.0, 1000.0, 100.0, 800.0, 75.0, 1.25)])
        self.assertEqual(line(second, "stage_weighted"), [(0.0, 0.0, False, 500.0, 0.0, 0.0)])
        self.company.crm_quota_basis = "cash"
        self.pay(move, 440.0, date=first + timedelta(days=20))
        self.assertEqual(line(first), [(1000.0, 1000.0, 100.0, 400.0, 0.0, 2.5)])

    def test_funnel_rows_carry_the_invoiced_amount(self):
        deal = self.deal("Funnel")
        self.invoice(self.order(deal, 1000.0))
        self.env.flush_all()
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(sorted(rows.stage_id.mapped("name")), ["I-Invoice", "I-New", "I-Order"])
        self.assertEqual(set(rows.mapped("invoiced_amount")), {1000.0})

    def test_install_links_existing_invoices_in_one_pass(self):
        deal = self.deal("Existing")
        move = self.invoice(self.order(deal, 1000.0))
        refund = move._reverse_moves([{"invoice_date": self.today}])
        refund.invoice_line_ids[0].price_unit = 100.0
        refund.action_post()
        self.env.flush_all()
        # as before the module: no link, no amounts
        self.env.cr.execute(
            "UPDATE account_move SET opportunity_id = NULL WHERE id IN %s",
            [tuple((move | refund).ids)],
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET invoiced_amount = 0, paid_amount = 0 WHERE id = %s", [deal.id]
        )
        self.env.invalidate_all()
        linked = self.env["account.move"]._sff_link_existing_invoices()
        self.assertGreaterEqual(linked, 2)
        self.env["crm.lead"]._sff_fill_invoice_amounts()
        self.assertEqual((move | refund).opportunity_id, deal)
        self.assertEqual(self.amounts(deal)[0], 900.0)

    def test_spreadsheet_sheet_of_attainment(self):
        first, second = self.deal("Sheet 1"), self.deal("Sheet 2", user=self.other_rep)
        self.invoice(self.order(first, 1000.0))
        self.invoice(self.order(second, 400.0))
        self.invoice(self.order(first, 250.0))
        wizard = self.env["crm.funnel.export"].create({"team_id": self.team.id, "period": "all"})
        content = self.env["crm.funnel.dashboard"]._sff_xlsx(wizard._sff_params())[0]
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Quota attainment"]
        # the month as the forecast's sheet names it, in the user's language
        month = self.today.strftime("%b %Y")
        self.assertEqual([cell.value for cell in sheet[4]], ["Salesperson", month, "Total"])
        self.assertEqual([cell.value for cell in sheet[5]], ["Otto Rep", 400, 400])
        self.assertEqual([cell.value for cell in sheet[6]], ["Rita Rep", 1250, 1250])
        self.assertEqual([cell.value for cell in sheet[7]], ["Total", 1650, 1650])

    def test_missing_rate_on_the_invoice_date_falls_back_like_odoo(self):
        # the only rate of the currency comes after the invoice date
        later = self.today + timedelta(days=30)
        gbp = self.setup_other_currency("GBP", rates=[(fields.Date.to_string(later), 4.0)])
        deal = self.deal("No rate yet")
        move = self.invoice(self.order(deal, 1000.0, currency=gbp))
        self.assertEqual(move.currency_id, gbp)
        self.assertEqual(self.amounts(deal)[0], move.amount_untaxed_signed)
        self.assertNotEqual(move.amount_untaxed_signed, 0.0)

    def test_posting_and_paying_recompute_only_their_deal(self):
        deal, other = self.deal("Posted"), self.deal("Untouched")
        self.invoice(self.order(other, 300.0))
        move = self.invoice(self.order(deal, 1000.0), post=False)
        self.env.flush_all()
        computed = []
        Lead = type(self.env["crm.lead"])
        original = Lead._compute_invoice_amounts

        def spy(records):
            computed.extend(records.ids)
            return original(records)

        self.patch(Lead, "_compute_invoice_amounts", spy)
        move.action_post()
        self.pay(move, 1100.0)
        self.env.flush_all()
        self.assertTrue(computed)
        self.assertEqual(set(computed), {deal.id})

    def test_project_catalogue_steps_follow_the_documents(self):
        lines = self.env.ref("sales_funnel_forecast.catalogue_project_sales").line_ids
        self.assertEqual(
            {line.name: line.document_trigger for line in lines if line.document_trigger},
            {"Order": "order", "Invoice": "invoice", "Payment": "payment"},
        )
        team = self.env["crm.team"].create(
            {"name": "Catalogue team", "company_id": self.company.id}
        )
        wizard = self.env["crm.stage.catalogue.apply"].create(
            {
                "team_id": team.id,
                "catalogue_id": self.env.ref("sales_funnel_forecast.catalogue_project_sales").id,
            }
        )
        stages = wizard._apply_lines(wizard.catalogue_id.line_ids)
        self.assertEqual(
            sorted(stages.filtered("document_trigger").mapped("document_trigger")),
            ["invoice", "order", "payment"],
        )

    def test_documents_keep_the_structures(self):
        deal = self.deal("Paths docs")
        other = self.deal("Paths docs 2")
        self.assertStructuresHold("created")
        order = self.order(deal, 1000.0)
        self.assertStructuresHold("order confirmed")
        move = self.invoice(order)
        self.assertStructuresHold("invoice posted")
        self.pay(move, 1100.0)
        self.assertStructuresHold("paid")
        move.button_draft()
        self.assertStructuresHold("reset to draft")
        move.opportunity_id = other
        self.assertStructuresHold("relinked")
        move.action_post()
        self.assertStructuresHold("reposted")
        move._reverse_moves(cancel=True)
        self.assertStructuresHold("credit note")
        other.action_set_lost()
        self.assertStructuresHold("lost with invoices")
