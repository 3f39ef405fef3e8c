# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Files of plans, forecasts, origin mixes and lost reasons imported as the
Import screen runs them (``load()``, as the user, in the user's language):
what a form would accept, a file accepts; one bad row is the only one
named."""

from datetime import date

from odoo.tests import Form, tagged

from .common import PLAN_COLUMNS, ImportCase, company_user, make_plan


@tagged("post_install", "-at_install")
class TestImportFollowUp(ImportCase):
    def two_company_manager(self):
        """A manager working in companies A (current) and B, both selected,
        and a team of company B."""
        company_b = self.env["res.company"].create({"name": "Company B"})
        manager = company_user(
            self.env,
            "two_co_planner",
            "Two Co Planner",
            "sales_team.group_sale_manager,base.group_multi_company,base.group_allow_export",
            self.company | company_b,
        )
        team_b = self.env["crm.team"].create({"name": "Team B", "company_id": company_b.id})
        return manager, company_b, team_b

    # 1 --------------------------------------------------------------
    def test_plans_for_a_team_of_another_company_take_its_company(self):
        """A manager of companies A and B imports a 2031 plan of 12,000 at
        1,000 a deal, 20 % won, for a team of company B with no company
        column: it is company B's, its 12 deals and 60 prospects worked
        out (it was refused with Odoo's "Incompatible companies"); created
        over RPC without a company, likewise; in the form, choosing the
        team proposes company B."""
        manager, company_b, team_b = self.two_company_manager()
        both = {"allowed_company_ids": [self.company.id, company_b.id]}
        columns = list(PLAN_COLUMNS)
        result = self.load(
            "crm.target.plan",
            columns,
            [["B 2031", team_b.id, "2031-01-01", "2031-12-31", "12000", "1000", "20", "0"]],
            user=manager,
            **both,
        )
        self.assertEqual(result["messages"], [])
        plan = self.env["crm.target.plan"].browse(result["ids"])
        self.assertEqual(
            (plan.company_id, plan.deals_needed, plan.leads_needed), (company_b, 12, 60)
        )
        Plan = self.env["crm.target.plan"].with_user(manager).with_context(**both)
        rpc = Plan.create(
            {
                "name": "B 2032",
                "team_id": team_b.id,
                "date_from": "2032-01-01",
                "date_to": "2032-12-31",
                "revenue_target": 12000,
                "average_deal_value": 1000,
            }
        )
        self.assertEqual(rpc.company_id, company_b)
        form = Form(Plan)
        self.assertEqual(form.company_id, self.company)
        form.team_id = team_b
        self.assertEqual(form.company_id, company_b)

    # 2 --------------------------------------------------------------
    def test_submissions_imported_back_unchanged_are_accepted(self):
        """Rita's April 2026 forecast (Commit 300, Best Case 900, a note)
        and its manager's adjustment (400 / 800) exported with their ids
        and imported back unchanged: accepted, the forecast as it was,
        still one adjustment (it was refused, "kept as it was submitted");
        the same file with a Commit of 350 is still refused, with that
        message, and the forecast keeps its 300."""
        self.team.member_ids = [(4, self.rep.id)]
        submission = (
            self.env["crm.forecast.submission"]
            .with_user(self.rep)
            .create(
                {
                    "team_id": self.team.id,
                    "date_from": "2026-04-01",
                    "commit_amount": 300,
                    "best_case_amount": 900,
                    "note": "Two deals",
                }
            )
        )
        submission.with_user(self.manager).write(
            {
                "adjustment_ids": [
                    (0, 0, {"commit_amount": 400, "best_case_amount": 800, "reason": "Seen"})
                ]
            }
        )
        self.env.flush_all()
        before = submission.read()[0]
        columns = [
            "id",
            "user_id/id",
            "team_id/id",
            "company_id/id",
            "period_type",
            "date_from",
            "commit_amount",
            "best_case_amount",
            "note",
            "adjustment_ids/id",
        ]
        rows = submission.with_user(self.manager).export_data(columns)["datas"]
        self.assertEqual(rows[0][6:9], [300, 900, "Two deals"])
        result = self.load("crm.forecast.submission", columns, rows, user=self.manager)
        self.assertEqual(result["messages"], [])
        self.assertEqual(result["ids"], submission.ids)
        self.env.invalidate_all()
        self.assertEqual(submission.read()[0], before)
        self.assertEqual(len(submission.adjustment_ids), 1)
        # every column Odoo's export offers (date_to, submitted_on too)
        columns += ["date_to", "submitted_on"]
        rows = submission.with_user(self.manager).export_data(columns)["datas"]
        result = self.load("crm.forecast.submission", columns, rows, user=self.manager)
        self.assertEqual(result["messages"], [])
        rows[0][6] = "350"
        result = self.load("crm.forecast.submission", columns, rows, user=self.manager)
        [message] = [message["message"] for message in result["messages"]]
        self.assertIn("A submitted forecast is kept as it was submitted", message)
        self.env.invalidate_all()
        self.assertEqual(submission.commit_amount, 300)

    # 3 --------------------------------------------------------------
    def test_origin_mix_file_with_one_bad_row_names_that_row_only(self):
        """A plan of 12,000 at 1,000 a deal gets its origin mix from a file
        of three rows (seed 50 % won at 30 %, net 30 % at 20 %, spear 20 %
        at 150 %): the only error said is the third row's win rate (the two
        good rows were each refused alone, "must add up to 100 %"), the
        plan keeps no line. The file corrected (spear at 10 %) is taken:
        a win rate of 15 + 6 + 2 = 23 %, 12 deals, 53 prospects; a file
        of the lines' new shares (seed 60 %, net 20 %) is taken too (its
        first row alone made 110 %, refused). A file
        whose shares add up to 80 % is refused once, naming the plan."""
        plan = make_plan(
            self.env,
            self.team,
            name="Mix 2031",
            date_from=date(2031, 1, 1),
            date_to=date(2031, 12, 31),
            revenue_target=12000,
        )
        columns = ["plan_id/.id", "origin_type", "share", "win_rate"]
        rows = [
            [plan.id, "seed", "50", "30"],
            [plan.id, "net", "30", "20"],
            [plan.id, "spear", "20", "150"],
        ]
        result = self.load("crm.target.plan.origin", columns, rows, user=self.manager)
        # (Odoo repeats the batch's first error at the file's first row)
        self.assertEqual(
            {message["message"] for message in result["messages"]},
            {"Origin shares and win rates lie between 0 and 100 %."},
        )
        self.assertIn(2, [message.get("record") for message in result["messages"]])
        self.env.invalidate_all()
        self.assertFalse(plan.origin_line_ids)
        self.assertEqual((plan.win_rate, plan.leads_needed), (20, 60))
        rows[2][3] = "10"
        result = self.load("crm.target.plan.origin", columns, rows, user=self.manager)
        self.assertEqual(result["messages"], [])
        self.env.invalidate_all()
        self.assertEqual(len(plan.origin_line_ids), 3)
        self.assertEqual((plan.win_rate, plan.deals_needed, plan.leads_needed), (23, 12, 53))
        # a file moving 10 points from net to seed (each row alone would
        # make 110 %, then 100 %): 18 + 4 + 2 = 24 %, 50 prospects
        lines = {line.origin_type: line for line in plan.origin_line_ids}
        result = self.load(
            "crm.target.plan.origin",
            [".id", "share"],
            [[lines["seed"].id, "60"], [lines["net"].id, "20"]],
            user=self.manager,
        )
        self.assertEqual(result["messages"], [])
        self.env.invalidate_all()
        self.assertEqual((plan.win_rate, plan.leads_needed), (24, 50))
        other = make_plan(
            self.env,
            self.team,
            name="Mix 2032",
            date_from=date(2032, 1, 1),
            date_to=date(2032, 12, 31),
            revenue_target=12000,
        )
        result = self.load(
            "crm.target.plan.origin",
            columns,
            [[other.id, "seed", "50", "30"], [other.id, "net", "30", "20"]],
            user=self.manager,
        )
        self.assertEqual(
            [message["message"] for message in result["messages"]],
            ["The origin shares of Mix 2032 must add up to 100 %."],
        )
        self.env.invalidate_all()
        self.assertFalse(other.origin_line_ids)

    # 4 --------------------------------------------------------------
    def test_lost_reasons_imported_with_an_empty_category_take_the_default(self):
        """A file of two lost reasons, "Went quiet" with its Category cell
        empty and "Too pricey" in Price: both created, the first in Other,
        as the form gives it (it was refused as a missing required value).
        The file imported again
        with the ids and the empty cell keeps "Too pricey" in Price."""
        result = self.load(
            "crm.lost.reason",
            ["name", "category"],
            [["Went quiet", ""], ["Too pricey", "price"]],
            user=self.manager,
        )
        self.assertEqual(result["messages"], [])
        quiet, pricey = self.env["crm.lost.reason"].browse(result["ids"])
        self.assertEqual((quiet.category, pricey.category), ("other", "price"))
        result = self.load(
            "crm.lost.reason",
            [".id", "name", "category"],
            [[pricey.id, "Too pricey", ""]],
            user=self.manager,
        )
        self.assertEqual(result["messages"], [])
        self.env.invalidate_all()
        self.assertEqual(pricey.category, "price")
