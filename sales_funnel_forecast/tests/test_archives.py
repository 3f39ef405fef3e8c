# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Archived records around the figures: products no longer sold, stages
archived or given to another team while deals sit in them."""

from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestArchives(FunnelCase):
    def test_archived_product_still_finds_the_deals_that_quoted_it(self):
        """A product no longer sold was quoted all the same: the reports'
        Product and Product Category filters find its deals (they found
        none once it was archived, and "not this product" found them)."""
        partner = self.env["res.partner"].create({"name": "Desk buyer"})
        category = self.env["product.category"].create({"name": "Discontinued line"})
        product = self.env["product.product"].create(
            {"name": "Old Oak Desk", "categ_id": category.id}
        )
        deal = self.make_deal("Quoted the old desk", self.s_qualified, 1000, partner_id=partner.id)
        other = self.make_deal("Quoted nothing", self.s_qualified, 500)
        self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "opportunity_id": deal.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        product.product_tmpl_id.action_archive()
        self.env.flush_all()
        for model in ("crm.funnel.report", "crm.forecast.report"):
            Report = self.env[model].with_user(self.manager)
            mine = [("lead_id", "in", (deal | other).ids)]
            self.assertEqual(
                (
                    Report.search(mine + [("product_id", "=", product.id)]).lead_id,
                    Report.search(mine + [("product_id", "ilike", "Old Oak")]).lead_id,
                    Report.search(mine + [("product_categ_id", "=", category.id)]).lead_id,
                    Report.search(mine + [("product_id", "!=", product.id)]).lead_id,
                ),
                (deal, deal, deal, other),
                model,
            )

    def test_won_stage_with_won_deals_is_kept(self):
        """A won stage holding won deals is not archived, and the refusal
        does not call them open nor ask to move them (that would reopen
        them): archived, it would take them out of the won figures."""
        deal = self.make_deal("Won long ago", self.s_new, 100)
        deal.action_set_won()
        self.assertEqual(deal.stage_id, self.s_won)
        with self.assertRaisesRegex(UserError, r"^Won deals \(1\) are in the stages"):
            self.s_won.with_user(self.manager).action_archive()
        self.assertTrue(self.s_won.active)
        # without won deals in it, it goes
        deal.action_set_lost()
        self.s_won.with_user(self.manager).action_archive()
        self.assertFalse(self.s_won.active)

    def test_stage_archived_by_a_write_is_refused_as_by_the_button(self):
        """An import's Active column or a call over RPC archives a stage as
        the Archive button does: refused while an open deal sits in it (the
        deal left the funnel without a word)."""
        deal = self.make_deal("Open in Qualified", self.s_qualified, 100)
        Stage = self.s_qualified.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "^An open deal is in the stages you are archiving"):
            Stage.write({"active": False})
        result = Stage.load([".id", "active"], [[str(self.s_qualified.id), "False"]])
        self.assertFalse(result["ids"])
        self.assertRegex(
            result["messages"][0]["message"], "^An open deal is in the stages you are archiving"
        )
        self.assertTrue(self.s_qualified.active)
        # a user who may not write stages learns nothing of the deals
        with self.assertRaisesRegex(Exception, "not allowed to modify"):
            self.s_qualified.with_user(self.rep).write({"active": False})
        # a module's data file, at its install or upgrade, is let through
        Stage.with_context(install_module="some_module").write({"active": False})
        self.assertFalse(self.s_qualified.active)
        Stage.write({"active": True})
        deal.stage_id = self.s_proposal
        Stage.write({"active": False})
        self.assertFalse(self.s_qualified.active)
        reach = self.env["crm.lead.stage.reach"].search([("lead_id", "=", deal.id)])
        self.assertNotIn(self.s_qualified, reach.stage_id)

    def test_stage_given_to_another_team_with_deals_in_it_is_refused(self):
        """A stage's Sales Team changed while deals of its team sit in it
        would take it out of their pipeline: refused; a stage made shared
        stays in the pipeline of a team without stages of its own, not in
        that of a team with a catalogue applied."""
        self.make_deal("Open in Qualified", self.s_qualified, 100)
        other = self.env["crm.team"].create({"name": "Other team"})
        Stage = self.s_qualified.with_user(self.manager)
        with self.assertRaisesRegex(
            UserError, r"^Deals \(1\) are in stages that this change of Sales Team"
        ):
            Stage.write({"team_id": other.id})
        self.assertEqual(self.s_qualified.team_id, self.team)
        # the same team again: nothing changes, nothing refused
        Stage.write({"team_id": self.team.id})
        # shared: still in this team's pipeline (it has no catalogue)
        Stage.write({"team_id": False})
        self.assertIn(
            self.s_qualified,
            self.env["crm.lead"]
            .with_context(default_team_id=self.team.id)
            ._stage_find(team_id=self.team.id, limit=None),
        )
        # a team with stages of its own does not see shared stages
        catalogue_team = self.env["crm.team"].create({"name": "Catalogue team"})
        stages = apply_catalogue(self.env, catalogue_team)
        self.make_deal("Catalogue deal", stages[0], 100, team_id=catalogue_team.id)
        with self.assertRaisesRegex(UserError, r"^Deals \(1\) are in stages"):
            stages[0].with_user(self.manager).write({"team_id": False})
        self.assertEqual(stages[0].team_id, catalogue_team)

    def test_stall_todo_of_an_archived_rep_goes_to_the_team_leader(self):
        """Odoo deletes the activities of a user it archives: the stall
        to-do of a stalled deal goes to the team's leader instead (the job
        gives a stall its to-do once: the deal stayed stalled with nobody
        asked to decide); without a leader, it goes as Odoo's do."""
        self.s_new.write({"stall_days": 5, "stall_action": "flag"})
        self.team.user_id = self.manager
        self.set_now(self.t0)
        deal = self.make_deal("Stuck", self.s_new, 100)
        other = self.make_deal("Stuck too", self.s_new, 100, user_id=self.other_rep.id)
        self.set_now(self.day(6))
        self.run_job()

        def todo_users(lead):
            return self.env["mail.activity"].search(lead._sff_stall_todo_domain()).user_id

        self.assertEqual((deal.is_stalled, todo_users(deal)), (True, self.rep))
        self.rep.action_archive()
        self.set_now(self.day(8))
        self.run_job()
        self.assertEqual((deal.is_stalled, todo_users(deal)), (True, self.manager))
        # a team without a leader: the to-do goes with its user
        self.team.user_id = False
        self.other_rep.action_archive()
        self.assertEqual((other.is_stalled, todo_users(other)), (True, self.env["res.users"]))

    # call targets: those of the memberships of the time
    def call(self, deal, when):
        return (
            self.env["crm.lead.call"]
            .with_user(self.rep)
            .create({"lead_id": deal.id, "outcome": "no_answer", "date": when})
        )

    def week_of_t0(self, team, monday=date(2026, 3, 2)):
        """The rep's calls and targets in ``team`` in the week of ``monday``
        (2 March 2026)."""
        self.env.flush_all()
        self.env["crm.call.report"].invalidate_model()
        [(calls, daily, weekly)] = self.env["crm.call.report"]._read_group(
            [
                ("user_id", "=", self.rep.id),
                ("team_id", "=", team.id),
                ("date", ">=", monday),
                ("date", "<", monday + timedelta(days=7)),
            ],
            [],
            ["call_count:sum", "target_daily:sum", "target_weekly:sum"],
        )
        return (calls or 0, daily or 0, weekly or 0)

    def calls_in_march(self):
        """The rep joins the team (3 calls a day, 12 a week) in February and
        makes 4 calls in the week of 2 March."""
        self.set_now(datetime(2026, 2, 2, 9))
        self.team.write({"call_target_daily": 3, "call_target_weekly": 12})
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.set_now(self.t0)
        deal = self.make_deal("Called", self.s_new)
        for minutes in range(4):
            self.call(deal, self.t0 + timedelta(minutes=minutes))
        # Monday to Friday 3 a day, the week's 12 on Monday
        self.assertEqual(self.week_of_t0(self.team), (4, 15, 12))
        self.set_now(datetime(2026, 4, 1, 9))

    def test_archived_rep_keeps_past_call_targets(self):
        """A salesperson who leaves in April keeps March's targets (a week
        of March lost them with the membership)."""
        self.calls_in_march()
        self.rep.action_archive()
        self.assertEqual(self.week_of_t0(self.team), (4, 15, 12))

    def test_rep_moved_to_another_team_keeps_past_call_targets(self):
        """Moved to another team in April (Odoo's one-team-per-person mode
        archives the membership): March's targets stay the first team's,
        the new team has none before she joined it."""
        self.calls_in_march()
        other = self.env["crm.team"].create(
            {"name": "Other calls team", "call_target_daily": 7, "call_target_weekly": 30}
        )
        self.env["crm.team.member"].create({"crm_team_id": other.id, "user_id": self.rep.id})
        self.assertEqual(
            (self.week_of_t0(self.team), self.week_of_t0(other)), ((4, 15, 12), (0, 0, 0))
        )

    def test_rep_moved_to_another_team_keeps_past_logins(self):
        """Two logins in the first team, then moved to another team and one
        login there: the adoption report counts 2 logins in the first team
        and 1 in the other (all 3 were the team of today's)."""
        Users = self.env["res.users"].with_user(self.rep)
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.assertEqual(self.rep.sale_team_id, self.team)
        Users._update_last_login()
        Users._update_last_login()
        other = self.env["crm.team"].create({"name": "Other logins team"})
        self.env["crm.team.member"].create({"crm_team_id": other.id, "user_id": self.rep.id})
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self.rep.sale_team_id, other)
        Users._update_last_login()
        self.env.flush_all()
        rows = self.env["crm.adoption.report"]._read_group(
            [("user_id", "=", self.rep.id), ("kind", "=", "login")],
            ["team_id", "company_id"],
            ["login_count:sum"],
        )
        self.assertEqual(
            sorted((team.name, company, count) for team, company, count in rows),
            [
                ("Funnel Test Team", self.rep.company_id, 2),
                ("Other logins team", self.rep.company_id, 1),
            ],
        )

    def test_archived_team_keeps_past_call_targets(self):
        """A team archived in April keeps March's targets, and has none
        after it was archived."""
        self.calls_in_march()
        self.team.action_archive()
        self.assertEqual(self.week_of_t0(self.team), (4, 15, 12))
        self.env.flush_all()
        self.env["crm.call.report"].invalidate_model()
        self.assertFalse(
            self.env["crm.call.report"].search(
                [("team_id", "=", self.team.id), ("date", ">", date(2026, 4, 1))]
            )
        )

    def test_rep_who_rejoins_the_team_has_each_target_once(self):
        """Left the team on 1 April, back on 4 May (Odoo makes a new
        membership beside the archived one): March's targets count once,
        April's weeks have none, May's from the day she came back."""
        self.calls_in_march()
        self.env["crm.team.member"].search(
            [("user_id", "=", self.rep.id), ("crm_team_id", "=", self.team.id)]
        ).action_archive()
        self.set_now(datetime(2026, 5, 4, 9))
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.assertEqual(
            (
                self.week_of_t0(self.team),
                self.week_of_t0(self.team, date(2026, 4, 6)),
                self.week_of_t0(self.team, date(2026, 5, 4)),
            ),
            ((4, 15, 12), (0, 0, 0), (0, 15, 12)),
        )

    def test_stage_team_change_counts_the_deals_of_its_pipeline_only(self):
        """A deal of team B left in this team's stage (its team changed,
        Odoo kept the stage) is outside the stage's pipeline already: giving
        the stage to team C takes nothing out of a pipeline, and is let
        through."""
        team_b = self.env["crm.team"].create({"name": "B"})
        team_c = self.env["crm.team"].create({"name": "C"})
        deal = self.make_deal("Moved to B", self.s_qualified, 100)
        deal.team_id = team_b
        self.assertEqual(deal.stage_id, self.s_qualified)
        self.s_qualified.with_user(self.manager).write({"team_id": team_c.id})
        self.assertEqual(self.s_qualified.team_id, team_c)
