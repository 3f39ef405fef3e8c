# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a salesperson limited to own documents, or a user of another
company, cannot read or change through the module's paths around the
rules: the call dialog, the customer's status, the deal's counted figures,
calls and buying roles handed to someone else, the stall's exclusion, a
stage's archiving, an order naming a colleague's deal, the logins and the
stages' win rates."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestAroundTheRules(FunnelCase):
    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create(
            {"name": "Secret Customer", "phone": "+1 555 0100"}
        )
        self.theirs = self.make_deal(
            "Theirs",
            self.s_new,
            5000,
            user_id=self.other_rep.id,
            partner_id=self.partner.id,
            phone="+1 555 0199",
        )

    def test_call_dialog_reads_a_deal_the_rep_may_not_read(self):
        """The call dialog (crm.lead.call.log) opens on the deals the user may
        read only: created over RPC on a colleague's deal, it is refused
        (its customer and phone were read as the superuser)."""
        Lead = self.env["crm.lead"].with_user(self.rep)
        with self.assertRaises(AccessError):
            Lead.browse(self.theirs.id).read(["phone"])
        Dialog = self.env["crm.lead.call.log"].with_user(self.rep)
        with self.assertRaises(AccessError):
            Dialog.create({"lead_id": self.theirs.id})
        # on the rep's own deal: its customer and phone
        own = self.make_deal("Own", self.s_new, 10, partner_id=self.partner.id, phone="+1 2")
        values = Dialog.create({"lead_id": own.id}).read(["phone", "partner_id"])[0]
        self.assertEqual((values["phone"], values["partner_id"][0]), ("+1 2", self.partner.id))

    def test_customer_status_tells_a_colleagues_lost_reason(self):
        """The customer's status and "Inactive Because" are worked out from
        the deals the reader may read: a rep limited to own deals does not
        read why a colleague's deal was lost."""
        reason = self.env["crm.lost.reason"].create({"name": "Secret: too expensive"})
        self.theirs.action_set_lost(lost_reason_id=reason.id)
        self.env.flush_all()
        Lead = self.env["crm.lead"].with_user(self.rep).with_context(active_test=False)
        self.assertFalse(Lead.search([("partner_id", "=", self.partner.id)]))
        partner = self.env["res.partner"].with_user(self.rep).browse(self.partner.id)
        values = partner.read(["funnel_status", "funnel_inactive_reason_id"])[0]
        self.assertFalse(
            values["funnel_status"] or values["funnel_inactive_reason_id"],
            f"the rep read the status of deals they may not read: {values}",
        )

    def test_customer_status_crosses_companies(self):
        """A user of company A does not read why company B's deal was lost."""
        other = self.env["res.company"].create({"name": "Other Co"})
        here_only = company_user(
            self.env, "sff_rules_here", "Here Only", "sales_team.group_sale_manager", self.company
        )
        reason = self.env["crm.lost.reason"].create({"name": "Other Co reason"})
        deal = self.make_deal(
            "Other co deal",
            self.s_new,
            100,
            company_id=other.id,
            user_id=False,
            partner_id=self.partner.id,
        )
        self.theirs.partner_id = False
        deal.action_set_lost(lost_reason_id=reason.id)
        self.env.flush_all()
        partner = self.env["res.partner"].with_user(here_only).browse(self.partner.id)
        values = partner.read(["funnel_status", "funnel_inactive_reason_id"])[0]
        self.assertFalse(
            values["funnel_status"] or values["funnel_inactive_reason_id"],
            f"a user of another company read the status of company B's deal: {values}",
        )

    def test_rep_types_the_invoiced_amount(self):
        """The invoiced, paid and overdue amounts come from posted invoices
        ("reps never type sales figures"): written over RPC on the rep's
        own deal, they are not taken."""
        mine = self.make_deal("Mine", self.s_new, 1000, user_id=self.rep.id)
        self.end_request()
        mine.with_user(self.rep).write({"invoiced_amount": 999999.0, "paid_amount": 999999.0})
        self.end_request()
        self.assertEqual(
            (mine.invoiced_amount, mine.paid_amount),
            (0.0, 0.0),
            "a rep typed the deal's invoiced and paid amounts",
        )

    def test_rep_logs_a_call_in_a_colleagues_name(self):
        """Calls count for whoever made them (the rep's call benchmark); the
        rule lets a rep log and change own calls only: created in another
        rep's name, or written over to them, the call is refused."""
        mine = self.make_deal("Mine", self.s_new, 1000, user_id=self.rep.id)
        Call = self.env["crm.lead.call"].with_user(self.rep)
        with self.assertRaises(AccessError):
            Call.create(
                {"lead_id": mine.id, "outcome": "conversation", "user_id": self.other_rep.id}
            )
        call = Call.create({"lead_id": mine.id, "outcome": "conversation"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            call.write({"user_id": self.other_rep.id})
        call.invalidate_recordset()
        self.assertEqual(call.sudo().user_id, self.rep)

    def test_rep_clears_the_stall_rules_exclusion(self):
        """A stall that takes a deal out of the forecast is ended by a stage
        change or by a sales manager keeping it open: the rep's write of the
        stall fields is refused, and so is clearing ``forecast_excluded``
        alone."""
        deal = self.stalled_excluded_deal()
        self.assertTrue(deal.is_stalled and deal.forecast_excluded)
        with self.assertRaises(AccessError):
            deal.with_user(self.rep).write({"stall_excluded": False})
        with self.assertRaises(AccessError):
            deal.with_user(self.rep).write({"forecast_excluded": False})
        # a stage change ends the stall and brings the deal back
        deal.with_user(self.rep).write({"stage_id": self.s_new.id, "forecast_excluded": False})
        self.assertEqual(
            (deal.is_stalled, deal.forecast_excluded, deal.forecast_revenue),
            (False, False, deal.expected_revenue * deal.probability / 100),
        )

    def test_typed_invoiced_amount_reaches_the_funnel_report(self):
        """Nor does the funnel report count a typed invoiced amount."""
        mine = self.make_deal("Mine", self.s_new, 1000, user_id=self.rep.id)
        self.end_request()
        mine.with_user(self.rep).write({"invoiced_amount": 777.0})
        self.end_request()
        row = self.env["crm.funnel.report"].search([("lead_id", "=", mine.id)])
        self.assertEqual(sum(row.mapped("invoiced_amount")), 0.0, "funnel report counts it")

    def test_rep_counts_every_deal_of_a_stage_through_archive(self):
        """A rep may not archive stages (no write right on them), nor read a
        colleague's deals: the stage's Archive over RPC is refused before it
        counts the stage's deals."""
        self.make_deal("Theirs 2", self.s_new, 10, user_id=self.other_rep.id)
        Stage = self.env["crm.stage"].with_user(self.rep)
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(self.rep)
            .search_count([("stage_id", "=", self.s_new.id)]),
            0,
        )
        with self.assertRaises(AccessError) as caught:
            Stage.browse(self.s_new.id).action_archive()
        self.assertNotIn("2", str(caught.exception))

    def test_rep_moves_a_buying_role_onto_a_colleagues_deal(self):
        """Buying roles follow the deals' rules (own and unassigned deals):
        a rep's role written over to a colleague's deal is refused."""
        mine = self.make_deal("Mine", self.s_new, 1000, user_id=self.rep.id)
        decider = self.env["crm.buying.role.type"].search(
            [("is_decision_maker", "=", True)], limit=1
        )
        Role = self.env["crm.lead.buying.role"].with_user(self.rep)
        with self.assertRaises(AccessError):
            Role.create({"lead_id": self.theirs.id, "partner_id": self.partner.id})
        role = Role.create(
            {"lead_id": mine.id, "partner_id": self.partner.id, "role_id": decider.id}
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            role.write({"lead_id": self.theirs.id})
        self.env.invalidate_all()
        self.assertFalse(self.theirs.has_decision_maker)
        self.assertTrue(mine.has_decision_maker)

    def test_call_dialog_reads_another_companys_deal(self):
        """Nor on another company's deal."""
        other = self.env["res.company"].create({"name": "Other Co 2"})
        deal = self.make_deal(
            "Other co", self.s_new, 10, company_id=other.id, user_id=False, phone="+44 1"
        )
        here_only = company_user(
            self.env,
            "sff_rules_here2",
            "Here Only 2",
            "sales_team.group_sale_salesman",
            self.company,
        )
        with self.assertRaises(AccessError):
            self.env["crm.lead.call.log"].with_user(here_only).create({"lead_id": deal.id})

    def stalled_excluded_deal(self):
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.s_qualified.write({"stall_days": 5, "stall_action": "exclude"})
        self.set_now(self.day(0))
        deal = self.make_deal("Stalls", self.s_qualified, 2000, user_id=self.rep.id)
        self.set_now(self.day(6))
        self.run_job()
        self.assertTrue(deal.is_stalled and deal.stall_excluded and deal.forecast_excluded)
        return deal

    def test_stall_exclusion_kept_with_the_same_stage(self):
        """A write (or an import) of the deal's own stage with "out of the
        forecast" cleared does not end the stall: refused to a rep."""
        deal = self.stalled_excluded_deal()
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            deal.with_user(self.rep).write(
                {"stage_id": self.s_qualified.id, "forecast_excluded": False}
            )
        result = (
            self.env["crm.lead"]
            .with_user(self.rep)
            .load(
                [".id", "stage_id/.id", "forecast_excluded"],
                [[str(deal.id), str(self.s_qualified.id), "0"]],
            )
        )
        self.assertTrue(result["messages"])
        self.env.invalidate_all()
        self.assertEqual((deal.stall_excluded, deal.forecast_excluded), (True, True))

    def test_customer_status_read_by_two_users_in_one_transaction(self):
        """Read by a manager, then by a rep limited to own deals in the same
        transaction (a server action, a report): each reads the deals of
        their own rules."""
        partner = self.env["res.partner"].create({"name": "Shared Customer"})
        reason = self.env["crm.lost.reason"].create({"name": "Secret: too expensive"})
        theirs = self.make_deal(
            "Theirs", self.s_new, 10, user_id=self.other_rep.id, partner_id=partner.id
        )
        theirs.action_set_lost(lost_reason_id=reason.id)
        self.env.flush_all()
        self.assertEqual(partner.with_user(self.manager).funnel_inactive_reason_id, reason)
        values = partner.with_user(self.rep).read(["funnel_status", "funnel_inactive_reason_id"])[0]
        self.assertEqual(
            (values["funnel_status"], values["funnel_inactive_reason_id"]), (False, False)
        )

    def test_order_naming_a_deal_the_rep_may_not_read(self):
        """A confirmed quotation moves its deal on (as the superuser: a deal
        handed to a colleague since follows its orders); a rep cannot link
        a quotation to a colleague's deal, which would move it."""
        self.s_proposal.document_trigger = "order"
        product = self.env["product.product"].create({"name": "Thing", "list_price": 10})
        Order = self.env["sale.order"].with_user(self.rep)
        values = {
            "partner_id": self.partner.id,
            "order_line": [Command.create({"product_id": product.id})],
        }
        with self.assertRaises(AccessError):
            Order.create(dict(values, opportunity_id=self.theirs.id))
        own = self.make_deal("Own", self.s_new, 10, partner_id=self.partner.id)
        order = Order.create(dict(values, opportunity_id=own.id))
        with self.assertRaises(AccessError):
            order.write({"opportunity_id": self.theirs.id})
        order.action_confirm()
        self.assertEqual((own.stage_id, self.theirs.stage_id), (self.s_proposal, self.s_new))

    def test_logins_and_win_rates_are_the_managers_through_their_reports(self):
        """Salespeople's logins are read through the adoption report, whose
        rules keep each company's; a stage's win rate and closed deals are
        sales figures, not every user's."""
        other = self.env["res.company"].create({"name": "Other Logins"})
        manager = company_user(
            self.env, "logins_manager", "Logins Manager", "sales_team.group_sale_manager", other
        )
        self.env["res.users"].with_user(self.rep)._update_last_login()
        self.env.flush_all()
        with self.assertRaises(AccessError):
            self.env["crm.user.login"].with_user(manager).search_read([], ["user_id", "date"])
        self.assertFalse(
            self.env["crm.adoption.report"]
            .with_user(manager)
            .search([("user_id", "=", self.rep.id)])
        )
        # the win rates the dashboard shows salespeople: not every user's
        plain = company_user(self.env, "plain_user", "Plain User", "base.group_user", self.company)
        with self.assertRaises(AccessError):
            self.s_new.with_user(plain).read(["history_win_rate", "history_closed_count"])
        self.assertIn(
            "history_win_rate", self.s_new.with_user(self.rep).read(["history_win_rate"])[0]
        )
