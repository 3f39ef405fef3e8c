# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Won deals and won stages across teams' pipelines: a won deal handed to
another team, another team's won stage written onto deals."""

from odoo.tests import tagged

from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestWonAcrossTeams(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a team of stages of its own beside the shared ones (New 1,
        # Qualified 2, Proposition 3, Won 70), no catalogue
        cls.other_team = cls.env["crm.team"].create({"name": "Won across, other team"})
        Stage = cls.env["crm.stage"]
        cls.o_open = Stage.create(
            {
                "name": "O-Open",
                "sequence": 911,
                "forecast_probability": 20,
                "team_id": cls.other_team.id,
            }
        )
        cls.o_won = Stage.create(
            {"name": "O-Won", "sequence": 912, "is_won": True, "team_id": cls.other_team.id}
        )

    def funnel_rows(self, deal):
        """The deal's funnel rows: (stage, team, reached, entered, won,
        won amount), in the pipeline's order."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT stage_id, team_id, reached, entered, won, won_amount
                 FROM crm_funnel_report WHERE lead_id = %s
                ORDER BY stage_sequence, stage_id""",
            [deal.id],
        )
        return self.env.cr.fetchall()

    def won_rows(self, team, entered):
        """A won deal's funnel rows in ``team``'s pipeline: every stage
        reached and won at 1,000, entered where it had a stay (``entered``)."""
        Stage = self.env["crm.stage"]
        stages = Stage.search(Stage._sff_pipeline_domain(team.id))._sff_sorted()
        return [(stage.id, team.id, 1, int(stage in entered), 1, 1000.0) for stage in stages]

    def test_won_deal_handed_to_a_team_of_stages_of_its_own(self):
        """A deal of 1,000 won on day 0 in the test team's T-Won, handed on
        day 1 to a team with stages of its own (O-Open, O-Won) and no
        catalogue: it takes that team's won stage (a stay "Team's
        pipeline"), still won on day 0 at 100 %; its funnel rows are the
        new team's six stages (the four shared, O-Open and O-Won), each
        reached and won at 1,000, O-Won entered; no row left in T-Won (it
        was in neither team's funnel)."""
        self.set_now(self.t0)
        deal = self.make_deal("Won, handed over", self.s_proposal, 1000)
        deal.action_set_won()
        self.end_request()
        closed = deal.date_closed
        self.set_now(self.day(1))
        deal.write({"team_id": self.other_team.id})
        self.end_request()
        self.assertEqual(
            (deal.team_id, deal.stage_id, deal.probability, deal.date_closed),
            (self.other_team, self.o_won, 100.0, closed),
        )
        self.assertEqual(
            self.stays(deal),
            [
                (self.s_proposal, self.s_won.browse(), self.t0, self.t0),
                (self.s_won, self.s_proposal, self.t0, self.day(1)),
                (self.o_won, self.s_won, self.day(1), False),
            ],
        )
        last = deal.stage_history_ids.sorted("date_in")[-1]
        self.assertEqual((last.reason, last.is_regression), ("team", False))
        self.assertEqual(self.funnel_rows(deal), self.won_rows(self.other_team, self.o_won))
        version = self.env["crm.lead.forecast.version"].search(
            [("lead_id", "=", deal.id), ("valid_to", "=", False)]
        )
        self.assertEqual(
            (version.stage_id, version.team_id, version.deal_state),
            (self.o_won, self.other_team, "won"),
        )
        self.assertStructuresHold("a won deal handed to a team of its own stages")

    def test_won_deal_given_to_a_salesperson_of_such_a_team(self):
        """The same deal given to a salesperson of that team (Odoo gives it
        the team): it takes O-Won too; its open colleague in T-Proposal
        stays there (a team without a catalogue keeps Odoo's stages)."""
        self.env["crm.team.member"].create(
            {"crm_team_id": self.other_team.id, "user_id": self.other_rep.id}
        )
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        won = self.make_deal("Won, new salesperson", self.s_proposal, 1000)
        won.action_set_won()
        still_open = self.make_deal("Open, new salesperson", self.s_proposal, 1000)
        self.end_request()
        (won | still_open).write({"user_id": self.other_rep.id})
        self.end_request()
        self.assertEqual(
            [(deal.team_id, deal.stage_id) for deal in (won, still_open)],
            [(self.other_team, self.o_won), (self.other_team, self.s_proposal)],
        )
        self.assertStructuresHold("a won deal given to a salesperson of another team")

    def test_server_action_writes_one_teams_won_stage_on_deals_of_three_teams(self):
        """A server action "Update Record: Stage = T-Won" (the test team's
        won stage) run on three open deals of 1,000 of three pipelines: the
        test team's (T-Proposal), a team of stages of its own (O-Open) and a
        team with the 4-step catalogue (its Proposal): each is won in its
        own pipeline (T-Won, O-Won, the catalogue's won step) at 100 %,
        closed that day, with a stay there; each has its team's funnel rows,
        every stage reached and won at 1,000 (the test team's and the other
        team's six: the four shared and their own, the catalogue team's
        five), entered where it stayed. Before, the two others stayed in
        T-Won, in no funnel of theirs."""
        team, stages = self.catalogue_team("Won across, catalogue team")
        catalogue_won = stages.filtered("is_won")
        self.set_now(self.t0)
        ours = self.make_deal("Ours", self.s_proposal, 1000)
        others = self.make_deal("Other team's", self.o_open, 1000, team_id=self.other_team.id)
        catalogues = self.make_deal("Catalogue team's", stages[2], 1000, team_id=team.id)
        deals = ours | others | catalogues
        self.end_request()
        self.set_now(self.day(1))
        action = self.env["ir.actions.server"].create(
            {
                "name": "Mark won",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "object_write",
                "update_path": "stage_id",
                "evaluation_type": "value",
                "resource_ref": f"crm.stage,{self.s_won.id}",
            }
        )
        action.with_context(active_model="crm.lead", active_ids=deals.ids).run()
        self.end_request()
        self.assertEqual(
            [(deal.stage_id, deal.probability, bool(deal.date_closed)) for deal in deals],
            [(self.s_won, 100.0, True), (self.o_won, 100.0, True), (catalogue_won, 100.0, True)],
        )
        for deal, before, won in (
            (ours, self.s_proposal, self.s_won),
            (others, self.o_open, self.o_won),
            (catalogues, stages[2], catalogue_won),
        ):
            self.assertEqual(
                self.stays(deal),
                [(before, won.browse(), self.t0, self.day(1)), (won, before, self.day(1), False)],
                deal.name,
            )
            self.assertEqual(
                self.funnel_rows(deal), self.won_rows(deal.team_id, before | won), deal.name
            )
        self.assertEqual(len(self.funnel_rows(catalogues)), 5)
        self.assertEqual(len(self.funnel_rows(others)), 6)
        self.assertStructuresHold("one team's won stage written on deals of three teams")

    def test_mass_edit_hands_over_and_wins_at_once(self):
        """A mass edit giving two open deals of the test team to the other
        team and T-Won in one save: both are won in O-Won, the other team's
        pipeline."""
        deals = self.make_deal("Mass A", self.s_new, 1000) | self.make_deal(
            "Mass B", self.s_proposal, 1000
        )
        self.end_request()
        deals.write({"team_id": self.other_team.id, "stage_id": self.s_won.id})
        self.end_request()
        self.assertEqual(deals.stage_id, self.o_won)
        self.assertEqual(deals.mapped("probability"), [100.0, 100.0])
        self.assertStructuresHold("handed over and won in one save")

    def test_deals_handed_to_a_team_past_its_first_catalogue(self):
        """A team on the 5-step catalogue (Prospecting 10, Qualification 25,
        Proposal 50, Closing 75, Won) switched to the 17-step one, its
        Qualification and Won kept (a deal in each). Another team on the
        5-step catalogue hands it a deal won in its Won and one open in its
        Qualification: they enter the new process, the won one its won step
        (Payment), the open one its step of 25 % (Second proposal
        preparation), not the earlier catalogue's Won and Qualification."""
        team = self.env["crm.team"].create({"name": "Won across, switching"})
        simple = apply_catalogue(self.env, team)
        self.make_deal("Won before", simple[0], 100, team_id=team.id).action_set_won()
        self.make_deal("Open before", simple[1], 100, team_id=team.id)
        project = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_project_sales"
        )
        self.assertEqual((simple[1] | simple.filtered("is_won")).mapped("active"), [True, True])
        giver, giver_stages = self.catalogue_team("Won across, giver")
        won = self.make_deal("Won, handed", giver_stages[0], 1000, team_id=giver.id)
        won.action_set_won()
        still_open = self.make_deal("Open, handed", giver_stages[1], 1000, team_id=giver.id)
        self.end_request()
        (won | still_open).write({"team_id": team.id})
        self.end_request()
        self.assertEqual(
            [(deal.stage_id.name, deal.stage_id in project) for deal in (won, still_open)],
            [("Payment", True), ("Second proposal preparation", True)],
        )
        self.assertEqual(
            (won.probability, still_open.probability, still_open.forecast_revenue),
            (100.0, 25.0, 250.0),
        )
        self.assertStructuresHold("deals handed to a team past its first catalogue")

    def test_won_deal_created_in_another_teams_won_stage_without_catalogues(self):
        """In a database where no team has a catalogue, a deal of 1,000
        created (an import of won deals, the stage found by name) for the
        other team in the test team's T-Won is won in the other team's
        O-Won, with its funnel rows (six, each reached and won at 1,000)."""
        self.patch(type(self.env["crm.lead"]), "_sff_catalogues_used", lambda lead: False)
        deal = self.make_deal("Imported won", self.s_won, 1000, team_id=self.other_team.id)
        self.end_request()
        self.assertEqual((deal.stage_id, deal.probability), (self.o_won, 100.0))
        self.assertEqual(self.funnel_rows(deal), self.won_rows(self.other_team, self.o_won))
        self.assertStructuresHold("a deal created in another team's won stage")
