# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's own records through the form, import, export, duplicate,
archive, delete and mass edit: target plans, submissions and adjustments,
stages, catalogues."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import FunnelCase, company_user, make_plan


@tagged("post_install", "-at_install")
class TestOwnRecordPaths(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exporter = new_test_user(
            cls.env,
            login="sff_exporter",
            groups="sales_team.group_sale_manager,base.group_allow_export",
            name="Export Manager",
        )
        cls.Plan = cls.env["crm.target.plan"]

    def team_plan(self, **values):
        return make_plan(
            self.env,
            self.team,
            **dict(
                {"name": "Team 2030", "date_from": date(2030, 1, 1), "date_to": date(2030, 12, 31)},
                **values,
            ),
        )

    # ------------------------------------------------------------------
    # Target plans
    # ------------------------------------------------------------------
    def plan_form_view(self):
        """The module's plan form, less the read-only Members' Plans list:
        Odoo's test Form cannot load a form whose one2many opens the same
        model's form (it turns the plan's one2many fields into many2many).
        Nothing else changes: the seasons' month stays read-only, as the
        web client shows it."""
        return self.env["ir.ui.view"].create(
            {
                "name": "plan form without members",
                "model": "crm.target.plan",
                "mode": "primary",
                "inherit_id": self.env.ref("sales_funnel_forecast.crm_target_plan_view_form").id,
                "arch": '<xpath expr="//field[@name=\'child_ids\']" position="replace"/>',
            }
        )

    def test_new_plan_saved_from_the_form(self):
        """A manager creates a plan in the form (New, a name, the target,
        the dates, Save): the twelve default months of the Seasonality tab
        are saved with it (their read-only month is sent: force_save)."""
        form = Form(self.Plan.with_user(self.manager), view=self.plan_form_view())
        form.name = "From the form"
        form.team_id = self.team
        form.date_from = date(2031, 1, 1)
        form.date_to = date(2031, 12, 31)
        form.revenue_target = 120000
        form.average_deal_value = 1000
        form.win_rate = 20
        self.assertEqual(len(form.season_ids), 12)
        try:
            plan = form.save()
        except Exception as error:  # noqa: BLE001 - what the user gets
            self.fail(f"the new plan is not saved: {type(error).__name__}: {error}")
        self.assertEqual(
            sorted(plan.season_ids.mapped("month"), key=int), [str(m) for m in range(1, 13)]
        )
        self.assertEqual((plan.deals_needed, plan.leads_needed), (120, 600))

    def test_duplicated_member_plan_is_not_a_member_of_the_team_plan(self):
        """A manager duplicates Rita's share of the 2030 team plan to make
        her 2031 plan, then raises the 2030 team target: Rita's 2031 plan
        must survive (it is nobody's share), and her 2030 share follow the
        team's target."""
        plan = self.team_plan()
        plan._sff_split({self.rep: 1, self.other_rep: 1})
        rita_2030 = plan.child_ids.filtered(lambda child: child.user_id == self.rep)
        rita_2031 = rita_2030.copy()
        self.assertEqual(
            (rita_2031.date_from, rita_2031.date_to), (date(2031, 1, 1), date(2031, 12, 31))
        )
        self.assertFalse(rita_2031.parent_id, "a duplicated share is a plan of its own")
        plan.revenue_target = 240000
        self.assertTrue(
            rita_2031.exists(), "Rita's 2031 plan deleted by a change of the 2030 team plan"
        )
        self.assertEqual(sorted(plan.child_ids.mapped("revenue_target")), [120000.0, 120000.0])

    def test_team_plan_moved_to_another_team_takes_its_members_plans(self):
        """A split team plan given to another team: its members' plans (the
        ones the quota report counts) follow it."""
        other_team = self.env["crm.team"].create({"name": "Other Team"})
        plan = self.team_plan()
        plan._sff_split({self.rep: 1, self.other_rep: 1})
        plan.team_id = other_team
        self.assertEqual(plan.child_ids.team_id, other_team)
        self.env.flush_all()
        Report = self.env["crm.quota.report"]
        Report.invalidate_model()

        def target(team):
            rows = Report.search([("basis", "=", "target"), ("team_id", "=", team.id)])
            return round(sum(rows.mapped("target")), 2)

        self.assertEqual((target(self.team), target(other_team)), (0.0, 120000.0))

    def test_archived_member_plan_is_kept_when_the_team_plan_changes(self):
        """Otto leaves: the manager archives his share of the team plan (to
        keep it, as archiving promises). Later the team target is raised:
        Otto's archived plan must still be there, archived."""
        plan = self.team_plan()
        plan._sff_split({self.rep: 1, self.other_rep: 1})
        otto = plan.child_ids.filtered(lambda child: child.user_id == self.other_rep)
        otto.action_archive()
        plan.revenue_target = 130000
        self.assertEqual(plan.child_ids.mapped("revenue_target"), [130000.0])
        self.assertTrue(
            otto.exists(), "Otto's archived plan was deleted by a change of the team plan"
        )

    def test_origin_line_imported_alone_keeps_the_mix_at_100(self):
        """The plan's lines may be imported on their own (the line mixin
        says so: the figures follow). A plan with a 60 % seed / 40 % net mix
        gets one more row, or loses one: the mix no longer adds up to 100 %,
        which the plan form refuses, and so does the import."""
        plan = self.team_plan(
            origin_line_ids=[
                Command.create({"origin_type": "seed", "share": 60, "win_rate": 30}),
                Command.create({"origin_type": "net", "share": 40, "win_rate": 10}),
            ]
        )
        self.assertEqual((plan.win_rate, plan.leads_needed), (22.0, 546))
        Origin = self.env["crm.target.plan.origin"].with_user(self.exporter)
        result = Origin.load(
            ["plan_id/.id", "origin_type", "share", "win_rate"],
            [[str(plan.id), "Spear", "50", "5"]],
        )
        self.assertTrue(result["messages"], "a mix of 150 % imported without a word")
        self.assertEqual((plan.win_rate, plan.leads_needed), (22.0, 546))

    # ------------------------------------------------------------------
    # Forecast submissions and adjustments
    # ------------------------------------------------------------------
    def test_adjustment_imported_by_submission_name_lands_on_that_submission(self):
        """An import of adjustments names the submission as the list shows
        it ("Rita Rep – 2026-03-01"): the adjustment lands on that one, or
        the import says it cannot find it; never on another submission."""
        Submission = self.env["crm.forecast.submission"].with_user(self.exporter)
        self.team.member_ids |= self.rep
        rita = Submission.create(
            {
                "user_id": self.rep.id,
                "team_id": self.team.id,
                "date_from": date(2026, 3, 1),
                "commit_amount": 100,
                "best_case_amount": 200,
            }
        )
        team_line = Submission.create(
            {
                "user_id": False,
                "team_id": self.team.id,
                "date_from": date(2026, 4, 1),
                "commit_amount": 300,
                "best_case_amount": 400,
            }
        )
        self.assertEqual(Submission.name_search(rita.display_name), [(rita.id, rita.display_name)])
        result = (
            self.env["crm.forecast.adjustment"]
            .with_user(self.exporter)
            .load(
                ["submission_id", "commit_amount", "best_case_amount", "reason"],
                [[rita.display_name, "90", "150", "too optimistic"]],
            )
        )
        self.assertFalse(team_line.adjustment_ids, result["messages"])
        self.assertEqual(len(rita.adjustment_ids), 1, result["messages"])

    # ------------------------------------------------------------------
    # Stages
    # ------------------------------------------------------------------
    def test_stage_imported_with_an_empty_category_cell_takes_its_percentages(self):
        """A spreadsheet of stages whose Forecast Category column is left
        empty: the stages take the category of their percentage (as a deal
        imported with an empty category cell takes its stage's), the won
        one Closed; its deals are counted as Commit at 80 %."""
        Stage = self.env["crm.stage"].with_user(self.exporter)
        result = Stage.load(
            [
                "name",
                "team_id/.id",
                "sequence",
                "forecast_probability",
                "forecast_category",
                "is_won",
            ],
            [
                ["Order", str(self.team.id), "950", "80", "", "0"],
                ["Paid", str(self.team.id), "951", "100", "", "1"],
            ],
        )
        self.assertFalse(result["messages"], result["messages"])
        order, paid = Stage.browse(result["ids"])
        self.assertEqual((order.forecast_category, paid.forecast_category), ("commit", "closed"))
        deal = self.make_deal("In order", order, 1000)
        self.assertEqual(deal.forecast_category, "commit")

    # ------------------------------------------------------------------
    # Stage catalogues and companies
    # ------------------------------------------------------------------
    def test_catalogue_chosen_on_the_team_form_gives_the_team_a_pipeline(self):
        """The team form offers "Stage Catalogue" to managers ("Sales
        process applied to this team"). A manager picks the 4-step preset
        there for a team that uses the shared stages and saves: the
        catalogue is applied, its steps become the team's stages, and a new
        deal of the team has one."""
        team = self.env["crm.team"].create({"name": "Shared Stages Team"})
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_simple")
        team.with_user(self.manager).write({"stage_catalogue_id": catalogue.id})
        stages = self.env["crm.stage"].search([("team_id", "=", team.id)])
        self.assertEqual(stages.catalogue_line_id, catalogue.line_ids)
        deal = self.env["crm.lead"].create(
            {"name": "New deal", "type": "opportunity", "team_id": team.id}
        )
        self.assertTrue(deal.stage_id, "a new deal of the team has no stage")

    def test_manager_of_a_deletes_no_catalogue_of_company_b_teams_pipeline(self):
        """A catalogue applied to a team of company B: a manager of company
        A alone, who cannot change B's teams, deletes the catalogue: refused,
        B's team keeps its pipeline."""
        company_b = self.env["res.company"].create({"name": "Company B"})
        team_b = self.env["crm.team"].create({"name": "Team B", "company_id": company_b.id})
        catalogue = self.env["crm.stage.catalogue"].create(
            {
                "name": "Two Steps",
                "line_ids": [
                    Command.create({"name": "Talk", "sequence": 1, "forecast_probability": 20}),
                    Command.create(
                        {"name": "Won", "sequence": 2, "forecast_probability": 100, "is_won": True}
                    ),
                ],
            }
        )
        self.env["crm.stage.catalogue.apply"].create(
            {"catalogue_id": catalogue.id, "team_id": team_b.id}
        ).action_apply()
        self.assertEqual(team_b.stage_catalogue_id, catalogue)
        manager_a = company_user(
            self.env,
            "sff_exporter_a",
            "Export Manager A",
            "sales_team.group_sale_manager",
            self.env.company,
        )
        with self.assertRaises(AccessError):
            team_b.with_user(manager_a).write({"stage_catalogue_id": False})
        with self.assertRaisesRegex(UserError, "teams you cannot change"):
            catalogue.with_user(manager_a).unlink()
        self.assertEqual(
            team_b.stage_catalogue_id,
            catalogue,
            "company B's team lost its catalogue to A's manager",
        )

    def test_team_plan_restored_after_a_resplit_with_an_archived_member(self):
        """Otto's share archived (he was away), the plan split again with
        Otto back; the team plan archived and restored later: restored, its
        members' targets add up to the team's."""
        plan = self.team_plan()
        plan._sff_split({self.rep: 1, self.other_rep: 1})
        plan.child_ids.filtered(lambda child: child.user_id == self.other_rep).action_archive()
        plan._sff_split({self.rep: 1, self.other_rep: 1})
        plan.action_archive()
        plan.action_unarchive()
        self.assertEqual(round(sum(plan.child_ids.mapped("revenue_target")), 2), 120000.0)

    def test_team_plan_restored_leaves_a_departed_members_share(self):
        """Otto leaves: his share archived, the plan split again between the
        others; the team plan archived and restored: Otto's old share stays
        archived, apart."""
        plan = self.team_plan()
        plan._sff_split({self.rep: 1, self.other_rep: 1})
        otto = plan.child_ids.filtered(lambda child: child.user_id == self.other_rep)
        otto.action_archive()
        plan._sff_split({self.rep: 1})
        plan.action_archive()
        plan.action_unarchive()
        self.assertEqual(
            (plan.child_ids.user_id, round(sum(plan.child_ids.mapped("revenue_target")), 2)),
            (self.rep, 120000.0),
        )
        self.assertEqual((otto.exists(), otto.active), (otto, False))
