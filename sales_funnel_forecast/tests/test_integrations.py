# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Beside Odoo's other CRM addons, as integrators install them: the
resellers' portal (website_crm_partner_assign), live chat (crm_livechat),
event registrations (event_crm) and deliveries (sale_stock). Each test needs the addon it names:
``scripts/test`` installs them into a database of their own and runs this
file there with SFF_INTEGRATIONS=1, where a missing addon fails the test;
elsewhere (the module's own database) it is skipped."""

import os

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.modules.migration import load_script
from odoo.tests import new_test_user, tagged

from ..hooks import post_init_hook
from ..install.rebuild import run_requested
from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestIntegrations(FunnelCase):
    def require(self, module):
        installed = self.env["ir.module.module"].search_count(
            [("name", "=", module), ("state", "=", "installed")]
        )
        if not installed:
            if os.environ.get("SFF_INTEGRATIONS"):
                self.fail(f"{module} is not installed in this database")
            self.skipTest(f"{module} is not installed")

    def reseller(self):
        """A graded reseller and its portal user, whom the partner portal
        serves the deals assigned to the reseller."""
        grade = self.env["res.partner.grade"].create({"name": "Gold", "partner_weight": 10})
        reseller = self.env["res.partner"].create(
            {"name": "Reseller Ltd", "is_company": True, "grade_id": grade.id}
        )
        portal = new_test_user(
            self.env, login="sff_reseller", groups="base.group_portal", name="Rita Reseller"
        )
        portal.partner_id.parent_id = reseller
        return reseller, portal

    # ------------------------------------------------------------------
    # website_crm_partner_assign: the resellers' portal
    # ------------------------------------------------------------------
    def test_reseller_moves_a_deal_on_the_portal(self):
        """The reseller clicks Qualified on /my/opportunity (the page
        writes the stage as the portal user): the deal moves as by a drag,
        a new stay (by hand) and the stage's 30 %, in a plain team and in a
        team with a catalogue (its process read for the reseller, who may
        read no team)."""
        self.require("website_crm_partner_assign")
        reseller, portal = self.reseller()
        process_team = self.env["crm.team"].create({"name": "Process team"})
        stages = apply_catalogue(self.env, process_team)
        self.set_now(self.t0)
        plain = self.make_deal("Plain", self.s_new, 1000, partner_assigned_id=reseller.id)
        process = self.make_deal(
            "Process", stages[0], 1000, team_id=process_team.id, partner_assigned_id=reseller.id
        )
        self.end_request()
        self.set_now(self.day(1))
        for deal, first, stage in (
            (plain, self.s_new, self.s_qualified),
            (process, stages[0], stages[1]),
        ):
            deal.with_user(portal).with_context(website_partner_assign=1).write(
                {"stage_id": stage.id}
            )
            self.end_request()
            self.assertEqual(
                [(stay.stage_id, stay.reason) for stay in deal.stage_history_ids.sorted("date_in")],
                [(first, "create"), (stage, "manual")],
            )
            self.assertEqual(deal.probability, stage.forecast_probability)
        self.assertEqual(plain.probability, 30)
        self.assertStructuresHold("a reseller's move on the portal")

    def test_reseller_types_zero_percent_on_the_portal(self):
        """The portal's form sends a typed 0 % as False (Odoo's
        update_lead_portal): the deal is at 0 %, weighted 0, as without the
        module (the module took False for an empty import cell)."""
        self.require("website_crm_partner_assign")
        reseller, portal = self.reseller()
        deal = self.make_deal("Zero", self.s_proposal, 1000, partner_assigned_id=reseller.id)
        self.end_request()
        self.assertEqual(deal.forecast_revenue, 600)
        deal.with_user(portal).update_lead_portal(
            {
                "expected_revenue": 1000,
                "probability": 0,
                "priority": "1",
                "date_deadline": False,
                "activity_date_deadline": False,
            }
        )
        self.end_request()
        self.assertEqual((deal.probability, deal.forecast_revenue), (0, 0))
        self.assertStructuresHold("a reseller's 0 % on the portal")

    def test_reseller_reads_no_invoice_figures(self):
        """The customer's invoice is closed to the reseller (Odoo's rule),
        and so are the deal's invoiced, paid and overdue amounts and its
        invoice count."""
        self.require("website_crm_partner_assign")
        reseller, portal = self.reseller()
        customer = self.env["res.partner"].create({"name": "End customer"})
        deal = self.make_deal(
            "Invoiced",
            self.s_proposal,
            1000,
            partner_id=customer.id,
            partner_assigned_id=reseller.id,
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": fields.Date.today(),
                "invoice_date_due": "2020-01-01",
                "opportunity_id": deal.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Work", "quantity": 1, "price_unit": 1234, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        self.end_request()
        self.assertEqual(
            (deal.invoiced_amount, deal.overdue_amount, deal.invoice_count), (1234, 1234, 1)
        )
        as_reseller = deal.with_user(portal)
        self.assertEqual(as_reseller.read(["name"])[0]["name"], "Invoiced")
        with self.assertRaises(AccessError):
            invoice.with_user(portal).read(["amount_untaxed"])
        for name in ("invoiced_amount", "paid_amount", "overdue_amount", "invoice_count"):
            with self.assertRaises(AccessError, msg=name):
                as_reseller.read([name])

    def test_partner_assignment_brings_the_deal_into_its_new_teams_pipeline(self):
        """Assigning a reseller whose account manager sells in a team with a
        catalogue: Odoo gives the deal that salesperson and so that team;
        the deal, in Odoo's shared Qualified, enters the team's pipeline (a
        stay of the team's pipeline) and is open there in the funnel."""
        self.require("website_crm_partner_assign")
        reseller, _portal = self.reseller()
        channel = self.env["crm.team"].create({"name": "Partner channel"})
        stages = apply_catalogue(self.env, channel)
        self.env["crm.team.member"].create(
            {"crm_team_id": channel.id, "user_id": self.other_rep.id}
        )
        reseller.user_id = self.other_rep
        plain = self.env["crm.team"].create({"name": "Plain"})
        qualified = self.env.ref("crm.stage_lead2")
        self.set_now(self.t0)
        deal = self.make_deal("To a reseller", qualified, 1000, team_id=plain.id)
        self.set_now(self.day(1))
        deal.assign_partner(partner_id=reseller.id)
        self.end_request()
        self.assertEqual((deal.user_id, deal.team_id), (self.other_rep, channel))
        self.assertIn(deal.stage_id, stages)
        self.assertEqual(
            [(stay.stage_id, stay.reason) for stay in deal.stage_history_ids.sorted("date_in")],
            [(qualified, "create"), (deal.stage_id, "team")],
        )
        self.env.cr.execute(
            "SELECT stage_id FROM crm_funnel_report WHERE lead_id = %s AND open_here = 1",
            [deal.id],
        )
        self.assertEqual(self.env.cr.fetchall(), [(deal.stage_id.id,)])
        self.assertStructuresHold("a deal assigned to a reseller")

    # ------------------------------------------------------------------
    # crm_livechat and event_crm: "Referred By" written by Odoo
    # ------------------------------------------------------------------
    def test_lead_from_a_chat_is_inbound(self):
        """The operator types /lead in a chat: crm_livechat writes the
        operator's name in Referred By; the visitor came on their own
        (inbound), not referred."""
        self.require("crm_livechat")
        operator = new_test_user(
            self.env,
            login="sff_operator",
            groups="sales_team.group_sale_salesman,im_livechat.im_livechat_group_user",
            name="Olga Operator",
        )
        visitor = self.env["res.partner"].create({"name": "Visitor", "email": "v@example.com"})
        channel = self.env["discuss.channel"].create(
            {
                "name": "chat",
                "channel_type": "livechat",
                "livechat_operator_id": operator.partner_id.id,
                "channel_member_ids": [
                    Command.create({"partner_id": operator.partner_id.id}),
                    Command.create({"partner_id": visitor.id}),
                ],
            }
        )
        lead = channel.with_user(operator)._convert_visitor_to_lead(
            operator.partner_id, "/lead Wants a demo"
        )
        self.assertEqual((lead.referred, lead.origin_type), ("Olga Operator", "net"))
        # a referral typed by hand on a deal of no source still is one
        typed = self.make_deal("Typed", self.s_new, referred="Old customer")
        self.assertEqual(typed.origin_type, "seed")

    def test_lead_from_an_event_registration_is_inbound(self):
        """An event's lead rule makes a lead of each registration: event_crm
        writes the event's name in Referred By; the attendee came on their
        own (inbound), not referred."""
        self.require("event_crm")
        event = self.env["event.event"].create(
            {
                "name": "Trade fair",
                "date_begin": "2026-04-01 08:00:00",
                "date_end": "2026-04-02 18:00:00",
            }
        )
        self.env["event.lead.rule"].create(
            {
                "name": "Every attendee",
                "lead_creation_basis": "attendee",
                "lead_creation_trigger": "create",
                "lead_type": "opportunity",
                "lead_sales_team_id": self.team.id,
                "event_id": event.id,
            }
        )
        registration = self.env["event.registration"].create(
            {"event_id": event.id, "name": "Attendee", "email": "att@example.com"}
        )
        lead = registration.lead_ids
        self.assertEqual(len(lead), 1)
        self.assertEqual((lead.referred, lead.origin_type), ("Trade fair", "net"))
        self.assertStructuresHold("a lead from an event registration")

    def test_chat_and_event_leads_of_before_the_install_are_inbound(self):
        """Installed onto a database that already has a lead from a chat and
        one from an event registration (Odoo wrote the operator's and the
        event's names in Referred By) and a referral typed by hand: the
        install gives the first two "net", as a new lead of those channels
        gets, and the referral "seed"."""
        self.require("crm_livechat")
        self.require("event_crm")
        event = self.env["event.event"].create(
            {
                "name": "Spring fair",
                "date_begin": "2026-04-01 08:00:00",
                "date_end": "2026-04-02 18:00:00",
            }
        )
        chat = self.make_deal(
            "From a chat",
            self.s_new,
            referred="Olga Operator",
            source_id=self.env.ref("crm_livechat.utm_source_livechat").id,
        )
        fair = self.make_deal("From the fair", self.s_new, referred=event.name, event_id=event.id)
        typed = self.make_deal("Referred", self.s_new, referred="Old customer")
        deals = chat | fair | typed
        self.assertEqual(deals.mapped("origin_type"), ["net", "net", "seed"])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET origin_type = NULL WHERE id = ANY(%s)", [deals.ids]
        )
        post_init_hook(self.env)
        deals.invalidate_recordset(["origin_type"])
        self.assertEqual(deals.mapped("origin_type"), ["net", "net", "seed"])

    def test_upgrade_makes_chat_leads_of_an_earlier_install_inbound(self):
        """A database installed before 18.0.1.24.0: two chat leads the
        install made "seed"; a rep has since chosen "seed" for the second
        (the chatter says so). The upgrade makes the first "net", funnel
        rows included, and leaves the rep's choice; a second upgrade finds
        nothing."""
        self.require("crm_livechat")
        livechat = self.env.ref("crm_livechat.utm_source_livechat")
        first, second = (
            self.make_deal(name, self.s_new, 100, referred="Olga Operator", source_id=livechat.id)
            for name in ("Chat one", "Chat two")
        )
        # created earlier: the rep's choice is tracked in the chatter
        self.end_request()
        second.origin_type = "seed"
        self.end_request()
        self.env.cr.execute("UPDATE crm_lead SET origin_type = 'seed' WHERE id = %s", [first.id])
        self.env["crm.lead.stage.reach"]._sff_fill()
        self.env.invalidate_all()
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.24.0/post-migrate.py",
            "sff_post_migrate_18_0_1_24_0",
        )
        migration.migrate(self.env.cr, "18.0.1.23.0")
        run_requested(self.env)
        self.env.invalidate_all()
        self.assertEqual((first.origin_type, second.origin_type), ("net", "seed"))
        rows = self.env["crm.funnel.report"].search([("lead_id", "in", (first | second).ids)])
        self.assertEqual(
            {(row.lead_id.name, row.origin_type) for row in rows},
            {("Chat one", "net"), ("Chat two", "seed")},
        )
        self.assertStructuresHold("upgrade of chat leads")
        migration.migrate(self.env.cr, "18.0.1.23.0")
        self.assertEqual(run_requested(self.env), [])

    def test_order_delivered_short_and_paid_wins_the_deal(self):
        """With Odoo's inventory: an order of 10 units at 100 invoiced on
        delivery; 6 delivered and the backorder cancelled, the 600 invoiced
        and paid. Odoo says the order has nothing left to invoice: the deal
        is in the won Payment stage (it stayed in Invoice, the 4 units never
        coming). Before the delivery is over, a paid invoice of the units
        delivered so far does not win it."""
        self.require("sale_stock")
        self.s_qualified.document_trigger = "order"
        self.s_proposal.document_trigger = "invoice"
        self.s_won.document_trigger = "payment"
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        customer = self.env["res.partner"].create({"name": "Short Delivery Ltd"})
        product = self.env["product.product"].create(
            {
                "name": "Crate",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "delivery",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )

        def deal_and_order(name):
            deal = self.make_deal(name, self.s_new, 1000.0, user_id=self.rep.id)
            order = self.env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "opportunity_id": deal.id,
                    "team_id": self.team.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 10,
                                "price_unit": 100.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            order.action_confirm()
            self.assertEqual(deal.stage_id, self.s_qualified)
            return deal, order

        def deliver(order, quantity, backorder):
            picking = order.picking_ids.filtered(lambda picking: picking.state != "done")
            picking.move_ids.write({"quantity": quantity, "picked": True})
            picking.with_context(cancel_backorder=not backorder)._action_done()

        def invoice_and_pay(order):
            move = order._create_invoices()
            move.invoice_date = fields.Date.today()
            move.action_post()
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"amount": move.amount_total})._create_payments()
            self.assertEqual((move.amount_total, move.payment_state), (600.0, "paid"))

        short, order = deal_and_order("Delivered short")
        deliver(order, 6, backorder=False)
        self.assertEqual(order.order_line.qty_delivered, 6)
        invoice_and_pay(order)
        self.assertEqual(order.invoice_status, "no")
        short.invalidate_recordset()
        self.assertEqual((short.stage_id, short.paid_amount), (self.s_won, 600.0))
        waiting, order = deal_and_order("Rest to come")
        deliver(order, 6, backorder=True)
        invoice_and_pay(order)
        waiting.invalidate_recordset()
        self.assertEqual((waiting.stage_id, waiting.paid_amount), (self.s_proposal, 600.0))
        self.assertStructuresHold("an order delivered short")
