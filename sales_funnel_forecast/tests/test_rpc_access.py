# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What users of each kind get when they reach the module's models and
methods as the web client and the API reach them: the accountant who reads
the opportunities, a salesperson limited to own documents, a user of
another company."""

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestRpcAccess(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # billing rights, no Sales rights: reads the opportunities to link
        # invoices to them, and nothing more of the CRM
        cls.accountant = company_user(
            cls.env,
            "sff_rpc_accountant",
            "Anna Accountant",
            "base.group_user,account.group_account_invoice",
            cls.company,
        )

    def test_accountant_opens_the_deal_an_invoice_bills(self):
        deal = self.make_deal("Billed Deal", self.s_qualified, 4200)
        deal.write({"stage_id": self.s_proposal.id})
        # the deal form, as the invoice's deal field opens it
        form = Form(deal.with_user(self.accountant))
        self.assertEqual(form.name, "Billed Deal")
        self.assertEqual(form.expected_revenue, 4200)
        self.assertEqual(form.stage_id, self.s_proposal)

    def test_pipeline_opened_on_a_team_the_user_no_longer_reads(self):
        """A manager opens the pipeline of a team of company B (the team's
        Pipeline button: the team in the action's context), then unticks B
        in the company switcher, or the team is deleted meanwhile: the web
        client reloads the kanban with the same context. It shows the
        columns Odoo gives, not an access error."""
        other = self.env["res.company"].create({"name": "Other Co"})
        manager = company_user(
            self.env,
            "sff_rpc_two_companies",
            "Tess Two",
            "sales_team.group_sale_manager",
            self.company | other,
        )
        team_b = self.env["crm.team"].create({"name": "Team B", "company_id": other.id})
        team_b.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        gone = self.env["crm.team"].create({"name": "Gone Team"})
        gone_id = gone.id
        gone.unlink()
        self.make_deal("Mine", self.s_new, 700, user_id=manager.id)
        self.env.flush_all()
        self.env.invalidate_all()
        for team_id in (team_b.id, gone_id):
            Lead = (
                self.env["crm.lead"]
                .with_user(manager)
                .with_context(allowed_company_ids=[self.company.id], default_team_id=team_id)
            )
            groups = Lead.web_read_group(
                [("type", "=", "opportunity"), ("user_id", "=", manager.id)],
                ["expected_revenue:sum"],
                ["stage_id"],
            )["groups"]
            counts = {
                group["stage_id"][0]: (group["stage_id_count"], group["expected_revenue"])
                for group in groups
            }
            self.assertEqual(counts.get(self.s_new.id), (1, 700.0), team_id)
            self.assertEqual(sum(count for count, _amount in counts.values()), 1, team_id)

    def test_deals_selected_by_a_domain_that_cannot_be_read_say_so(self):
        """``sff_pipeline_at`` and ``sff_deal_flow`` over RPC with a
        condition on a field deals do not have, or a condition that is not
        one: refused in words, not a server error."""
        Lead = self.env["crm.lead"].with_user(self.manager)
        shape = (
            "The conditions selecting the deals cannot be read: each condition is a field, an "
            "operator and a value, joined by “|”, “&” or “!”."
        )
        for domain, said in (
            ([("no_such_field", "=", 1)], "Invalid field crm.lead.no_such_field"),
            ([("name", "=")], shape),
            (["|"], shape),
            (["|", ("name", "=", "a")], shape),
            (["&", "!"], shape),
        ):
            with self.assertRaises(UserError, msg=str(domain)) as raised:
                Lead.sff_pipeline_at("2026-03-02", domain)
            self.assertIn(said, str(raised.exception))
            with self.assertRaises(UserError, msg=str(domain)):
                Lead.sff_deal_flow("2026-03-01", "2026-04-01", domain)
        # conditions joined by an implicit "&", and a "!", are read
        self.assertEqual(
            Lead.sff_pipeline_at("2026-03-02", [("name", "=", "x"), "!", ("id", "=", 0)]), []
        )
