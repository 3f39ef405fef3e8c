# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A parent company and its branch (Odoo 18's company hierarchy), users
working in both: invoices, their credit notes, the invoice's deal field,
target plans and forecast submissions."""

from datetime import date, timedelta

from odoo import fields
from odoo.addons.sale.tests.common import TestSaleCommon
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import FunnelCase, StructuresMixin, company_user, make_plan


@tagged("post_install", "-at_install")
class TestBranchInvoices(StructuresMixin, TestSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.parent = cls.company_data["company"]
        cls.branch = cls._create_company(name="Branch", parent_id=cls.parent.id)
        cls.today = fields.Date.today()
        cls.team_p = cls.env["crm.team"].create({"name": "Team P", "company_id": cls.parent.id})
        cls.team_b = cls.env["crm.team"].create({"name": "Team B", "company_id": cls.branch.id})
        cls.s_open = cls.env["crm.stage"].create(
            {"name": "Branch test open", "sequence": 980, "forecast_probability": 20}
        )
        cls.s_won = cls.env["crm.stage"].create(
            {"name": "Branch test won", "sequence": 990, "is_won": True}
        )
        cls.accountant = company_user(
            cls.env,
            "branch_accountant",
            "Ada Accountant",
            "account.group_account_invoice",
            cls.parent | cls.branch,
        )

    def branch_invoice(self, amount):
        return self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            amounts=[amount],
            invoice_date=self.today,
            taxes=self.env["account.tax"],
            company=self.branch,
        )

    def test_deal_with_branch_invoices_stays_in_the_branch(self):
        """A deal of the branch's team, invoiced 400 in the branch, is not
        handed to the parent's team (Odoo would move it to the parent, which
        the invoice cannot name: its credit note would be refused); a deal
        that was moved under an earlier release still counts its 400 in the
        plan of its company and team, as the quota attainment credits it."""
        year = (date(self.today.year, 1, 1), date(self.today.year, 12, 31))
        plan_p = make_plan(
            self.env, self.team_p, company_id=self.parent.id, date_from=year[0], date_to=year[1]
        )
        plan_b = make_plan(
            self.env, self.team_b, company_id=self.branch.id, date_from=year[0], date_to=year[1]
        )
        deal = self.env["crm.lead"].create(
            {
                "name": "Handed over",
                "type": "opportunity",
                "team_id": self.team_b.id,
                "company_id": self.branch.id,
                "stage_id": self.s_open.id,
                "expected_revenue": 1000,
            }
        )
        invoice = self.branch_invoice(400.0)
        invoice.opportunity_id = deal
        invoice.action_post()
        for values in ({"team_id": self.team_p.id}, {"company_id": self.parent.id}):
            with (
                self.assertRaisesRegex(
                    ValidationError, "can only name a deal of their own company"
                ),
                self.env.cr.savepoint(),
            ):
                deal.write(values)
            self.env.invalidate_all()
        self.assertEqual((deal.company_id, deal.team_id), (self.branch, self.team_b))
        # moved before the rule, as an earlier release let it
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET company_id = %s, team_id = %s WHERE id = %s",
            (self.parent.id, self.team_p.id, deal.id),
        )
        self.env.invalidate_all()
        deal.stage_id = self.s_won
        (plan_p | plan_b).action_refresh_actuals()
        quota = self.env["crm.quota.report"].search([("move_id", "=", invoice.id)])
        self.assertEqual((quota.team_id, quota.amount), (self.team_p, 400.0))
        self.assertEqual(plan_p.year_period_ids.actual_deals_won, 1)
        self.assertEqual(
            (plan_p.year_period_ids.actual_revenue, plan_b.year_period_ids.actual_revenue),
            (400.0, 0.0),
        )

    def test_invoice_deal_field_offers_only_deals_it_can_take(self):
        """An accountant working in the parent and the branch opens a branch
        invoice: the Opportunity field (company domain of the invoice's
        company, as Odoo 18 builds it for check_company fields) offers the
        branch's deal only (it offered the parent's too, which the invoice
        refuses on save)."""
        deal_p = self.env["crm.lead"].create(
            {"name": "Parent deal", "type": "opportunity", "company_id": self.parent.id}
        )
        deal_b = self.env["crm.lead"].create(
            {"name": "Branch deal", "type": "opportunity", "company_id": self.branch.id}
        )
        invoice = self.branch_invoice(100.0)
        Lead = (
            self.env["crm.lead"]
            .with_user(self.accountant)
            .with_context(
                allowed_company_ids=[self.parent.id, self.branch.id], sff_link_invoice=True
            )
        )
        # what the web client sends for the invoice's field
        args = [("company_id", "in", [invoice.company_id.id, False]), ("type", "=", "opportunity")]
        offered = {lead_id for lead_id, _name in Lead.name_search("deal", args)}
        Move = Lead.env["account.move"]
        with self.assertRaises(UserError):
            Move.browse(invoice.id).write({"opportunity_id": deal_p.id})
        self.assertEqual(offered, {deal_b.id}, "only deals the invoice can take")
        # without the invoice's condition (another client): every company's
        offered = {lead_id for lead_id, _name in Lead.name_search("deal", [])}
        self.assertEqual(offered, {deal_p.id, deal_b.id})

    def test_invoice_of_a_deal_is_credited_with_its_deal(self):
        """A parent deal with a posted invoice of 400 in the parent cannot
        move to the branch (the credit note, which takes the invoice's
        deal, was refused); the accountant's credit note (Odoo's reversal
        wizard) names the deal and takes the 400 off it."""
        deal = self.env["crm.lead"].create(
            {"name": "Kept in the parent", "type": "opportunity", "company_id": self.parent.id}
        )
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            amounts=[400.0],
            invoice_date=self.today,
            taxes=self.env["account.tax"],
        )
        invoice.opportunity_id = deal
        invoice.action_post()
        self.assertEqual(deal.invoiced_amount, 400.0)
        with (
            self.assertRaisesRegex(ValidationError, "can only name a deal of their own company"),
            self.env.cr.savepoint(),
        ):
            deal.company_id = self.branch
        self.env.invalidate_all()
        self.assertEqual(deal.company_id, self.parent)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "date": self.today})
        )
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        self.assertEqual((refund.move_type, refund.opportunity_id), ("out_refund", deal))
        refund.action_post()
        self.assertEqual(deal.invoiced_amount, 0.0)


@tagged("post_install", "-at_install")
class TestBranchSubmissions(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parent = cls.env.company
        cls.branch = cls.env["res.company"].create(
            {"name": "Branch of the test", "parent_id": cls.parent.id}
        )
        cls.env.user.company_ids |= cls.branch
        cls.team.company_id = False  # a team shared by the parent and its branch
        cls.two_co_manager = company_user(
            cls.env,
            "branch_manager",
            "Two Co Manager",
            "sales_team.group_sale_manager,base.group_multi_company",
            cls.parent | cls.branch,
        )

    def test_submission_prefill_counts_the_forms_company(self):
        """Shared team: 1,000 in Commit in the parent, 500 in the branch,
        expected this month. A manager working in both (current: parent)
        opens a submission, sets Company = branch and the team: the form
        prefills 500, as the branch's Forecast screen, where the submission
        is shown, counts (it prefilled the parent's 1,000), and 1,000 once
        the company is changed to the parent."""
        self.s_proposal.forecast_category = "commit"
        month = fields.Date.today().replace(day=1)
        deadline = month + timedelta(days=3)
        for company, amount in ((self.parent, 1000), (self.branch, 500)):
            self.make_deal(
                company.name,
                self.s_proposal,
                amount,
                company_id=company.id,
                user_id=False,
                date_deadline=deadline,
            )
        self.end_request()
        Submission = (
            self.env["crm.forecast.submission"]
            .with_user(self.two_co_manager)
            .with_context(allowed_company_ids=[self.parent.id, self.branch.id])
        )
        spec = {
            "team_id": {},
            "company_id": {},
            "user_id": {},
            "period_type": {},
            "date_from": {},
            "commit_amount": {},
            "best_case_amount": {},
        }
        values = {
            "team_id": self.team.id,
            "company_id": self.branch.id,
            "user_id": False,
            "period_type": "month",
            "date_from": fields.Date.to_string(month),
        }
        prefilled = Submission.onchange(values, ["team_id"], spec)["value"]
        screen = Submission.with_context(
            allowed_company_ids=[self.branch.id, self.parent.id]
        ).get_forecast_screen(
            {"team_id": self.team.id, "period_type": "month", "date_from": str(month)}
        )
        self.assertEqual(screen["company_id"], self.branch.id)
        self.assertEqual(screen["team_line"]["commit"], 500.0)
        self.assertEqual(prefilled["commit_amount"], 500.0, "the branch's deals")
        # the company changed on the form: the figures follow it
        prefilled = Submission.onchange(
            dict(values, company_id=self.parent.id, commit_amount=500.0), ["company_id"], spec
        )["value"]
        self.assertEqual(prefilled["commit_amount"], 1000.0)
