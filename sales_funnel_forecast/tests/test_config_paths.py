# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The CRM's configuration changing while deals exist: a second catalogue
applied to a team with deals, a stage made won under a stalled deal, a
stage archived with lost deals in it and Odoo's predictive scoring."""

from odoo.tests import tagged

from .common import FunnelCase, apply_catalogue
from .test_stall import StallCase


@tagged("post_install", "-at_install")
class TestSecondCatalogue(FunnelCase):
    def test_second_catalogue_won_goes_to_its_won_step(self):
        """Once a catalogue is applied the team's pipeline is its stages,
        "the stage 'Won' moves to" included; a second catalogue replaces the
        first. A team on the 5-step catalogue with a won deal (its stage
        "Won" is kept: it holds a deal) switches to the 17-step one: "Won"
        moves deals to the new "Payment" step, not to the old "Won"
        (sequence 50, before it)."""
        team = self.env["crm.team"].create({"name": "Switching with deals"})
        simple = apply_catalogue(self.env, team)
        old_won = simple.filtered("is_won")
        self.make_deal("Won before", simple[0], 100, team_id=team.id).action_set_won()
        project = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_project_sales"
        )
        self.assertTrue(old_won.active, "the old won stage holds a deal: kept")
        deal = self.make_deal("Won after the switch", project[0], 100, team_id=team.id)
        deal.action_set_won()
        self.assertEqual(deal.stage_id, project.filtered("is_won"), "the new catalogue's won step")

    def test_second_catalogue_new_deals_start_in_its_first_step(self):
        """The same the other way: a team on the 17-step catalogue with an
        open deal in "New prospect" switches to the 5-step one; its new
        deals start in the new "Prospecting", not in the old "New prospect"
        (sequence 10, named before it), which empties as its deals move on."""
        team = self.env["crm.team"].create({"name": "Switching down"})
        project = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_project_sales"
        )
        self.make_deal("Open before", project[0], 100, team_id=team.id)
        simple = apply_catalogue(self.env, team)
        deal = self.env["crm.lead"].create(
            {"name": "New after the switch", "type": "opportunity", "team_id": team.id}
        )
        self.assertEqual(deal.stage_id.name, simple[0].name)
        self.assertEqual(deal.stage_id, simple[0], "the new catalogue's first step")


@tagged("post_install", "-at_install")
class TestStageMadeWon(StallCase):
    def test_stage_made_won_ends_the_stall_of_its_deals(self):
        """A stalled deal (flagged, a "Stalled deal: move it on, keep it
        open or close it" to-do for its salesperson) sits in a stage that
        the manager marks won: the deal is won (probability 100, Closed
        (Won)), its stall flag and to-do end, as when a deal is won by
        hand."""
        self.set_now(self.day(0))
        deal = self.make_deal("Stalled then won", self.a, 1000)
        self.set_now(self.day(20))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.assertEqual(len(deal.activity_ids), 1)
        self.a.with_user(self.manager).is_won = True
        self.end_request()
        self.assertEqual((deal.probability, deal.forecast_category), (100.0, "closed"))
        self.assertEqual(
            (deal.is_stalled, deal.activity_ids.mapped("summary")),
            (False, []),
            "a won deal is not stalled and has no to-do asking to move it on",
        )

    def test_stage_made_won_closes_its_deals_then(self):
        """Odoo dates a deal's close (at 100 %) when it enters a won stage
        and clears the date when it leaves one. A manager who marks a stage won closes
        its deals then, for the reports of the month: two open deals in
        T-Proposal (one entered on day 0, one on day 5, its probability typed
        at 80 %) and a lost one there; the stage is made won on day 20: the open two are closed on
        day 20 (20 and 15 days after their creation), the funnel rows say so,
        the lost one keeps its date; made open again on day 25, the two
        are open, with no closing date."""
        self.set_now(self.day(0))
        first = self.make_deal("Signed early", self.s_proposal, 1000)
        self.set_now(self.day(5))
        second = self.make_deal("Signed later", self.s_proposal, 500)
        second.probability = 80
        lost = self.make_deal("Lost at proposal", self.s_proposal, 300)
        lost.action_set_lost()
        self.end_request()
        lost_on = lost.date_closed
        self.set_now(self.day(20))
        self.s_proposal.with_user(self.manager).is_won = True
        self.end_request()
        self.assertEqual(
            [(deal.date_closed, deal.day_close) for deal in first + second + lost],
            [(self.day(20), 20), (self.day(20), 15), (lost_on, lost.day_close)],
        )
        self.assertEqual(
            [(deal.probability, deal.probability_is_manual) for deal in first + second],
            [(100.0, False), (100.0, False)],
            "won at 100 %, a typed probability too",
        )
        rows = self.env["crm.funnel.report"].search(
            [("lead_id", "in", (first + second).ids), ("stage_id", "=", self.s_proposal.id)]
        )
        self.assertEqual(set(rows.mapped("date_closed")), {self.day(20)})
        self.assertStructuresHold("a stage made won")
        self.set_now(self.day(25))
        self.s_proposal.with_user(self.manager).is_won = False
        self.end_request()
        self.assertEqual(
            [(deal.date_closed, deal.day_close) for deal in first + second + lost],
            [(False, 0), (False, 0), (lost_on, lost.day_close)],
        )
        self.assertStructuresHold("a stage made open again")

    def test_stage_made_open_again_gives_scoring_its_deals_back(self):
        """In a company where Odoo's scoring sets probabilities, a stage
        made won by mistake puts its deal at 100 %; made open again, the
        deal takes Odoo's scoring again, as when a deal leaves a won stage
        (it stayed at 100 %, which the scoring job passes over)."""
        self.company.crm_probability_from_stage = False
        deal = self.make_deal("Scored", self.s_proposal, 1000)
        self.end_request()
        self.s_proposal.with_user(self.manager).is_won = True
        self.end_request()
        self.assertEqual((deal.probability, deal.automated_probability), (100.0, 100.0))
        self.s_proposal.with_user(self.manager).is_won = False
        self.end_request()
        scored = deal._pls_get_naive_bayes_probabilities()[deal.id]
        self.assertLess(scored, 100.0)
        self.assertEqual((deal.probability, deal.automated_probability), (scored, scored))


@tagged("post_install", "-at_install")
class TestArchivedStagesAndScoring(FunnelCase):
    """Odoo's crm.stage has no ``active`` field: the module adds one, and
    Odoo's predictive lead scoring reads the stages with a plain
    ``search_read([])`` and looks every closed deal's stage up in that
    list: the archived stages are read too."""

    def lost_in_archived_stage(self):
        deal = self.make_deal("Lost in Qualified", self.s_new, 1000)
        deal.stage_id = self.s_qualified
        deal.action_set_lost()
        # allowed: no open or won deal in it (README: "archived, it leaves
        # the funnel with the deals lost in it")
        self.s_qualified.with_user(self.manager).action_archive()
        self.end_request()
        return deal

    def test_scoring_update_with_a_lost_deal_in_an_archived_stage(self):
        """CRM settings > Predictive Lead Scoring > Update Probabilities (the
        daily scoring job does the same) runs through (a KeyError on the
        archived stage's id stopped it), and counts the lost deal."""
        self.lost_in_archived_stage()
        wizard = self.env["crm.lead.pls.update"].create({})
        wizard.action_update_crm_lead_probabilities()
        frequency = self.env["crm.lead.scoring.frequency"].search(
            [("variable", "=", "stage_id"), ("value", "=", str(self.s_qualified.id))]
        )
        self.assertGreaterEqual(sum(frequency.mapped("lost_count")), 1)

    def test_restore_a_deal_lost_in_an_archived_stage(self):
        """The Restore button of the lost deal works (Odoo takes the deal's
        frequencies back: a KeyError on the archived stage's id stopped
        it)."""
        deal = self.lost_in_archived_stage()
        deal.action_unarchive()
        self.assertTrue(deal.active)


@tagged("post_install", "-at_install")
class TestSecondCatalogueHandover(FunnelCase):
    def test_deals_handed_over_go_to_the_second_catalogues_steps(self):
        """A team on the 5-step catalogue, with a won deal in its "Won"
        (kept: it holds a deal), switches to the 17-step catalogue; a won
        deal and an open one of another team are handed to it: the won one
        enters the new won step ("Payment", not the old "Won" before it),
        the open one a stage of the new process."""
        team = self.env["crm.team"].create({"name": "Switching, handed over"})
        simple = apply_catalogue(self.env, team)
        self.make_deal("Won before", simple[0], 100, team_id=team.id).action_set_won()
        project = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_project_sales"
        )
        self.assertTrue(simple.filtered("is_won").active)
        won = self.make_deal("Won elsewhere", self.s_new, 100)
        won.action_set_won()
        still_open = self.make_deal("Open elsewhere", self.s_qualified, 100)
        self.end_request()
        (won | still_open).write({"team_id": team.id})
        self.end_request()
        self.assertEqual(won.stage_id, project.filtered("is_won"))
        self.assertIn(still_open.stage_id, project)
