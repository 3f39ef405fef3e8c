# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Files as integrators and admins export them and import them back (the
Import screen's ``load()``, as the user, in the user's language): a file
exported and imported again unchanged changes nothing."""

from odoo.tests import tagged

from .common import ImportCase, company_user


@tagged("post_install", "-at_install")
class TestImportExport(ImportCase):
    def test_stages_imported_back_keep_the_deals_choices(self):
        """A manager exports the team's four stages (won flag, percentage,
        category) and imports the file back unchanged: the rep's Commit
        chosen for a 1,000 deal at T-Qualified (30 %) holds, and a deal
        imported won without a closing date keeps none; no percentage
        change is recorded."""
        chosen = self.make_deal("Chosen", self.s_qualified, 1000)
        chosen.with_user(self.rep).forecast_category = "commit"
        result = self.load(
            "crm.lead",
            ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue"],
            [["Won long ago", "opportunity", self.team.id, self.s_won.id, "500"]],
            user=self.manager,
        )
        self.assertFalse(result["messages"])
        won = self.env["crm.lead"].browse(result["ids"])
        self.end_request()
        self.assertEqual(
            (chosen.forecast_category, chosen.forecast_category_is_manual), ("commit", True)
        )
        self.assertFalse(won.date_closed)
        stages = self.s_new | self.s_qualified | self.s_proposal | self.s_won
        changes = len(stages.percentage_change_ids)
        columns = ["id", "name", "sequence", "forecast_probability", "is_won", "forecast_category"]
        rows = stages.with_user(self.manager).export_data(columns)["datas"]
        self.assertEqual([row[4] for row in rows], [False, False, False, True])
        result = self.load("crm.stage", columns, rows, user=self.manager)
        self.assertFalse(result["messages"])
        self.end_request()
        self.assertEqual(
            (chosen.forecast_category, chosen.forecast_category_is_manual, chosen.forecast_revenue),
            ("commit", True, 300),
        )
        self.assertFalse(won.date_closed)
        self.assertEqual(len(stages.percentage_change_ids), changes)
        self.assertStructuresHold("stages imported back")

    def test_empty_percentage_cell_of_a_stage_is_no_figure(self):
        """A file of new stages with their Stage Percentage column left
        empty: the stage placed after T-Qualified (30 %), before T-Proposal
        (60 %) gets the 45 % a new stage typed in the form proposes, not 0
        % (its deals would weigh nothing in the forecast); the won one its
        100 %, not a refusal. An empty cell of an update keeps the
        stage's 60 %."""
        columns = ["name", "team_id/.id", "sequence", "is_won", "forecast_probability"]
        result = self.load(
            "crm.stage",
            columns,
            [
                ["T-Quote", self.team.id, "902", "0", ""],
                ["T-Signed", self.team.id, "905", "1", ""],
            ],
            user=self.manager,
        )
        self.assertEqual(result["messages"], [])
        quote, signed = self.env["crm.stage"].browse(result["ids"])
        self.assertEqual(
            (quote.forecast_probability, signed.forecast_probability, signed.is_won),
            (45, 100, True),
        )
        deal = self.make_deal("Quoted", quote, 1000)
        self.end_request()
        self.assertEqual(deal.forecast_revenue, 450)
        result = self.load(
            "crm.stage",
            [".id", "forecast_probability"],
            [[self.s_proposal.id, ""]],
            user=self.manager,
        )
        self.assertEqual(result["messages"], [])
        self.env.invalidate_all()
        self.assertEqual(self.s_proposal.forecast_probability, 60)
        self.assertStructuresHold("stages imported with empty percentages")

    def test_submissions_imported_for_a_team_of_another_company(self):
        """A manager working in companies A and B (both selected) imports
        the team's own forecast of a team of company B, with no company
        column: the forecast is company B's, as the form gives it from the
        team, and B's Forecast screen shows its 5 / 10 (it was refused
        with Odoo's "Incompatible companies")."""
        company_b = self.env["res.company"].create({"name": "Company B"})
        manager = company_user(
            self.env,
            "two_co_importer",
            "Two Co Importer",
            "sales_team.group_sale_manager,base.group_multi_company,base.group_allow_export",
            self.company | company_b,
        )
        team_b = self.env["crm.team"].create({"name": "Team B", "company_id": company_b.id})
        self.env.flush_all()
        result = (
            self.env["crm.forecast.submission"]
            .with_user(manager)
            .with_context(import_file=True, allowed_company_ids=[self.company.id, company_b.id])
            .load(
                ["user_id/.id", "team_id/.id", "date_from", "commit_amount", "best_case_amount"],
                [["", str(team_b.id), "2026-04-01", "5", "10"]],
            )
        )
        self.assertEqual(result["messages"], [])
        submission = self.env["crm.forecast.submission"].browse(result["ids"])
        self.assertEqual((submission.company_id, submission.user_id.id), (company_b, False))
        latest = submission._sff_last_submissions(
            team_b.id, submission.date_from, "month", company_id=company_b.id
        )
        self.assertEqual((latest[False].commit_amount, latest[False].best_case_amount), (5, 10))
