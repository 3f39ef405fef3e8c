# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Leads beside opportunities: converted with Odoo's dialogs into a team of
a catalogue, merged into the customer's opportunity (their people and
roles, their status), disqualified (in the Losses report)."""

from odoo.tests import tagged

from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestLeads(FunnelCase):
    def convert(self, lead, **values):
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
            .create(dict({"name": "convert", "action": "nothing"}, **values))
        )
        return wizard.action_apply()

    def test_merge_on_conversion_keeps_the_leads_people(self):
        """A lead with a buying role (its decision maker), merged into the
        customer's open opportunity on conversion: the kept deal has the
        role, as it has the lead's calls."""
        self.set_now(self.t0)
        person = self.env["res.partner"].create({"name": "Dora Decider"})
        decider = self.env["crm.buying.role.type"].search(
            [("is_decision_maker", "=", True)], limit=1
        )
        self.assertTrue(decider)
        lead = self.make_deal(
            "Lead with a role", self.s_new, 100, type="lead", email_from="dup@example.com"
        )
        self.env["crm.lead.buying.role"].create(
            {"lead_id": lead.id, "partner_id": person.id, "role_id": decider.id}
        )
        self.env["crm.lead.call"].create({"lead_id": lead.id, "outcome": "conversation"})
        target = self.make_deal(
            "The customer's deal", self.s_qualified, 500, email_from="dup@example.com"
        )
        self.set_now(self.day(1))
        self.convert(lead, name="merge", duplicated_lead_ids=[(6, 0, (lead | target).ids)])
        self.assertFalse(lead.exists())
        self.assertEqual(target.call_count, 1, "the lead's call carried over")
        self.assertEqual(
            target.buying_role_ids.partner_id.mapped("name"),
            ["Dora Decider"],
            "the lead's buying role carried over",
        )
        self.assertTrue(target.has_decision_maker)
        self.assertStructuresHold("merge on conversion")

    def test_wizard_conversion_into_a_catalogue_team_enters_its_pipeline(self):
        """Pre-sales qualifies a lead (in Odoo's shared stage New) and
        converts it with Odoo's Convert dialog into a team that runs the
        4-step catalogue, for one of that team's reps, on day 2: the deal is
        in the team's first stage (Prospecting) and its funnel counts it
        there, reached on day 2."""
        cat_team = self.env["crm.team"].create({"name": "Catalogue team"})
        stages = apply_catalogue(self.env, cat_team)
        self.env["crm.team.member"].create(
            {"crm_team_id": cat_team.id, "user_id": self.other_rep.id}
        )
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.set_now(self.t0)
        # in Odoo's shared first stage, as the leads of a pre-sales team
        lead = self.make_deal("Wizard lead", self.env.ref("crm.stage_lead1"), 1000, type="lead")
        self.set_now(self.day(2))
        self.convert(lead, team_id=cat_team.id, user_id=self.other_rep.id)
        self.end_request()
        self.assertEqual(
            (lead.type, lead.team_id, lead.user_id), ("opportunity", cat_team, self.other_rep)
        )
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", lead.id)])
        self.assertEqual(
            (lead.stage_id.name, rows.stage_id.mapped("name"), rows.mapped("date_in")),
            (stages[0].name, [stages[0].name], [self.day(2)]),
        )

    def test_mass_conversion_into_a_catalogue_team_enters_its_pipeline(self):
        cat_team = self.env["crm.team"].create({"name": "Catalogue team"})
        stages = apply_catalogue(self.env, cat_team)
        self.env["crm.team.member"].create(
            {"crm_team_id": cat_team.id, "user_id": self.other_rep.id}
        )
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.set_now(self.t0)
        leads = self.make_deal("Mass A", self.s_new, 100, type="lead") | self.make_deal(
            "Mass B", self.s_qualified, 200, type="lead"
        )
        self.set_now(self.day(2))
        self.env["crm.lead2opportunity.partner.mass"].with_context(
            active_model="crm.lead", active_ids=leads.ids
        ).create(
            {
                "name": "convert",
                "action": "nothing",
                "team_id": cat_team.id,
                "user_ids": [(6, 0, self.other_rep.ids)],
                "force_assignment": True,
            }
        ).action_mass_convert()
        self.end_request()
        self.assertEqual(leads.team_id, cat_team)
        self.assertEqual(leads.stage_id.mapped("name"), [stages[0].name])
        self.assertEqual(
            self.env["crm.funnel.report"].search_count([("lead_id", "in", leads.ids)]), 2
        )

    def test_merge_on_conversion_keeps_a_qualified_contact_status(self):
        """A lead the rep qualified (no call logged), merged on conversion
        into the customer's new opportunity (not attempted yet): the kept
        deal is qualified."""
        self.set_now(self.t0)
        lead = self.make_deal("Q lead", self.s_new, 100, type="lead", email_from="q@example.com")
        lead.action_qualify()
        target = self.make_deal("Q target", self.s_qualified, 500, email_from="q@example.com")
        self.assertEqual(target.contact_status, "not_attempted")
        self.set_now(self.day(1))
        self.convert(lead, name="merge", duplicated_lead_ids=[(6, 0, (lead | target).ids)])
        self.assertFalse(lead.exists())
        self.assertEqual(target.contact_status, "qualified")

    def test_disqualified_leads_are_in_the_losses_report(self):
        """Pre-sales disqualifies two leads with the Disqualify button (one
        wrong person, one no response) and loses one opportunity on price:
        the Losses report ("why prospects dropped out") counts 3, one per
        reason."""
        self.set_now(self.t0)
        wrong = self.make_deal("Wrong person lead", self.s_new, 100, type="lead")
        silent = self.make_deal("Silent lead", self.s_new, 200, type="lead")
        deal = self.make_deal("Priced out", self.s_proposal, 1000)
        for lead, xmlid in (
            (wrong, "lost_reason_wrong_person"),
            (silent, "lost_reason_no_response"),
        ):
            action = lead.action_disqualify()
            self.env["crm.lead.lost"].with_context(**action["context"]).create(
                {"lost_reason_id": self.env.ref(f"sales_funnel_forecast.{xmlid}").id}
            ).action_lost_reason_apply()
        deal.action_set_lost(
            lost_reason_id=self.env.ref("sales_funnel_forecast.lost_reason_price").id
        )
        self.assertEqual((wrong | silent).mapped("contact_status"), ["disqualified"] * 2)
        by_category = dict(
            self.env["crm.loss.report"]._read_group(
                [("team_id", "=", self.team.id)], ["category"], ["lost_count:sum"]
            )
        )
        self.assertEqual(by_category, {"wrong_person": 1, "no_response": 1, "price": 1})
