# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo CRM's own mass and side paths: the Merge and Convert dialogs, the
kanban's "Add a column"."""

from odoo import Command, fields
from odoo.addons.sale.tests.common import TestSaleCommon
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestMergeAndConvert(FunnelCase):
    def test_merge_into_a_catalogue_team_enters_its_pipeline(self):
        """Two duplicates of no team merged with the Merge dialog, the
        salesperson and team of a catalogue team chosen: the deal kept
        enters the team's pipeline (Odoo counts the shared stage it was in
        as every team's; a catalogue team has its own stages only) and
        counts in its funnel."""
        team, stages = self.catalogue_team("merge team")
        shared = self.env.ref("crm.stage_lead2")
        self.set_now(self.t0)
        a = self.make_deal("dup A", shared, 1000, team_id=False, partner_name="Dup Co")
        b = self.make_deal("dup B", shared, 1000, team_id=False, partner_name="Dup Co")
        self.end_request()
        self.set_now(self.day(1))
        wizard = (
            self.env["crm.merge.opportunity"]
            .with_context(active_model="crm.lead", active_ids=(a | b).ids)
            .create(
                {
                    "opportunity_ids": [Command.set((a | b).ids)],
                    "user_id": self.rep.id,
                    "team_id": team.id,
                }
            )
        )
        wizard.action_merge()
        kept = (a | b).exists()
        self.end_request()
        self.assertEqual(kept.team_id, team)
        self.assertIn(
            kept.stage_id,
            stages,
            f"the merged deal is in its team's pipeline, not in {kept.stage_id.name}",
        )
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", kept.id)])
        self.assertTrue(rows, "the merged open deal counts in its team's funnel")

    def test_add_a_column_to_a_catalogue_pipeline_belongs_to_the_team(self):
        """The kanban's "Add a column" on a catalogue team's pipeline
        (name_create with the pipeline's default_team_id, as the web client
        calls it) gives the team a stage (Odoo drops default_team_id for
        stages: it was a shared stage, gone from that kanban on the next
        load and shown in every other team's)."""
        team, _stages = self.catalogue_team("column team")
        Stage = self.env["crm.stage"].with_context(default_team_id=team.id)
        stage_id, _name = Stage.name_create("Contract signed")
        stage = self.env["crm.stage"].browse(stage_id)
        columns = [
            group["stage_id"][0]
            for group in self.env["crm.lead"]
            .with_context(default_team_id=team.id)
            .web_read_group([("team_id", "=", team.id)], ["stage_id"], ["stage_id"])["groups"]
        ]
        self.assertIn(stage.id, columns, "the column added is still in the team's kanban")
        self.assertEqual(stage.team_id, team)

    def test_add_a_column_percentage_from_where_the_kanban_puts_it(self):
        """ "Add a column" creates the stage, then the web client resequences
        every column, the new one last: its percentage is proposed for that
        place, halfway from Closing's 75 % to 100 (it was proposed for
        Odoo's default sequence, the first place: 5 %)."""
        team, stages = self.catalogue_team("percentage team")
        Stage = self.env["crm.stage"].with_context(default_team_id=team.id)
        stage_id, _name = Stage.name_create("Signature")
        stage = self.env["crm.stage"].browse(stage_id)
        # /web/dataset/resequence, as the kanban sends it after name_create
        for index, column in enumerate(stages | stage):
            column.write({"sequence": index})
        self.assertEqual(stage.team_id, team)
        self.assertEqual((stages | stage)._sff_sorted()[-1], stage)
        self.assertEqual(
            stage.forecast_probability,
            88.0,
            "the column added after Closing (75 %) proposes halfway to 100",
        )

    def test_merge_keeps_the_last_activity_of_the_merged_deals(self):
        """The merged deal's email (its last activity, day 5) moves to the
        kept deal's chatter with the merge, and so does the kept deal's Last
        Activity (it stayed at its own day 1 unless the merged deal had
        calls)."""
        self.set_now(self.t0)
        kept = self.make_deal("kept", self.s_proposal, 1000, partner_name="Act Co")
        merged = self.make_deal("merged", self.s_new, 1000, partner_name="Act Co")
        old = kept.message_post(body="Call me", message_type="comment")
        new = merged.message_post(body="Any news?", message_type="comment")
        self.end_request()
        # the messages written on days 1 and 5 (when they came: a message
        # dated long after it came counts as it came)
        for message, day in ((old, 1), (new, 5)):
            self.env.cr.execute(
                "UPDATE mail_message SET date = %s, create_date = %s WHERE id = %s",
                [self.day(day), self.day(day), message.id],
            )
        self.env["crm.lead"]._sff_fill_last_activity((kept | merged).ids)
        self.assertEqual(
            (kept.date_last_activity, merged.date_last_activity), (self.day(1), self.day(5))
        )
        self.set_now(self.day(6))
        result = (kept | merged)._merge_opportunity()
        self.end_request()
        self.assertEqual(result, kept)
        self.assertIn(new, kept.message_ids)
        self.assertEqual(kept.date_last_activity, self.day(5))

    def test_mass_convert_with_merge_keeps_the_existing_opportunitys_progress(self):
        """Two leads converted with the mass Convert dialog, "merge with
        existing opportunities" on, into a catalogue team: one lead
        duplicates an opportunity of another team at Proposal (60 %, 3,000).
        Odoo merges the lead into that opportunity and converts it with the
        leads: it enters the team's pipeline at the stage nearest its
        progress, Proposal (50 %; it was put back in the first stage, 10 %:
        its weighted forecast fell from 1,800 to 300), and counts in the
        team's funnel there; a merge with the Merge dialog does the same."""
        team, stages = self.catalogue_team("convert team")
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": self.rep.id})
        self.set_now(self.t0)
        existing, leads = self.opportunity_and_leads("merge.example")
        self.end_request()
        self.assertEqual(existing.forecast_revenue, 1800.0)
        self.set_now(self.day(1))
        self.mass_convert(leads, team)
        self.end_request()
        self.assertTrue(existing.exists(), "the leads were merged into the opportunity")
        self.assertEqual(existing.team_id, team)
        self.assertEqual(
            (existing.stage_id, existing.stage_id.forecast_probability),
            (stages.filtered(lambda stage: stage.forecast_probability == 50), 50.0),
        )
        self.assertEqual(existing.forecast_revenue, 1500.0)
        current = self.env["crm.lead.stage.reach"].search(
            [("lead_id", "=", existing.id), ("is_current", "=", True)]
        )
        self.assertEqual(current.stage_id, existing.stage_id)

    def test_merge_into_a_catalogue_team_keeps_the_deals_progress(self):
        """Two duplicates at a shared stage (Proposition, 40 %) merged into a
        catalogue team: the deal kept enters its pipeline at the stage
        nearest its progress (50 %), not at its first (10 %); a won deal at
        the team's won stage."""
        team, stages = self.catalogue_team("progress team")
        shared = self.env.ref("crm.stage_lead3")
        shared.forecast_probability = 40
        self.set_now(self.t0)
        a = self.make_deal("dup A", shared, 1000, team_id=False, partner_name="Dup Co")
        b = self.make_deal("dup B", shared, 1000, team_id=False, partner_name="Dup Co")
        self.end_request()
        self.set_now(self.day(1))
        (a | b)._merge_opportunity(user_id=self.rep.id, team_id=team.id)
        kept = (a | b).exists()
        self.end_request()
        self.assertEqual((kept.stage_id.forecast_probability, kept.forecast_revenue), (50.0, 500.0))
        self.assertEqual(team._sff_pipeline_stage(self.s_won), stages.filtered("is_won"))
        self.assertEqual(team._sff_pipeline_stage(kept.stage_id), kept.stage_id)


@tagged("post_install", "-at_install")
class TestMergeInvoices(TestSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.today = fields.Date.today()
        cls.team = cls.env["crm.team"].create({"name": "invoices", "company_id": cls.company.id})
        cls.stage = cls.env["crm.stage"].create(
            {
                "name": "Merge-Open",
                "sequence": 951,
                "team_id": cls.team.id,
                "forecast_probability": 50,
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "day", "type": "service", "list_price": 1000.0, "taxes_id": []}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Customer"})

    def deal(self, name):
        return self.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.stage.id,
                "partner_id": self.customer.id,
                "company_id": self.company.id,
            }
        )

    def invoice_by_hand(self, deal):
        """A posted invoice of 1,000 without an order, linked to ``deal`` by
        hand."""
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": self.today,
                "opportunity_id": deal.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product.id, "price_unit": 1000.0, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    def amounts(self, deal):
        deal.invalidate_recordset()
        return deal.invoiced_amount, deal.paid_amount, deal.overdue_amount

    def test_merge_keeps_invoices_linked_by_hand(self):
        """An invoice without an order linked by hand to a deal (the
        accountant's link) follows it when the deal is merged into another:
        the kept deal shows it invoiced (Odoo deleted the merged deal and
        emptied the link)."""
        kept = self.deal("kept")
        kept.probability = 99  # ranks first in Odoo's merge
        merged = self.deal("merged")
        move = self.invoice_by_hand(merged)
        self.assertEqual(self.amounts(merged)[0], 1000.0)
        self.env["crm.merge.opportunity"].with_context(
            active_model="crm.lead", active_ids=(kept | merged).ids
        ).create({"opportunity_ids": [Command.set((kept | merged).ids)]}).action_merge()
        self.assertEqual((kept | merged).exists(), kept)
        self.assertEqual(move.opportunity_id, kept, "the invoice follows the kept deal")
        self.assertEqual(self.amounts(kept)[0], 1000.0)

    def test_merge_into_a_deal_of_another_company_keeps_the_invoices(self):
        """Duplicates of two companies merged into the other company's deal:
        the invoice linked by hand to the merged deal cannot name the kept
        one (Odoo's company rule): the merge is refused, saying why, and
        nothing changes (it failed on Odoo's company check once the
        invoices followed the kept deal; before, the invoice lost its
        deal)."""
        other = self.env["res.company"].create({"name": "Other company"})
        self.env.user.company_ids |= other
        kept = self.env["crm.lead"].create(
            {
                "name": "Kept elsewhere",
                "type": "opportunity",
                "stage_id": self.stage.id,
                "partner_id": self.customer.id,
                "company_id": other.id,
            }
        )
        kept.probability = 99  # ranks first in Odoo's merge
        merged = self.deal("Invoiced here")
        move = self.invoice_by_hand(merged)
        with self.assertRaisesRegex(
            UserError, r"bills Invoiced here: it can only name a deal of its own company"
        ):
            (kept | merged).with_context(
                allowed_company_ids=[self.company.id, other.id]
            )._merge_opportunity()
        self.assertEqual((kept | merged).exists(), kept | merged)
        self.assertEqual(move.opportunity_id, merged)


@tagged("post_install", "-at_install")
class TestHandedOver(FunnelCase):
    """Deals handed to a team with a process of its own by a write: its
    team, or a new salesperson whose team Odoo gives them."""

    def test_deals_handed_to_a_catalogue_team_enter_its_pipeline(self):
        """Three deals of the test team (Qualified 30 %, Proposal 60 %, one
        lost in Proposal) given to a team with the 4-step catalogue in one
        write: the open ones enter its pipeline at its stage nearest in
        percentage (Qualification 25 %, Proposal 50 %), a stay by hand each,
        and are open there in its funnel; the lost one keeps its stage."""
        team, stages = self.catalogue_team("handed team")
        prospecting, qualification, proposal = stages[:3]
        self.set_now(self.t0)
        qualified = self.make_deal("Handed Q", self.s_qualified, 1000)
        proposed = self.make_deal("Handed P", self.s_proposal, 1000)
        lost = self.make_deal("Handed lost", self.s_proposal, 1000)
        lost.action_set_lost()
        self.end_request()
        self.set_now(self.day(1))
        (qualified | proposed | lost).write({"team_id": team.id})
        self.end_request()
        self.assertEqual(
            [(deal.team_id, deal.stage_id) for deal in (qualified, proposed, lost)],
            [(team, qualification), (team, proposal), (team, self.s_proposal)],
        )
        self.assertEqual(
            [stay.stage_id for stay in qualified.stage_history_ids.sorted("date_in")],
            [self.s_qualified, qualification],
        )
        self.assertEqual(qualified.stage_history_ids.sorted("date_in")[-1].reason, "team")
        self.env.cr.execute(
            """SELECT lead_id, stage_id FROM crm_funnel_report
                WHERE lead_id = ANY(%s) AND open_here = 1 ORDER BY lead_id""",
            [(qualified | proposed).ids],
        )
        self.assertEqual(
            self.env.cr.fetchall(), [(qualified.id, qualification.id), (proposed.id, proposal.id)]
        )
        self.assertEqual(prospecting.forecast_probability, 10)
        self.assertStructuresHold("deals handed to a catalogue team")

    def test_new_salesperson_brings_the_deal_into_a_catalogue_team(self):
        """A deal given to a salesperson of a team with a catalogue (Odoo
        then gives it that team, as its partner assignment does) enters that
        team's pipeline; given back to a salesperson of the test team (no
        catalogue), it stays in the catalogue's stage."""
        team, stages = self.catalogue_team("salesperson team")
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": self.other_rep.id})
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        deal = self.make_deal("New owner", self.s_proposal, 1000, user_id=self.rep.id)
        deal.user_id = self.other_rep
        self.end_request()
        self.assertEqual((deal.team_id, deal.stage_id), (team, stages[2]))
        deal.user_id = self.rep
        self.end_request()
        self.assertEqual((deal.team_id, deal.stage_id), (self.team, stages[2]))
        self.assertStructuresHold("a deal given to another salesperson")

    def test_rep_hands_own_deal_to_a_colleague_of_a_catalogue_team(self):
        """A salesperson who sees only their own deals gives one to a
        colleague of a team with a catalogue: Odoo gives the deal that
        team, and the deal enters its pipeline though it is no longer the
        salesperson's to write (the move follows the save the salesperson
        was allowed); the stay says why (the team's pipeline), and the
        adoption report counts no stage move of the salesperson's."""
        team, stages = self.catalogue_team("colleague team")
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": self.other_rep.id})
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        deal = self.make_deal("To a colleague", self.s_proposal, 1000, user_id=self.rep.id)
        self.end_request()
        deal.with_user(self.rep).write({"user_id": self.other_rep.id})
        self.end_request()
        self.assertEqual(
            (deal.user_id, deal.team_id, deal.stage_id), (self.other_rep, team, stages[2])
        )
        last = deal.stage_history_ids.sorted("id")[-1]
        self.assertEqual((last.reason, last.create_uid), ("team", self.rep))
        self.assertFalse(
            self.env["crm.adoption.report"].search(
                [("user_id", "=", self.rep.id), ("kind", "=", "move")]
            )
        )

    def test_lost_deal_handed_over_enters_the_pipeline_when_restored(self):
        """A deal lost in Proposal given to a team with a catalogue keeps
        its stage while lost; restored, it enters the team's pipeline (its
        Proposal) and is open there."""
        team, stages = self.catalogue_team("restored team")
        self.set_now(self.t0)
        deal = self.make_deal("Lost, handed over", self.s_proposal, 1000)
        deal.action_set_lost()
        self.end_request()
        self.set_now(self.day(1))
        deal.write({"team_id": team.id})
        self.assertEqual(deal.stage_id, self.s_proposal)
        deal.toggle_active()
        self.end_request()
        self.assertEqual((deal.active, deal.stage_id), (True, stages[2]))
        self.assertStructuresHold("a lost deal handed over and restored")

    def test_entering_a_catalogue_pipeline_from_a_shared_stage_is_no_move_back(self):
        """Deals in stages shared by every team, given to a team with a
        catalogue: one won in Odoo's Won (sequence 70) goes to the team's
        won stage (sequence 50), one open in a late shared stage (950) to
        the team's Proposal (30): neither stay is a move back (the shared
        stages are no part of that pipeline); in a team without a
        catalogue, a move from a shared stage to an earlier own stage
        still is one."""
        team, stages = self.catalogue_team("shared to catalogue team")
        won = self.env.ref("crm.stage_lead4")
        late = self.env["crm.stage"].create(
            {"name": "Shared late", "sequence": 950, "forecast_probability": 60}
        )
        self.set_now(self.t0)
        won_deal = self.make_deal("Won in Odoo's Won", won, 1000, team_id=False)
        open_deal = self.make_deal("In a late shared stage", late, 1000, team_id=False)
        plain = self.make_deal("Plain team", late, 1000)
        self.end_request()
        self.set_now(self.day(1))
        (won_deal | open_deal).write({"team_id": team.id})
        plain.stage_id = self.s_new
        self.end_request()
        self.assertEqual(
            (won_deal.stage_id, open_deal.stage_id), (stages.filtered("is_won"), stages[2])
        )
        for deal, moved_back in ((won_deal, False), (open_deal, False), (plain, True)):
            last = deal.stage_history_ids.sorted("date_in")[-1]
            self.assertEqual(last.is_regression, moved_back, deal.name)
