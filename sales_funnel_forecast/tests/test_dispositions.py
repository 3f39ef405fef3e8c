# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestLossReasons(FunnelCase):
    def test_shipped_reasons_cover_every_category(self):
        Reason = self.env["crm.lost.reason"]
        categories = set(Reason.search([]).mapped("category"))
        expected = {key for key, _label in Reason._fields["category"].selection} - {"other"}
        self.assertLessEqual(expected, categories)
        # Odoo's own reason, guessed at install
        self.assertEqual(self.env.ref("crm.lost_reason_1").category, "price")
        self.assertEqual(self.env.ref("crm.lost_reason_2").category, "other")

    def test_reason_required_by_the_company(self):
        deal = self.make_deal("Needs a reason", self.s_new, 1000)
        deal.action_set_lost()  # not required: fine
        deal.action_unarchive()
        self.company.crm_lost_reason_required = True
        with self.assertRaisesRegex(UserError, "lost reason"):
            deal.action_set_lost()
        wizard = self.env["crm.lead.lost"].create({"lead_ids": deal.ids})
        self.assertTrue(wizard.lost_reason_required)
        with self.assertRaisesRegex(UserError, "Choose why"):
            wizard.action_lost_reason_apply()
        self.assertTrue(deal.active, "nothing lost without a reason")
        wizard.lost_reason_id = self.env.ref("sales_funnel_forecast.lost_reason_price")
        wizard.action_lost_reason_apply()
        self.assertFalse(deal.active)


@tagged("post_install", "-at_install")
class TestContactStatus(FunnelCase):
    def test_qualify_and_disqualify(self):
        deal = self.make_deal("Prospect", self.s_new, 1000)
        self.assertEqual(deal.contact_status, "not_attempted")
        deal.action_qualify()
        self.assertEqual(deal.contact_status, "qualified")
        other = self.make_deal("Not a buyer", self.s_new, 1000)
        action = other.action_disqualify()
        self.assertEqual(action["res_model"], "crm.lead.lost")
        # the dialog's title, as the web client shows it
        self.assertEqual(action["name"], "Disqualify")
        wizard = self.env["crm.lead.lost"].with_context(**action["context"]).create({})
        self.assertEqual(wizard.lead_ids, other)
        self.assertTrue(wizard.lost_reason_required, "disqualifying asks why")
        wizard.lost_reason_id = self.env.ref("sales_funnel_forecast.lost_reason_timing")
        wizard.action_lost_reason_apply()
        self.assertEqual((other.active, other.contact_status), (False, "disqualified"))

    def test_lost_reason_disqualifies(self):
        deal = self.make_deal("Wrong person", self.s_new, 1000)
        deal.action_set_lost(
            lost_reason_id=self.env.ref("sales_funnel_forecast.lost_reason_wrong_person").id
        )
        self.assertEqual(deal.contact_status, "disqualified")
        priced = self.make_deal("Too dear", self.s_new, 1000)
        priced.contact_status = "qualified"
        priced.action_set_lost(
            lost_reason_id=self.env.ref("sales_funnel_forecast.lost_reason_price").id
        )
        self.assertEqual(priced.contact_status, "qualified", "a real buyer who chose not to buy")

    def test_restored_deal_is_no_longer_disqualified(self):
        """A deal lost for a reason that disqualifies is disqualified; the
        rep restores it (Odoo clears the reason): it is open in the
        pipeline again, with the status it had before (contacted, tracked
        in French by a French-speaking rep, qualified); a deal lost with
        tracking off (an import) comes back as it was too (it came back
        contacted, the chatter saying nothing); a deal disqualified by the
        Disqualify button and restored too. A deal lost for another reason
        keeps its status; a deal disqualified before the module kept the
        status takes the chatter's, else contacted."""
        wrong_person = self.env.ref("sales_funnel_forecast.lost_reason_wrong_person").id
        self.env["res.lang"]._activate_lang("fr_FR")
        self.rep.lang = "fr_FR"
        contacted = self.make_deal("Contacted", self.s_new, 1000, user_id=self.rep.id)
        contacted.with_user(self.rep).contact_status = "contacted"
        qualified = self.make_deal("Qualified", self.s_new, 1000)
        qualified.action_qualify()
        fresh = self.make_deal("Not attempted", self.s_new, 1000)
        untracked = self.make_deal("Not tracked", self.s_new, 1000)
        button = self.make_deal("By the button", self.s_new, 1000)
        button.contact_status = "attempted"
        priced = self.make_deal("Too dear", self.s_new, 1000)
        priced.contact_status = "attempted"
        self.end_request()
        (contacted + qualified + fresh).action_set_lost(lost_reason_id=wrong_person)
        untracked.with_context(tracking_disable=True).action_set_lost(lost_reason_id=wrong_person)
        action = button.action_disqualify()
        wizard = self.env["crm.lead.lost"].with_context(**action["context"]).create({})
        wizard.lost_reason_id = self.env.ref("sales_funnel_forecast.lost_reason_timing")
        wizard.action_lost_reason_apply()
        priced.action_set_lost(
            lost_reason_id=self.env.ref("sales_funnel_forecast.lost_reason_price").id
        )
        self.end_request()
        deals = contacted + qualified + fresh + untracked + button + priced
        self.assertEqual(deals.mapped("contact_status"), ["disqualified"] * 5 + ["attempted"])
        (contacted + qualified + fresh).action_unarchive()
        untracked.toggle_active()
        (button + priced).with_user(self.manager).action_unarchive()
        self.end_request()
        self.assertEqual(deals.mapped("active"), [True] * 6)
        self.assertEqual(
            deals.mapped("contact_status"),
            ["contacted", "qualified", "not_attempted", "not_attempted", "attempted", "attempted"],
        )
        self.assertFalse(any(deals.mapped("status_before_disqualified")))
        # disqualified before the module kept the status (an upgrade's deals)
        contacted.action_set_lost(lost_reason_id=wrong_person)
        untracked.with_context(tracking_disable=True).action_set_lost(lost_reason_id=wrong_person)
        self.end_request()
        (contacted + untracked).write({"status_before_disqualified": False})
        (contacted + untracked).action_unarchive()
        self.end_request()
        self.assertEqual((contacted + untracked).mapped("contact_status"), ["contacted"] * 2)


@tagged("post_install", "-at_install")
class TestInactiveCustomers(FunnelCase):
    def test_customer_status_and_reason(self):
        Partner = self.env["res.partner"]
        busy = Partner.create({"name": "Busy Co", "is_company": True})
        gone = Partner.create({"name": "Gone Co", "is_company": True})
        stalled = Partner.create({"name": "Stalled Co", "is_company": True})
        nobody = Partner.create({"name": "No deal Co", "is_company": True})
        self.set_now(self.t0)
        self.make_deal("Busy open", self.s_new, partner_id=busy.id)
        lost_busy = self.make_deal("Busy lost", self.s_new, partner_id=busy.id)
        lost_busy.action_set_lost()
        first = self.make_deal("Gone first", self.s_new, partner_id=gone.id)
        first.action_set_lost(
            lost_reason_id=self.env.ref("sales_funnel_forecast.lost_reason_price").id
        )
        last = self.make_deal("Gone last", self.s_new, partner_id=gone.id)
        last.action_set_lost(
            lost_reason_id=self.env.ref("sales_funnel_forecast.lost_reason_competitor").id
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=30), first.id],
        )
        stuck = self.make_deal("Stuck", self.s_new, partner_id=stalled.id)
        stuck.write({"is_stalled": True})
        partners = busy | gone | stalled | nobody
        partners.invalidate_recordset()
        self.assertEqual(
            partners.mapped("funnel_status"), ["active", "inactive", "inactive", False]
        )
        self.assertEqual(
            gone.funnel_inactive_reason_id,
            self.env.ref("sales_funnel_forecast.lost_reason_competitor"),
        )
        self.assertEqual(
            Partner.search([("id", "in", partners.ids), ("funnel_status", "=", "inactive")]),
            gone | stalled,
        )
        # in the funnel: active and inactive customers per stage
        rows = dict(
            self.env["crm.funnel.report"]._read_group(
                [
                    ("lead_id", "in", (lost_busy | first | last | stuck).ids),
                    ("stage_id", "=", self.s_new.id),
                ],
                ["partner_status"],
                ["reached:sum"],
            )
        )
        self.assertEqual(rows, {"active": 1, "inactive": 3})


@tagged("post_install", "-at_install")
class TestBuyingRoles(FunnelCase):
    def test_roles_from_the_customer_people(self):
        company = self.env["res.partner"].create(
            {
                "name": "Buyer Co",
                "is_company": True,
                "child_ids": [
                    Command.create({"name": "Ann Boss"}),
                    Command.create({"name": "Ben Tech"}),
                ],
            }
        )
        deal = self.make_deal("Roles", self.s_new, 1000, partner_id=company.id)
        self.assertFalse(deal.has_decision_maker)

        def without_decision_maker():
            """The deal's count in the funnel's "without decision maker",
            each role change made in a request of its own (the funnel rows
            carry the flag, which the roles compute)."""
            self.end_request()
            [(count,)] = self.env["crm.funnel.report"]._read_group(
                [("lead_id", "=", deal.id), ("stage_id", "=", self.s_new.id)],
                [],
                ["no_decision_maker:sum"],
            )
            return count

        self.assertEqual(without_decision_maker(), 1)
        deal.action_add_customer_contacts()
        self.assertEqual(
            set(deal.buying_role_ids.partner_id.mapped("name")),
            {"Buyer Co", "Ann Boss", "Ben Tech"},
        )
        deal.action_add_customer_contacts()
        self.assertEqual(len(deal.buying_role_ids), 3, "nobody twice")
        ann = deal.buying_role_ids.filtered(lambda role: role.partner_id.name == "Ann Boss")
        ann.role_id = self.env.ref("sales_funnel_forecast.buying_role_technical_evaluator")
        self.assertFalse(deal.has_decision_maker)
        self.assertEqual(without_decision_maker(), 1)
        ann.role_id = self.env.ref("sales_funnel_forecast.buying_role_decision_maker")
        self.assertTrue(deal.has_decision_maker)
        self.assertEqual(without_decision_maker(), 0)
        # a role that stops deciding, changed by a manager in its own request
        deciding = self.env.ref("sales_funnel_forecast.buying_role_decision_maker")
        deciding.is_decision_maker = False
        self.assertEqual(without_decision_maker(), 1)
        deciding.is_decision_maker = True
        self.assertEqual(without_decision_maker(), 0)
        # a line removed from the deal's tab
        deal.write({"buying_role_ids": [Command.unlink(ann.id)]})
        self.assertEqual(without_decision_maker(), 1)
        deal.write(
            {
                "buying_role_ids": [
                    Command.create(
                        {
                            "partner_id": self.env["res.partner"].create({"name": "Cy Chief"}).id,
                            "role_id": deciding.id,
                        }
                    )
                ]
            }
        )
        self.assertEqual(without_decision_maker(), 0)
        without = self.make_deal("Nobody known", self.s_new, 1000)
        found = self.env["crm.lead"].search(
            [("id", "in", (deal | without).ids), ("has_decision_maker", "=", False)]
        )
        self.assertEqual(found, without)
        counts = dict(
            self.env["crm.funnel.report"]._read_group(
                [("lead_id", "in", (deal | without).ids)], ["stage_id"], ["no_decision_maker:sum"]
            )
        )
        self.assertEqual(counts[self.s_new], 1)


@tagged("post_install", "-at_install")
class TestLossReport(FunnelCase):
    def test_losses_by_reason_and_stage(self):
        price = self.env.ref("sales_funnel_forecast.lost_reason_price")
        competitor = self.env.ref("sales_funnel_forecast.lost_reason_competitor")
        for name, stage, amount, reason in (
            ("L1", self.s_new, 1000, price),
            ("L2", self.s_proposal, 2000, price),
            ("L3", self.s_proposal, 4000, competitor),
        ):
            self.make_deal(name, stage, amount).action_set_lost(lost_reason_id=reason.id)
        self.make_deal("Still open", self.s_new, 8000)
        Report = self.env["crm.loss.report"]
        domain = [("team_id", "=", self.team.id)]
        by_category = {
            category: values
            for category, *values in Report._read_group(
                domain, ["category"], ["lost_count:sum", "lost_amount:sum"]
            )
        }
        self.assertEqual(by_category, {"price": [2, 3000.0], "competitor": [1, 4000.0]})
        by_stage = {
            stage: count
            for stage, count in Report._read_group(domain, ["lost_stage_id"], ["lost_count:sum"])
        }
        self.assertEqual(by_stage, {self.s_new: 1, self.s_proposal: 2})
        losses = Report._sff_losses(domain)
        self.assertEqual(sum(row["amount"] for row in losses["by_reason"]), 7000.0)


@tagged("post_install", "-at_install")
class TestStallProposal(FunnelCase):
    def test_limits_from_won_deals(self):
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.s_qualified.stall_days = 9
        # five won deals spent 2, 3, 4, 5 and 10 days in T-Prospect
        self.won_after((2, 3, 4, 5, 10))
        wizard = (
            self.env["crm.stage.stall.proposal"]
            .with_user(self.manager)
            .create({"team_id": self.team.id})
        )
        wizard.write({"line_ids": [Command.create(values) for values in wizard._sff_proposals()]})
        lines = {line.stage_id: line for line in wizard.line_ids}
        prospect = lines[self.s_new]
        self.assertEqual(
            (prospect.won_count, prospect.median_days, prospect.proposed_days, prospect.apply),
            (5, 4.0, 8, True),
        )
        # T-Qualified: the won deals spent no time there (won at once): 0 days
        # each, proposal at least 1 day; T-Proposal: no won deal went through
        self.assertEqual(lines[self.s_qualified].proposed_days, 1)
        self.assertFalse(lines[self.s_proposal].has_proposal)
        lines[self.s_qualified].apply = False
        wizard.action_apply()
        self.assertEqual(
            (self.s_new.stall_days, self.s_qualified.stall_days, self.s_proposal.stall_days),
            (8, 9, 0),
            "unchosen and unproposed stages keep their limit",
        )
