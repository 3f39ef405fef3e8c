# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own machinery writing deals: mail, assignment, scoring, contact
merge, users and teams archived, documents, mass mailing. Each keeps the
module's structures and figures."""

from odoo.tests import tagged

from .common import FunnelCase

RAW_EMAIL = """Return-Path: <prospect@example.com>
To: sales@example.com
From: Paula Prospect <prospect@example.com>
Subject: We need 40 licences
Message-ID: <machinery-{n}@example.com>
Date: Mon, 02 Mar 2026 09:00:00 +0000
Content-Type: text/plain; charset="utf-8"

Hello, please call us back.
"""


class AssignmentMixin:
    def assigned(self, domain, values_list):
        """Leads of no team created on day 0, then assigned by Odoo's team
        assignment on day 1 to the rep of the test's team (its domain:
        ``domain``)."""
        self.env["crm.team.member"].create(
            {"crm_team_id": self.team.id, "user_id": self.rep.id, "assignment_max": 300}
        )
        self.team.assignment_domain = domain
        leads = self.env["crm.lead"].create(values_list)
        self.set_now(self.day(1))
        self.team._action_assign_leads(force_quota=True, creation_delta_days=0)
        return leads


@tagged("post_install", "-at_install")
class TestOdooMachinery(AssignmentMixin, FunnelCase):
    def test_lead_from_an_incoming_email(self):
        self.team.use_leads = False
        self.set_now(self.t0)
        lead_id = self.env["mail.thread"].message_process(
            "crm.lead",
            RAW_EMAIL.format(n=1),
            custom_values={"team_id": self.team.id, "type": "opportunity"},
        )
        deal = self.env["crm.lead"].browse(lead_id)
        self.assertEqual(deal.type, "opportunity")
        self.assertStructuresHold("message_new")
        self.assertTrue(deal.date_last_activity)

    def test_team_assignment(self):
        self.set_now(self.t0)
        leads = self.assigned(
            "[('name', 'like', 'Machinery assign')]",
            [
                {
                    "name": f"Machinery assign {i}",
                    "type": "lead",
                    "expected_revenue": 100 * (i + 1),
                    "team_id": False,
                    "user_id": False,
                    "email_from": f"a{i}@example.com",
                }
                for i in range(3)
            ]
            + [
                {
                    "name": "Machinery assign opp",
                    "type": "opportunity",
                    "team_id": False,
                    "user_id": False,
                    "expected_revenue": 700,
                    "email_from": "o@example.com",
                }
            ],
        )
        self.assertEqual(leads.team_id, self.team)
        self.assertEqual(set(leads.mapped("type")), {"opportunity"})
        self.assertEqual(leads.user_id, self.rep)
        self.assertStructuresHold("assignment")

    def _merge_partners(self, sources, destination):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_context(active_model="res.partner", active_ids=(sources | destination).ids)
            .create({})
        )
        wizard._merge((sources | destination).ids, destination)

    def _two_contacts_with_roles(self):
        """Ann Boss entered twice; on one deal both entries have a role (the
        duplicate as decision maker), on another only the duplicate."""
        Partner = self.env["res.partner"]
        company = Partner.create({"name": "Machinery Buyer Co", "is_company": True})
        ann = Partner.create(
            {"name": "Ann Boss", "parent_id": company.id, "email": "ann@example.com"}
        )
        ann2 = Partner.create(
            {"name": "Ann Boss", "parent_id": company.id, "email": "ann@example.com"}
        )
        decider = self.env.ref("sales_funnel_forecast.buying_role_decision_maker")
        evaluator = self.env.ref("sales_funnel_forecast.buying_role_technical_evaluator")
        both = self.make_deal("Merge roles", self.s_qualified, 1000, partner_id=company.id)
        only = self.make_deal("Merge roles 2", self.s_qualified, 1000, partner_id=ann2.id)
        self.env["crm.lead.buying.role"].create(
            [
                {"lead_id": both.id, "partner_id": ann2.id, "role_id": decider.id},
                {"lead_id": both.id, "partner_id": ann.id, "role_id": evaluator.id},
                {"lead_id": only.id, "partner_id": ann2.id, "role_id": decider.id},
            ]
        )
        self.assertTrue(both.has_decision_maker and only.has_decision_maker)
        return ann, ann2, both, only

    def test_partner_merge_keeps_buying_roles(self):
        """Contacts > Merge of two entries of one person: the roles the merged
        entry had go to the kept one (a deal where both had one keeps one)."""
        ann, ann2, both, only = self._two_contacts_with_roles()
        self._merge_partners(ann2, ann)
        self.env.invalidate_all()
        self.assertEqual(only.partner_id, ann)
        self.assertEqual(
            only.buying_role_ids.mapped(lambda r: (r.partner_id.name, r.role_id.name)),
            [("Ann Boss", "Decision maker")],
            "a deal where only the merged contact had a role keeps it, on the kept contact",
        )
        self.assertEqual(len(both.buying_role_ids), 1, "one role for Ann on the other deal")

    def test_partner_merge_decision_maker_flag_follows_roles(self):
        """Whatever roles the merge leaves, each deal's 'Decision Maker Known'
        (and the funnel's 'no decision maker' count) says what they say."""
        ann, ann2, both, only = self._two_contacts_with_roles()
        self._merge_partners(ann2, ann)
        self.assertStructuresHold("partner merge")
        self.env.invalidate_all()
        self.assertEqual(
            [(lead.name, lead.has_decision_maker) for lead in both | only],
            [
                (lead.name, any(lead.buying_role_ids.role_id.mapped("is_decision_maker")))
                for lead in both | only
            ],
        )

    def test_salesperson_archived_and_deleted(self):
        self.set_now(self.t0)
        gone = self.env["res.users"].create(
            {
                "name": "Gone Rep",
                "login": "machinery_gone",
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": gone.id})
        a = self.make_deal("Gone A", self.s_new, 100, user_id=gone.id)
        b = self.make_deal("Gone B", self.s_won, 200, user_id=gone.id)
        c = self.make_deal("Gone C", self.s_qualified, 300, user_id=gone.id)
        c.action_set_lost()
        self.set_now(self.day(1))
        a.stage_id = self.s_qualified
        self.set_now(self.day(2))
        gone.action_archive()
        self.assertStructuresHold("salesperson archived")
        self.set_now(self.day(3))
        gone.unlink()
        self.assertStructuresHold("salesperson deleted")
        self.assertFalse((a | b).user_id)

    def test_team_archived(self):
        self.set_now(self.t0)
        a = self.make_deal("TA", self.s_new, 100)
        self.make_deal("TB", self.s_won, 100)
        self.set_now(self.day(1))
        self.team.action_archive()
        self.assertStructuresHold("team archived")
        self.set_now(self.day(2))
        a.stage_id = self.s_proposal
        self.assertStructuresHold("deal of an archived team moved")

    def test_lost_deal_moved_by_mass_edit_to_won_stage(self):
        self.set_now(self.t0)
        a = self.make_deal("MW A", self.s_new, 100)
        b = self.make_deal("MW B", self.s_proposal, 200, probability=70)
        c = self.make_deal("MW C", self.s_qualified, 300)
        c.action_set_lost()
        self.set_now(self.day(1))
        (a | b | c).with_context(active_test=False).write({"stage_id": self.s_won.id})
        self.assertStructuresHold("mass edit to won stage")
        self.assertEqual((a | b).mapped("probability"), [100.0, 100.0])


@tagged("post_install", "-at_install")
class TestOdooMachineryMail(AssignmentMixin, FunnelCase):
    def test_mass_email_from_the_list_is_last_activity(self):
        """Select deals in the list, Actions > Send email: each deal's chatter
        shows the email sent; its Last Activity is that email, as the
        recount from the chatter (``_sff_recount_calls``) says."""
        self.set_now(self.t0)
        a = self.make_deal("Mass A", self.s_new, 100, email_from="a@example.com")
        b = self.make_deal("Mass B", self.s_qualified, 200, email_from="b@example.com")
        self.end_request()
        self.assertEqual((a | b).mapped("date_last_activity"), [False, False], "no activity yet")
        composer = (
            self.env["mail.compose.message"]
            .with_context(
                default_model="crm.lead",
                default_res_ids=(a | b).ids,
                default_composition_mode="mass_mail",
            )
            .create({"subject": "Our offer", "body": "<p>Hello</p>"})
        )
        composer._action_send_mail()
        self.env.flush_all()
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "in", (a | b).ids),
                ("subject", "=", "Our offer"),
            ]
        )
        self.assertEqual(len(messages), 2, "the email is in each deal's chatter")
        stored = {lead.name: lead.date_last_activity for lead in a | b}
        self.env["crm.lead"]._sff_recount_calls((a | b).ids)
        self.env.invalidate_all()
        recounted = {lead.name: lead.date_last_activity for lead in a | b}
        self.assertEqual(stored, recounted)
        self.assertTrue(all(recounted.values()))

    def test_stage_made_won_then_open_again(self):
        self.set_now(self.t0)
        a = self.make_deal("SW A", self.s_proposal, 100)
        b = self.make_deal("SW B", self.s_proposal, 200, probability=70)
        c = self.make_deal("SW C", self.s_proposal, 300)
        c.write({"forecast_excluded": True})
        self.set_now(self.day(1))
        self.s_won.is_won = False
        self.s_proposal.is_won = True
        self.assertStructuresHold("stage made won")

        def states():
            # the states of the deals' versions in force
            versions = (a | b | c).forecast_version_ids
            return [version.deal_state for version in versions if not version.valid_to]

        self.assertEqual(states(), ["won", "won", "won"])
        self.set_now(self.day(2))
        self.s_proposal.is_won = False
        self.s_won.is_won = True
        self.assertStructuresHold("stage open again")
        self.assertEqual(states(), ["open", "open", "open"])

    def test_assigned_lead_converted_into_a_catalogue_team(self):
        """A lead of no team (an alias of no team) assigned by Odoo to a team
        that runs a catalogue: the funnel counts it in that pipeline."""
        self.set_now(self.t0)
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        lead = self.assigned(
            "[('name', '=', 'Machinery catalogue lead')]",
            [
                {
                    "name": "Machinery catalogue lead",
                    "type": "lead",
                    "team_id": False,
                    "user_id": False,
                    "expected_revenue": 500,
                    "email_from": "c@example.com",
                }
            ],
        )
        self.assertEqual((lead.type, lead.team_id), ("opportunity", self.team))
        self.assertStructuresHold("assigned into a catalogue team")
        self.assertIn(lead.stage_id, lead.pipeline_stage_ids)
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", lead.id)])
        self.assertTrue(rows, f"the deal is in its team's funnel (stage {lead.stage_id.name})")
