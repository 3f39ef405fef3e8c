# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sales process tools on their less travelled paths: the stall
proposal through its form, stall exclusions beside a manager's, catalogues
applied again or replaced, stages holding only leads, a deleted decision
maker, calls moved between deals, the lost reason a company requires."""

from datetime import date

from odoo.tests import Form, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestStallPaths(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")

    def test_stall_proposal_through_the_form(self):
        """The manager opens "Propose Stall Rules", picks the team and
        clicks Apply, as in the web client (Form saves what the client
        sends: readonly fields only with force_save)."""
        self.won_after((2, 3, 4, 5, 10))
        form = Form(self.env["crm.stage.stall.proposal"].with_user(self.manager))
        form.team_id = self.team
        wizard = form.save()
        self.assertEqual(
            wizard.line_ids.mapped("stage_id"),
            self.s_new | self.s_qualified | self.s_proposal,
            "the proposal lines keep their stage once the dialog is saved",
        )
        wizard.action_apply()
        self.assertEqual(self.s_new.stall_days, 8, "median 4 days x 2")

    def test_stall_exclusion_ends_but_a_manager_exclusion_holds(self):
        """A manager took a deal out of the forecast by hand; it then
        stalls in a stage whose rule also takes deals out of the forecast.
        Keeping it open (or moving it on) ends the stall rule's exclusion,
        not the manager's."""
        self.s_qualified.write({"stall_days": 5, "stall_action": "exclude"})
        self.set_now(self.day(0))
        deal = self.make_deal("Out by hand", self.s_qualified, 2000)
        deal.with_user(self.manager).forecast_excluded = True
        self.assertEqual(deal.forecast_revenue, 0.0)
        self.set_now(self.day(6))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        deal.with_user(self.manager).action_stall_keep_open()
        self.assertFalse(deal.is_stalled)
        self.assertTrue(
            deal.forecast_excluded, "the manager's own exclusion was not the stall rule's"
        )
        self.assertEqual(deal.forecast_revenue, 0.0)

    def test_stall_exclusion_manual_then_moved_on(self):
        self.s_qualified.write({"stall_days": 5, "stall_action": "exclude"})
        self.set_now(self.day(0))
        deal = self.make_deal("Out by hand, moved", self.s_qualified, 2000)
        deal.with_user(self.manager).forecast_excluded = True
        self.set_now(self.day(6))
        self.run_job()
        self.set_now(self.day(7))
        deal.stage_id = self.s_proposal
        self.assertTrue(
            deal.forecast_excluded, "the manager's own exclusion was not the stall rule's"
        )

    def test_rep_cannot_unstall_own_deal_over_rpc(self):
        """Only managers keep a stalled deal open (action_stall_keep_open);
        a rep writing the stall fields of their own deal over RPC is refused
        the same way."""
        from odoo.exceptions import UserError

        self.s_qualified.write({"stall_days": 5, "stall_action": "exclude"})
        self.set_now(self.day(0))
        deal = self.make_deal("Stalled, rep", self.s_qualified, 2000)
        self.set_now(self.day(6))
        self.run_job()
        self.assertTrue(deal.is_stalled and deal.forecast_excluded)
        with self.assertRaises(UserError):  # AccessError is a UserError
            deal.with_user(self.rep).write(
                {"is_stalled": False, "stall_excluded": False, "forecast_excluded": False}
            )


@tagged("post_install", "-at_install")
class TestCatalogueReplaced(FunnelCase):
    def apply(self, xmlid, team):
        wizard = (
            self.env["crm.stage.catalogue.apply"]
            .with_user(self.manager)
            .create({"catalogue_id": self.env.ref(xmlid).id, "team_id": team.id})
        )
        action = wizard.action_apply()
        return self.env["crm.stage"].search(action["domain"])

    def columns(self, team):
        Lead = self.env["crm.lead"].with_context(default_team_id=team.id)
        return Lead._read_group_stage_ids(self.env["crm.stage"], [])

    def test_second_catalogue_replaces_the_first(self):
        """SPEC: a team to which a catalogue was applied has exactly the
        catalogue's stages (kanban columns, default stage, won stage,
        funnel). Applying another catalogue to it (no deals anywhere)."""
        team = self.env["crm.team"].create({"name": "Switching process"})
        self.apply("sales_funnel_forecast.catalogue_simple", team)
        nine = self.apply("sales_funnel_forecast.catalogue_active_sales", team)
        self.assertEqual(len(nine), 9)
        self.assertEqual(
            self.columns(team).mapped("name"),
            nine.sorted(lambda s: (s.sequence, s.name, s.id)).mapped("name"),
            "the kanban shows the catalogue's stages only",
        )
        Stage = self.env["crm.stage"]
        self.assertEqual(
            Stage.search(Stage._sff_pipeline_domain(team.id)).filtered("is_won").mapped("name"),
            ["Completion"],
            "one won stage: the catalogue's",
        )


@tagged("post_install", "-at_install")
class TestProcessPaths(FunnelCase):
    def test_reapply_after_archiving_a_step_stage(self):
        """A stage of the catalogue archived, then the catalogue applied
        again: the archived stage comes back rather than a second stage of
        the same name (the history of the step stays on one stage)."""
        team = self.env["crm.team"].create({"name": "Reapply"})
        wizard = self.env["crm.stage.catalogue.apply"].create(
            {
                "catalogue_id": self.env.ref("sales_funnel_forecast.catalogue_simple").id,
                "team_id": team.id,
            }
        )
        first = self.env["crm.stage"].search(wizard.action_apply()["domain"])
        closing = first.filtered(lambda s: s.name == "Closing")
        closing.action_archive()
        wizard2 = self.env["crm.stage.catalogue.apply"].create(
            {
                "catalogue_id": self.env.ref("sales_funnel_forecast.catalogue_simple").id,
                "team_id": team.id,
            }
        )
        again = self.env["crm.stage"].search(wizard2.action_apply()["domain"])
        self.assertEqual(
            self.env["crm.stage"]
            .with_context(active_test=False)
            .search_count([("team_id", "=", team.id), ("name", "=", "Closing")]),
            1,
            "one stage named Closing in the team",
        )
        self.assertIn(closing, again)

    def test_manager_of_another_company_changes_a_team_stage(self):
        from odoo.exceptions import AccessError

        from .common import company_user

        other = self.env["res.company"].create({"name": "Paths Other Co"})
        self.team.company_id = self.env.company
        other_manager = company_user(
            self.env, "paths_other_mgr", "Other Manager", "sales_team.group_sale_manager", other
        )
        deal = self.make_deal("Here", self.s_qualified, 1000)
        with self.assertRaises(AccessError):
            self.s_qualified.with_user(other_manager).forecast_probability = 5
        self.assertEqual(deal.probability, 30.0)
        # the team's own manager changes it; a stage shared by every team,
        # any manager
        self.s_qualified.with_user(self.manager).forecast_probability = 35
        self.assertEqual(deal.probability, 35.0)
        shared = self.env["crm.stage"].create({"name": "Paths shared", "sequence": 950})
        shared.with_user(other_manager).forecast_probability = 40
        self.assertEqual(shared.forecast_probability, 40.0)

    def test_rep_moves_own_call_onto_a_deal_he_cannot_read(self):
        from odoo.exceptions import AccessError

        mine = self.make_deal("Mine", self.s_new, user_id=self.rep.id)
        theirs = self.make_deal("Theirs", self.s_new, user_id=self.other_rep.id)
        call = (
            self.env["crm.lead.call"]
            .with_user(self.rep)
            .create({"lead_id": mine.id, "outcome": "no_answer"})
        )
        with self.assertRaises(AccessError):
            self.env["crm.lead.call"].with_user(self.rep).create(
                {"lead_id": theirs.id, "outcome": "no_answer"}
            )
        with self.assertRaises(AccessError):
            call.with_user(self.rep).write({"lead_id": theirs.id})

    def test_archiving_a_stage_that_holds_only_leads(self):
        """Leads (not yet opportunities) have no stay and do not show in the
        pipeline; a stage holding only leads can be archived as in Odoo."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Just a lead",
                "type": "lead",
                "team_id": self.team.id,
                "stage_id": self.s_proposal.id,
            }
        )
        self.assertEqual(lead.stage_id, self.s_proposal)
        self.s_proposal.with_user(self.manager).action_archive()
        self.assertFalse(self.s_proposal.active)

    def test_decision_maker_deleted_contact(self):
        """The only decision maker's contact is deleted (the role line goes
        with it, ondelete cascade): the deal no longer has a decision maker."""
        customer = self.env["res.partner"].create({"name": "Paths Buyer Co", "is_company": True})
        boss = self.env["res.partner"].create({"name": "Paths Boss", "parent_id": customer.id})
        deal = self.make_deal("Deciders", self.s_qualified, 1000, partner_id=customer.id)
        self.env["crm.lead.buying.role"].create(
            {
                "lead_id": deal.id,
                "partner_id": boss.id,
                "role_id": self.env.ref("sales_funnel_forecast.buying_role_decision_maker").id,
            }
        )
        self.assertTrue(deal.has_decision_maker)
        boss.unlink()
        self.env.invalidate_all()
        self.assertFalse(deal.buying_role_ids)
        self.assertFalse(deal.has_decision_maker, "no role line left, no decision maker")

    def test_archive_asks_for_the_required_lost_reason(self):
        """The company asks for a lost reason: archiving a deal (the list's
        Archive action: a lost deal is an archived one) asks for it too."""
        from odoo.exceptions import UserError

        self.company.crm_lost_reason_required = True
        deal = self.make_deal("Archived, no reason", self.s_qualified, 1000)
        with self.assertRaises(UserError):
            deal.with_user(self.rep).action_set_lost()
        with self.assertRaises(UserError):
            deal.with_user(self.rep).action_archive()

    def test_call_resaved_on_its_own_deal_keeps_its_stage_at_call(self):
        """A call logged while the deal was in Prospect; the deal moved on to
        Qualified; the call re-imported (export/import round trip, an RPC
        write naming its deal): its 'Stage at Call' must stay Prospect."""
        deal = self.make_deal("Call snapshot", self.s_new, 1000)
        call = self.env["crm.lead.call"].create({"lead_id": deal.id, "outcome": "no_answer"})
        self.assertEqual(call.stage_id, self.s_new)
        deal.stage_id = self.s_qualified
        result = self.env["crm.lead.call"].load(
            [".id", "lead_id/.id", "note"], [[str(call.id), str(deal.id), "re-imported"]]
        )
        self.assertFalse(result["messages"], result["messages"])
        call.invalidate_recordset()
        self.assertEqual(call.note, "re-imported")
        self.assertEqual(call.stage_id, self.s_new, "the stage at the call, not today's")


@tagged("post_install", "-at_install")
class TestPlanLinesAlone(FunnelCase):
    def test_season_lines_zeroed_alone_refused_clearly(self):
        from odoo.exceptions import ValidationError

        plan = self.env["crm.target.plan"].create(
            {
                "name": "Paths Q1",
                "team_id": self.team.id,
                "date_from": date(2027, 1, 1),
                "date_to": date(2027, 3, 31),
                "revenue_target": 30000,
                "average_deal_value": 1000,
                "win_rate": 20,
                "sales_cycle_days": 0,
            }
        )
        with self.assertRaises(ValidationError):
            plan.season_ids.filtered(lambda s: int(s.month) <= 3).write({"weight": 0.0})

    def test_other_company_plan_counts_no_lead_of_this_one(self):
        """A new company's company-wide plan (no team): it has no lead of its
        own, yet counts the leads of no company (web leads nobody took)."""
        other = self.env["res.company"].create({"name": "Paths Other Co"})
        year = date.today().year
        plan = self.env["crm.target.plan"].create(
            {
                "name": "Other company plan",
                "company_id": other.id,
                "date_from": date(year, 1, 1),
                "date_to": date(year, 12, 31),
                "revenue_target": 120000,
                "average_deal_value": 1000,
                "win_rate": 20,
                "sales_cycle_days": 0,
            }
        )
        lead = self.env["crm.lead"].create(
            {"name": "Paths web lead", "type": "lead", "team_id": False, "user_id": False}
        )
        self.assertFalse(lead.company_id)
        plan.action_refresh_actuals()
        self.assertEqual(sum(plan.month_period_ids.mapped("actual_new_leads")), 0)
