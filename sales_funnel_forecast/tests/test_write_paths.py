# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every path by which a deal changes keeps the module's structures right:
one open stay per active opportunity in its stage, versions that follow
each other with the deal's values in force, funnel rows equal to a rebuild
from the history, monthly totals equal to the rows, call counters equal to
the calls."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestWritePaths(FunnelCase):
    """Every path a deal takes, each followed by the check of what the module
    keeps beside it (``StructuresMixin.broken``)."""

    def test_the_database_holds(self):
        self.assertStructuresHold("before any test")

    # ------------------------------------------------------------------
    def _other_company(self):
        other = self.env["res.company"].create({"name": "Paths Other Co"})
        self.env.user.company_ids |= other
        other_team = self.env["crm.team"].create(
            {"name": "Paths other team", "company_id": other.id}
        )
        return other, other_team

    def test_the_check_finds_a_missing_stay(self):
        deal = self.make_deal("Sanity", self.s_new)
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.cr.execute("DELETE FROM crm_lead_stage_history WHERE lead_id = %s", [deal.id])
        self.assertIn("one open stay, in the deal's stage", self.broken())

    def test_drag_won_reopened_archived_restored(self):
        self.set_now(self.t0)
        deal = self.make_deal("Drag", self.s_new, 1000)
        self.set_now(self.day(1))
        deal.write({"stage_id": self.s_qualified.id})
        self.assertStructuresHold("drag")
        self.set_now(self.day(2))
        deal.write({"stage_id": self.s_won.id})
        self.assertStructuresHold("won by drag")
        self.set_now(self.day(3))
        deal.write({"stage_id": self.s_proposal.id})
        self.assertStructuresHold("reopened")
        self.set_now(self.day(4))
        deal.action_set_won()
        self.set_now(self.day(5))
        deal.action_archive()
        self.assertStructuresHold("won archived")
        self.set_now(self.day(6))
        deal.action_unarchive()
        self.assertStructuresHold("won unarchived")

    def test_one_write_of_mixed_deals(self):
        other, other_team = self._other_company()
        self.set_now(self.t0)
        a = self.make_deal("MA", self.s_new, 100)
        b = self.make_deal("MB", self.s_qualified, 200)
        c = self.make_deal("MC", self.s_won, 300)
        d = self.make_deal(
            "MD",
            self.env.ref("crm.stage_lead1"),
            400,
            team_id=other_team.id,
            user_id=False,
            company_id=other.id,
        )
        e = self.make_deal("ME", self.s_new, 500)
        e.action_set_lost()
        f = self.make_deal("MF", self.s_new, 600, type="lead")
        self.assertStructuresHold("created")
        self.set_now(self.day(1))
        (a | b | c | d | e | f).with_context(active_test=False).write(
            {"stage_id": self.s_proposal.id, "expected_revenue": 999, "date_deadline": "2026-05-01"}
        )
        self.assertStructuresHold("mixed write")
        self.set_now(self.day(2))
        (a | b | c | d).write({"team_id": other_team.id, "user_id": False})
        self.assertStructuresHold("team change")

    def test_created_won_lost_or_as_leads(self):
        self.set_now(self.t0)
        self.make_deal("CW", self.s_won, 100)
        self.make_deal("CL", self.s_qualified, 100, active=False)
        self.make_deal("CWL", self.s_won, 100, active=False)
        self.make_deal("CLead", self.s_qualified, 100, type="lead")
        self.assertStructuresHold("create")

    def test_import_creates_and_updates(self):
        Lead = self.env["crm.lead"]
        res = Lead.load(
            [
                "name",
                "type",
                "team_id/.id",
                "stage_id/.id",
                "expected_revenue",
                "active",
                "probability",
                "forecast_category",
                "date_deadline",
            ],
            [
                [
                    "I1",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_qualified.id),
                    "1000",
                    "1",
                    "",
                    "",
                    "",
                ],
                [
                    "I2",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_won.id),
                    "1000",
                    "1",
                    "",
                    "",
                    "2026-01-01",
                ],
                [
                    "I3",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_qualified.id),
                    "1000",
                    "0",
                    "",
                    "",
                    "",
                ],
                [
                    "I4",
                    "lead",
                    str(self.team.id),
                    str(self.s_qualified.id),
                    "1000",
                    "1",
                    "45",
                    "",
                    "",
                ],
                [
                    "I5",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_proposal.id),
                    "1000",
                    "1",
                    "45",
                    "commit",
                    "",
                ],
            ],
        )
        self.assertFalse(res["messages"], res["messages"])
        self.assertStructuresHold("import create")
        leads = Lead.browse(res["ids"])
        res = Lead.with_context(active_test=False).load(
            ["id", "stage_id/.id", "active", "expected_revenue"],
            [
                [leads[i]._export_rows([["id"]])[0][0], str(self.s_proposal.id), "1", "5"]
                for i in range(5)
            ],
        )
        self.assertFalse(res["messages"], res["messages"])
        self.assertStructuresHold("import update")

    def test_duplicated(self):
        deal = self.make_deal("Copy", self.s_qualified, 100)
        deal.copy()
        won = self.make_deal("CopyWon", self.s_won, 100)
        won.copy()
        lost = self.make_deal("CopyLost", self.s_qualified, 100)
        lost.action_set_lost()
        lost.copy()
        self.env["crm.lead"].browse((deal | won | lost).ids).copy()
        self.assertStructuresHold("copy")

    def test_merged(self):
        self.set_now(self.t0)
        head = self.make_deal("Mh", self.s_proposal, 5000, partner_name="Merge Co")
        tail = self.make_deal("Mt", self.s_new, 1000, partner_name="Merge Co")
        lead = self.make_deal("Ml", self.s_new, 1000, partner_name="Merge Co", type="lead")
        lost = self.make_deal("Mlost", self.s_won, 1000, partner_name="Merge Co")
        self.env["crm.lead.call"].create({"lead_id": tail.id, "outcome": "conversation"})
        self.set_now(self.day(1))
        wizard = (
            self.env["crm.merge.opportunity"]
            .with_context(active_model="crm.lead", active_ids=(head | tail | lead | lost).ids)
            .create({"opportunity_ids": [(6, 0, (head | tail | lead | lost).ids)]})
        )
        wizard.action_merge()
        self.assertStructuresHold("merge wizard")
        self.set_now(self.day(2))
        x = self.make_deal("Mx", self.s_new, 1, partner_name="Merge Co")
        y = self.make_deal("My", self.s_won, 1, partner_name="Merge Co")
        z = self.make_deal("Mz", self.s_qualified, 1, partner_name="Merge Co", type="lead")
        self.set_now(self.day(3))
        (x | y | z)._merge_opportunity(auto_unlink=True, max_length=None)
        self.assertStructuresHold("_merge_opportunity")

    def test_leads_converted(self):
        self.set_now(self.t0)
        lead = self.make_deal("Conv", self.s_new, type="lead")
        self.set_now(self.day(1))
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
            .create({"name": "convert", "action": "nothing"})
        )
        wizard.action_apply()
        self.assertStructuresHold("convert")
        leads = self.make_deal("Mass1", self.s_new, type="lead") | self.make_deal(
            "Mass2", self.s_qualified, type="lead", partner_name="P2"
        )
        self.set_now(self.day(2))
        mass = (
            self.env["crm.lead2opportunity.partner.mass"]
            .with_context(active_model="crm.lead", active_ids=leads.ids)
            .create(
                {
                    "name": "convert",
                    "action": "nothing",
                    "team_id": self.team.id,
                    "user_ids": [(6, 0, self.rep.ids)],
                }
            )
        )
        mass.action_mass_convert()
        self.assertStructuresHold("mass convert")
        lead2 = self.make_deal(
            "Conv merge", self.s_new, type="lead", email_from="dup@paths.example"
        )
        target = self.make_deal("Conv target", self.s_qualified, email_from="dup@paths.example")
        self.set_now(self.day(3))
        w = (
            self.env["crm.lead2opportunity.partner"]
            .with_context(active_model="crm.lead", active_id=lead2.id, active_ids=lead2.ids)
            .create(
                {
                    "name": "merge",
                    "action": "nothing",
                    "duplicated_lead_ids": [(6, 0, (lead2 | target).ids)],
                }
            )
        )
        w.action_apply()
        self.assertStructuresHold("convert merge")

    def test_lost_and_restored(self):
        self.set_now(self.t0)
        a = self.make_deal("L1", self.s_qualified)
        b = self.make_deal("L2", self.s_proposal)
        self.set_now(self.day(1))
        reason = self.env["crm.lost.reason"].create({"name": "Paths"})
        self.env["crm.lead.lost"].with_context(active_ids=(a | b).ids).create(
            {"lead_ids": [(6, 0, (a | b).ids)], "lost_reason_id": reason.id}
        ).action_lost_reason_apply()
        self.assertStructuresHold("lost wizard")
        self.set_now(self.day(2))
        a.action_unarchive()
        b.toggle_active()
        self.assertStructuresHold("restore")
        self.set_now(self.day(3))
        (a | b).action_set_lost(lost_reason_id=reason.id)
        self.assertStructuresHold("set lost")
        self.set_now(self.day(4))
        (a | b).toggle_active()
        self.assertStructuresHold("toggle")

    def test_deleted(self):
        a = self.make_deal("U1", self.s_qualified)
        b = self.make_deal("U2", self.s_won)
        (a | b).unlink()
        self.assertStructuresHold("unlink")

    def test_company_and_salesperson_changed(self):
        other, _other_team = self._other_company()
        self.set_now(self.t0)
        a = self.make_deal("CC", self.s_qualified, 100, user_id=False)
        self.set_now(self.day(1))
        a.write({"company_id": other.id, "stage_id": self.s_proposal.id})
        self.assertStructuresHold("company change")
        self.set_now(self.day(2))
        a.write(
            {
                "user_id": self.other_rep.id,
                "expected_revenue": 5,
                "date_deadline": "2026-07-01",
                "stage_id": self.s_new.id,
            }
        )
        self.assertStructuresHold("salesperson change")

    def test_without_tracking_as_superuser_and_as_rep(self):
        self.set_now(self.t0)
        a = self.make_deal("Ctx", self.s_new)
        self.set_now(self.day(1))
        a.with_context(tracking_disable=True).write({"stage_id": self.s_qualified.id})
        self.assertStructuresHold("tracking_disable")
        self.set_now(self.day(2))
        a.with_context(mail_notrack=True).write({"stage_id": self.s_proposal.id})
        self.assertStructuresHold("mail_notrack")
        self.set_now(self.day(3))
        a.sudo().write({"stage_id": self.s_won.id})
        self.assertStructuresHold("sudo")
        self.set_now(self.day(4))
        a.with_user(self.rep).write({"stage_id": self.s_new.id})
        self.assertStructuresHold("rep")
        self.set_now(self.day(5))
        b = (
            self.env["crm.lead"]
            .with_user(self.rep)
            .create(
                {
                    "name": "Rep made",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                }
            )
        )
        b.write({"stage_id": self.s_qualified.id})
        b.action_set_lost()
        self.assertStructuresHold("rep create")

    def test_stage_archived_under_deals(self):
        deal = self.make_deal("Arch", self.s_qualified)
        lost = self.make_deal("ArchLost", self.s_qualified)
        lost.action_set_lost()
        # refused while an open deal is in it, the Archive button or not
        with self.assertRaisesRegex(UserError, "^An open deal is in the stages"):
            self.s_qualified.write({"active": False})
        self.assertStructuresHold("archiving refused")
        deal.write({"stage_id": self.s_proposal.id})
        self.s_qualified.write({"active": False})
        self.assertStructuresHold("stage archived by write, a lost deal in it")
        self.s_qualified.write({"active": True})
        self.assertStructuresHold("stage restored")

    def test_team_without_stages_deleted(self):
        team = self.env["crm.team"].create({"name": "Paths doomed"})
        deal = self.make_deal("Doomed", self.s_qualified, team_id=team.id)
        deal.write({"stage_id": self.s_proposal.id})
        self.assertStructuresHold("before")
        team.unlink()
        self.assertStructuresHold("team deleted")

    def test_many_deals_in_one_write(self):
        other, other_team = self._other_company()
        self.set_now(self.t0)
        stages = [self.s_new, self.s_qualified, self.s_proposal, self.s_won]
        deals = self.env["crm.lead"]
        for i in range(130):
            deals |= self.make_deal(f"Bulk {i}", stages[i % 4], 10 * i)
        for i in range(10):
            deals |= self.make_deal(
                f"Bulk o{i}",
                self.env.ref("crm.stage_lead1"),
                5,
                team_id=other_team.id,
                user_id=False,
                company_id=other.id,
            )
        deals[:7].action_set_lost()
        self.assertStructuresHold("created")
        self.set_now(self.day(1))
        deals.with_context(active_test=False).write(
            {"stage_id": self.s_proposal.id, "expected_revenue": 77}
        )
        self.assertStructuresHold("bulk move")
        self.set_now(self.day(2))
        deals.filtered(lambda d: d.company_id == self.company).write({"user_id": self.other_rep.id})
        self.assertStructuresHold("bulk owner")
        self.set_now(self.day(3))
        deals.with_context(active_test=False).write({"active": True})
        self.assertStructuresHold("bulk restore")
        self.set_now(self.day(4))
        deals.action_set_won()
        self.assertStructuresHold("bulk won")
        self.set_now(self.day(5))
        deals.unlink()
        self.assertStructuresHold("bulk unlink")

    def test_stages_changed(self):
        self.set_now(self.t0)
        self.make_deal("SA", self.s_proposal, 100)
        self.make_deal("SB", self.s_qualified, 100)
        self.set_now(self.day(1))
        self.s_proposal.write({"is_won": True})
        self.assertStructuresHold("stage became won")
        self.set_now(self.day(2))
        self.s_proposal.write({"is_won": False})
        self.assertStructuresHold("stage no longer won")
        self.set_now(self.day(3))
        self.s_qualified.write({"sequence": 905})
        self.assertStructuresHold("reordered")
        self.s_qualified.write({"forecast_probability": 55, "forecast_category": "commit"})
        self.assertStructuresHold("percentage")
        self.s_qualified.write({"team_id": False})
        self.assertStructuresHold("stage to shared")

    def test_owner_partner_and_source_deleted(self):
        user = self.env["res.users"].create(
            {
                "name": "Gone",
                "login": "paths_gone",
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        partner = self.env["res.partner"].create({"name": "Gone partner"})
        source = self.env["utm.source"].create({"name": "Gone source"})
        a = self.make_deal(
            "DA", self.s_proposal, 100, user_id=user.id, partner_id=partner.id, source_id=source.id
        )
        self.assertStructuresHold("before")
        source.unlink()
        self.assertStructuresHold("source deleted")
        partner.unlink()
        self.assertStructuresHold("partner deleted")
        a.user_id = False
        user.unlink()
        self.assertStructuresHold("user deleted")

    def test_calls(self):
        self._calls_paths()

    def _calls_paths(self):
        a = self.make_deal("CA", self.s_proposal)
        b = self.make_deal("CB", self.s_proposal)
        Call = self.env["crm.lead.call"]
        c1 = Call.create({"lead_id": a.id, "outcome": "no_answer"})
        c2 = Call.create({"lead_id": a.id, "outcome": "conversation"})
        self.assertStructuresHold("calls")
        c1.lead_id = b
        self.assertStructuresHold("call moved")
        c2.unlink()
        self.assertStructuresHold("call deleted")
        Call.with_user(self.rep).create({"lead_id": b.id, "outcome": "busy"})
        self.assertStructuresHold("rep call")
        activity = b.activity_schedule("mail.mail_activity_data_call", user_id=self.rep.id)
        activity.with_user(self.rep).action_feedback(feedback="no answer")
        self.assertStructuresHold("phone activity done")

    def test_call_counters_are_not_written_by_hand(self):
        """An import (or create/write over RPC) with the deal's Calls column."""
        res = self.env["crm.lead"].load(
            ["name", "type", "team_id/.id", "stage_id/.id", "call_count"],
            [
                [
                    "Imported with calls",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_qualified.id),
                    "4",
                ]
            ],
        )
        self.assertFalse(res["messages"], res["messages"])
        self.assertStructuresHold("import of call_count")

    def test_stage_given_by_odoo_on_team_change(self):
        """An opportunity created over RPC without a stage gets one from
        Odoo when a team is set (crm.lead._compute_stage_id)."""
        deal = self.env["crm.lead"].create(
            {
                "name": "Stageless",
                "type": "opportunity",
                "stage_id": False,
                "team_id": False,
                "user_id": False,
                "expected_revenue": 1000,
            }
        )
        self.env.flush_all()
        self.assertFalse(deal.stage_id)
        self.assertStructuresHold("stageless")
        deal.write({"team_id": self.team.id})
        self.assertTrue(deal.stage_id, "Odoo gave it its team's first stage")
        self.assertStructuresHold("stage given by Odoo")

    def test_other_teams_tied_shared_and_archived_stages(self):
        other_team = self.env["crm.team"].create({"name": "Paths second"})
        o1 = self.env["crm.stage"].create(
            {"name": "O-One", "sequence": 900, "team_id": other_team.id}
        )
        tie_b = self.env["crm.stage"].create(
            {"name": "B-Tie", "sequence": 902, "team_id": self.team.id}
        )
        tie_a = self.env["crm.stage"].create(
            {"name": "A-Tie", "sequence": 902, "team_id": self.team.id}
        )
        shared = self.env["crm.stage"].create({"name": "Paths shared", "sequence": 903})
        self.set_now(self.t0)
        a = self.make_deal("E1", self.s_new, 100)
        b = self.make_deal("E2", self.s_qualified, 100, team_id=False)
        c = self.make_deal("E3", self.s_proposal, 100)
        self.set_now(self.day(1))
        a.stage_id = o1
        b.stage_id = tie_b
        c.stage_id = shared
        self.assertStructuresHold("moves to other team's / tied / shared stages")
        self.set_now(self.day(2))
        a.stage_id = tie_a
        b.stage_id = self.s_won
        c.team_id = other_team
        self.assertStructuresHold("second moves")
        self.set_now(self.day(3))
        self.s_new.active = False
        tie_b.active = False
        self.assertStructuresHold("archived stages")
        self.set_now(self.day(4))
        a.stage_id = self.s_proposal
        b.stage_id = self.s_proposal
        c.write({"team_id": self.team.id, "stage_id": self.s_qualified.id})
        self.assertStructuresHold("third moves")
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.assertStructuresHold("catalogue set")
        a.stage_id = self.s_won
        self.assertStructuresHold("move under catalogue")
        self.team.stage_catalogue_id = False
        self.assertStructuresHold("catalogue cleared")

    def test_won_across_teams_then_reopened(self):
        other_team = self.env["crm.team"].create({"name": "Paths won team"})
        self.env["crm.stage"].create(
            {"name": "O-Won", "sequence": 1, "team_id": other_team.id, "is_won": True}
        )
        self.set_now(self.t0)
        a = self.make_deal("W1", self.s_new, 100)
        b = self.make_deal("W2", self.env.ref("crm.stage_lead1"), 100, team_id=other_team.id)
        c = self.make_deal("W3", self.s_qualified, 100)
        c.action_set_lost()
        self.set_now(self.day(1))
        (a | b | c).with_context(active_test=False).action_set_won()
        self.assertEqual([deal.stage_id.is_won for deal in a | b | c], [True, True, True])
        self.assertStructuresHold("won across teams and from lost")
        self.set_now(self.day(2))
        (a | b | c).write({"stage_id": self.s_new.id, "probability": 40})
        self.assertStructuresHold("reopened with a typed probability")


@tagged("post_install", "-at_install")
class TestPipelinesDeleted(FunnelCase):
    """A team or a catalogue deleted: Odoo (or the database) empties the
    links, the pipelines change, the funnel rows follow."""

    def test_team_with_own_stages_deleted(self):
        """A team with stages of its own is deleted: Odoo empties the team of
        its stages and deals (ON DELETE SET NULL), which changes pipelines."""
        doomed = self.env["crm.team"].create({"name": "Paths doomed pipeline"})
        own = self.env["crm.stage"].create(
            {
                "name": "Paths own early",
                "sequence": 0,
                "team_id": doomed.id,
                "forecast_probability": 5,
            }
        )
        late = self.env["crm.stage"].create(
            {"name": "Paths shared late", "sequence": 998, "forecast_probability": 90}
        )
        survivor_team = self.env["crm.team"].create({"name": "Paths survivor"})
        self.set_now(self.t0)
        self.make_deal("Survivor deal", late, 1000, team_id=survivor_team.id)
        gone = self.make_deal("Doomed deal", own, 1000, team_id=doomed.id)
        self.set_now(self.day(1))
        gone.write({"stage_id": late.id})
        self.assertStructuresHold("before")
        doomed.unlink()
        self.assertFalse(own.team_id, "the team's stage is now shared")
        self.assertStructuresHold("team with its own stages deleted")

    def test_team_with_a_catalogue_deleted(self):
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.team.stage_catalogue_id = catalogue
        self.set_now(self.t0)
        deal = self.make_deal("Catalogue deal", self.s_new, 1000)
        self.set_now(self.day(1))
        deal.write({"stage_id": self.s_proposal.id})
        self.assertStructuresHold("before")
        self.team.unlink()
        self.assertStructuresHold("catalogue team deleted")

    def test_catalogue_deleted(self):
        """A catalogue applied to a team is deleted: the team's
        stage_catalogue_id is emptied by the database (ondelete set null),
        and its pipeline gets the shared stages back."""
        catalogue = self.env["crm.stage.catalogue"].create({"name": "Paths process"})
        self.team.stage_catalogue_id = catalogue
        self.set_now(self.t0)
        deal = self.make_deal("Catalogue deal", self.s_new, 1000)
        self.set_now(self.day(1))
        deal.write({"stage_id": self.s_proposal.id})
        self.assertStructuresHold("before")
        catalogue.unlink()
        self.assertFalse(self.team.stage_catalogue_id)
        self.assertStructuresHold("catalogue deleted")
