# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deals and the module's records as integrators load them (Odoo's import,
``load()`` over RPC) and take them out (Export): what a file gives is what
a user could type, the module's figures are its own, the company's rules
hold, errors come in the user's language."""

from odoo.tests import tagged

from .common import ImportCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestImports(ImportCase):
    def test_empty_probability_cell_of_an_update_is_no_figure(self):
        """An update file with a probability column, one cell empty: that
        deal keeps its stage's 30 % (as an empty cell at creation), the
        other takes the 55 % typed."""
        deal = self.make_deal("Empty cell", self.s_qualified, 1000)
        other = self.make_deal("Typed cell", self.s_qualified, 1000)
        self.end_request()
        result = self.load(
            "crm.lead",
            [".id", "expected_revenue", "probability"],
            [[str(deal.id), "2000", ""], [str(other.id), "2000", "55"]],
            user=self.rep,
        )
        self.assertFalse(result["messages"])
        self.env.invalidate_all()
        self.assertEqual((other.probability, other.probability_is_manual), (55, True))
        self.assertEqual(
            (deal.probability, deal.probability_is_manual, deal.forecast_revenue),
            (30, False, 600),
        )
        self.assertStructuresHold("an update with an empty probability cell")

    def test_probability_written_as_false_outside_an_import_is_zero(self):
        """Outside an import (Odoo's partner portal sends a typed 0 % so)
        a probability written as False is 0 %: weighted 0, the deal's own
        figure; an import's empty cell at creation still gives the stage's
        30 %."""
        deal = self.make_deal("Written false", self.s_proposal, 1000)
        self.end_request()
        self.assertEqual(deal.forecast_revenue, 600)
        deal.with_user(self.rep).write({"probability": False})
        self.end_request()
        self.assertEqual(
            (deal.probability, deal.probability_is_manual, deal.forecast_revenue), (0, True, 0)
        )
        # written with a stage (an RPC client, a server action): 0 % too,
        # not the new stage's
        moved = self.make_deal("Written false with a stage", self.s_proposal, 1000)
        moved.with_user(self.rep).write({"stage_id": self.s_qualified.id, "probability": False})
        self.end_request()
        self.assertEqual((moved.probability, moved.probability_is_manual), (0, True))
        result = self.load(
            "crm.lead",
            ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue", "probability"],
            [["Imported", "opportunity", str(self.team.id), str(self.s_qualified.id), "1000", ""]],
            user=self.rep,
        )
        self.assertFalse(result["messages"])
        imported = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual((imported.probability, imported.probability_is_manual), (30, False))
        self.assertStructuresHold("a probability written as False")

    def test_worked_out_figures_are_not_taken_from_a_file(self):
        """The weighted forecast, the pipeline value and the decision-maker
        flag are worked out by the module: a file's or a client's column of
        them is not taken (1,000 at 30 %: 300)."""
        deal = self.make_deal("Figures typed", self.s_qualified, 1000)
        self.end_request()
        self.load(
            "crm.lead",
            [".id", "forecast_revenue", "pipeline_amount", "has_decision_maker"],
            [[str(deal.id), "999999", "888888", "1"]],
            user=self.rep,
        )
        self.env.invalidate_all()
        self.assertEqual(
            (deal.forecast_revenue, deal.pipeline_amount, deal.has_decision_maker),
            (300.0, 300.0, False),
        )
        result = self.load(
            "crm.lead",
            ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue", "forecast_revenue"],
            [
                [
                    "Figures typed 2",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_qualified.id),
                    "1000",
                    "999999",
                ]
            ],
            user=self.rep,
        )
        new = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual((new.forecast_revenue, new.pipeline_amount), (300.0, 300.0))
        self.assertStructuresHold("figures typed")

    def test_stage_named_in_a_file_is_the_deals_teams(self):
        """Two teams run the same catalogue: a file of the second team's
        deals naming "Proposal" (the first team's is found first) puts them
        in the second team's Proposal, at creation and in an update."""
        first = self.env["crm.team"].create({"name": "Catalogue First"})
        second = self.env["crm.team"].create({"name": "Catalogue Second"})
        first_stages = apply_catalogue(self.env, first, self.manager)
        second_stages = apply_catalogue(self.env, second, self.manager)
        proposal_first = first_stages.filtered(lambda stage: stage.name == "Proposal")
        proposal_second = second_stages.filtered(lambda stage: stage.name == "Proposal")
        result = self.load(
            "crm.lead",
            ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue"],
            [["Second's deal", "opportunity", str(second.id), str(proposal_first.id), "1000"]],
            user=self.manager,
        )
        self.assertFalse(result["messages"])
        deal = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(deal.stage_id, proposal_second)
        # an update naming the first team's stage, for deals of both teams
        qualified = self.make_deal("First's deal", first_stages[0], 500, team_id=first.id)
        (deal | qualified).write({"stage_id": first_stages[-1].id})
        self.assertEqual(deal.stage_id, second_stages[-1])
        self.assertEqual(qualified.stage_id, first_stages[-1])
        # a stage of no catalogue stays the one given (Odoo's choice)
        deal.stage_id = self.s_new
        self.assertEqual(deal.stage_id, self.s_new)
        self.assertStructuresHold("stages named in a file")

    def test_stage_named_in_a_file_without_a_team_column(self):
        """A rep of the second team imports a deal naming the first team's
        Proposal, with no team column: the deal is in the rep's team, as
        Odoo gives it, and in that team's Proposal."""
        first = self.env["crm.team"].create({"name": "Catalogue First"})
        second = self.env["crm.team"].create({"name": "Catalogue Second"})
        first_stages = apply_catalogue(self.env, first, self.manager)
        second_stages = apply_catalogue(self.env, second, self.manager)
        self.team.member_ids -= self.rep
        second.member_ids = [(4, self.rep.id)]
        result = self.load(
            "crm.lead",
            ["name", "type", "stage_id/.id", "expected_revenue"],
            [["Rep's deal", "opportunity", str(first_stages[1].id), "1000"]],
            user=self.rep,
        )
        self.assertFalse(result["messages"])
        deal = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual((deal.team_id, deal.stage_id), (second, second_stages[1]))
        self.assertStructuresHold("a stage named without a team")

    def test_deal_imported_lost_follows_the_companys_rules(self):
        """A deal imported lost, without the reason the company asks for:
        refused with a message. With a reason saying the prospect was the
        wrong person: lost in its stage and disqualified, as the Lost
        button does; likewise a reason given later to a lost deal."""
        self.company.crm_lost_reason_required = True
        columns = ["name", "type", "team_id/.id", "stage_id/.id", "active", "lost_reason_id/.id"]
        row = ["Lost", "opportunity", str(self.team.id), str(self.s_qualified.id), "0"]
        result = self.load("crm.lead", columns[:-1], [row], user=self.rep)
        self.assertIn("your company asks for a lost reason", result["messages"][0]["message"])
        self.assertFalse(result["ids"])
        wrong = self.env["crm.lost.reason"].create(
            {"name": "Wrong guy", "category": "wrong_person"}
        )
        result = self.load("crm.lead", columns, [[*row, str(wrong.id)]], user=self.rep)
        self.assertFalse(result["messages"])
        deal = self.env["crm.lead"].with_context(active_test=False).browse(result["ids"])
        self.assertEqual(
            (deal.lost_stage_id, deal.contact_status), (self.s_qualified, "disqualified")
        )
        # an update archiving an open deal: the same rule
        open_deal = self.make_deal("Open", self.s_qualified, 1000)
        result = self.load("crm.lead", [".id", "active"], [[str(open_deal.id), "0"]], user=self.rep)
        self.assertTrue(result["messages"])
        self.assertTrue(open_deal.active)
        price = self.env["crm.lost.reason"].create({"name": "Too dear", "category": "price"})
        open_deal.with_user(self.rep).action_set_lost(lost_reason_id=price.id)
        self.assertNotEqual(open_deal.contact_status, "disqualified")
        open_deal.with_user(self.rep).lost_reason_id = wrong
        self.assertEqual(open_deal.contact_status, "disqualified")
        self.assertStructuresHold("deals imported lost")

    def test_call_imported_takes_the_deal_as_it_was(self):
        """A call's stage, status, team, company and source are the deal's
        at the call: a file's columns of them are not taken."""
        deal = self.make_deal("Called", self.s_new, 1000)
        self.end_request()
        result = self.load(
            "crm.lead.call",
            ["lead_id/.id", "outcome", "stage_id/.id", "contact_status", "company_id/.id"],
            [[str(deal.id), "no_answer", str(self.s_won.id), "qualified", ""]],
            user=self.rep,
        )
        self.assertFalse(result["messages"])
        call = self.env["crm.lead.call"].browse(result["ids"])
        self.assertEqual(
            (call.stage_id, call.contact_status, call.company_id),
            (self.s_new, "not_attempted", deal.company_id),
        )
        call.with_user(self.rep).write({"stage_id": self.s_won.id, "company_id": False})
        self.assertEqual((call.stage_id, call.company_id), (self.s_new, deal.company_id))
        self.assertStructuresHold("a call imported")

    def test_rep_exports_own_calls_of_a_deal_handed_to_a_colleague(self):
        """The rep's call on a deal now another rep's: the rep's call list
        names the deal, and so does an export of it; what the deal holds
        beyond its name stays the other rep's."""
        deal = self.make_deal("Handed over", self.s_new, 5000, user_id=False)
        self.env["crm.lead.call"].with_user(self.rep).create(
            {"lead_id": deal.id, "outcome": "no_answer"}
        )
        deal.user_id = self.other_rep
        self.end_request()
        calls = self.env["crm.lead.call"].with_user(self.rep).search([("lead_id", "=", deal.id)])
        self.assertEqual(len(calls), 1)
        self.assertEqual(
            calls.export_data(["outcome", "lead_id", "display_name"])["datas"],
            [["No answer", "Handed over", "Handed over · No answer"]],
        )
        with self.assertRaises(Exception) as caught:
            calls.export_data(["lead_id/expected_revenue"])
        self.assertIn("AccessError", type(caught.exception).__name__)

    def test_negative_submission_is_refused_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["sales_funnel_forecast"], ["fr_FR"])
        self.rep.lang = "fr_FR"
        result = self.load(
            "crm.forecast.submission",
            ["team_id/.id", "date_from", "commit_amount", "best_case_amount"],
            [[str(self.team.id), "2026-04-01", "-5", "10"]],
            user=self.rep,
        )
        self.assertEqual(
            [message["message"] for message in result["messages"]],
            ["Les montants de prévision ne peuvent pas être négatifs."],
        )
