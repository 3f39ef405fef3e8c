# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Small follow-ups: the lost-reason refusal of several deals, target plans
imported with empty cells, a query count measured the same every time."""

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import PLAN_COLUMNS, FunnelCase, ImportCase


@tagged("post_install", "-at_install")
class TestLostReasonRefusal(FunnelCase):
    def refusal(self, deals, **context):
        self.company.crm_lost_reason_required = True
        with self.assertRaises(UserError) as caught:
            deals.with_user(self.manager).with_context(**context).action_archive()
        self.assertTrue(all(deals.mapped("active")), "nothing lost without a reason")
        return str(caught.exception)

    def deals(self, count):
        return self.env["crm.lead"].concat(
            *(self.make_deal(f"Deal {n}", self.s_new, 1000) for n in range(1, count + 1))
        )

    def test_one_deal_is_named_alone(self):
        self.assertEqual(
            self.refusal(self.deals(1)),
            "Say why the deal is lost: your company asks for a lost reason (Deal 1).",
        )

    def test_two_deals_are_named_in_the_plural(self):
        self.assertEqual(
            self.refusal(self.deals(2)),
            "Say why the deals are lost: your company asks for a lost reason (Deal 1, Deal 2).",
        )

    def test_eight_deals_name_five_and_count_the_three_others(self):
        """Eight deals archived at once from the list: five named, the
        other three counted (they were left out without a word)."""
        self.assertEqual(
            self.refusal(self.deals(8)),
            "Say why the deals are lost: your company asks for a lost reason "
            "(Deal 1, Deal 2, Deal 3, Deal 4, Deal 5 and 3 more).",
        )

    def test_the_count_of_the_others_is_written_in_the_users_language(self):
        """1,005 deals: "and 1,000 more", with the language's separator."""
        deals = self.env["crm.lead"].create(
            [
                {
                    "name": f"Deal {n}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                }
                for n in range(1, 1006)
            ]
        )
        self.assertIn("Deal 5 and 1,000 more).", self.refusal(deals))


@tagged("post_install", "-at_install")
class TestPlansImportedWithEmptyCells(ImportCase):
    def load_plans(self, rows):
        """``load()`` of a file of plans as the Import screen runs it for
        the sales manager."""
        return self.load("crm.target.plan", PLAN_COLUMNS, rows, user=self.manager)

    def test_a_new_plan_with_empty_cells_takes_the_forms_defaults(self):
        """The form proposes a win rate of 20 % and a sales cycle of 30
        days. A file of a 2031 plan of 12,000 at 1,000 a deal with both
        cells empty: the plan gets 20 % and 30 days, so 12 deals and 60
        prospects (the win rate was refused as 0 %, the cycle 0 days)."""
        form = Form(self.env["crm.target.plan"].with_user(self.manager))
        self.assertEqual((form.win_rate, form.sales_cycle_days), (20.0, 30))
        result = self.load_plans(
            [["Empty 2031", self.team.id, "2031-01-01", "2031-12-31", "12000", "1000", "", ""]]
        )
        self.assertEqual(result["messages"], [])
        plan = self.env["crm.target.plan"].browse(result["ids"])
        self.assertEqual(
            (plan.win_rate, plan.sales_cycle_days, plan.deals_needed, plan.leads_needed),
            (20.0, 30, 12, 60),
        )

    def test_a_cycle_of_0_days_typed_stays_0(self):
        """A cell saying 0 days is a value, not an empty cell; a win rate
        typed (25 %) is the plan's: 12 deals, 48 prospects."""
        result = self.load_plans(
            [["Typed 2031", self.team.id, "2031-01-01", "2031-12-31", "12000", "1000", "25", "0"]]
        )
        self.assertEqual(result["messages"], [])
        plan = self.env["crm.target.plan"].browse(result["ids"])
        self.assertEqual(
            (plan.win_rate, plan.sales_cycle_days, plan.deals_needed, plan.leads_needed),
            (25.0, 0, 12, 48),
        )

    def test_a_plan_updated_with_empty_cells_keeps_its_own(self):
        """The 2031 plan at 25 % and 45 days, imported again by its id with
        both cells empty and a new target of 24,000: it keeps 25 % and 45
        days, 24 deals and 96 prospects (the win rate was refused as 0 %,
        the cycle became 0 days)."""
        plan = self.env["crm.target.plan"].create(
            {
                "name": "Kept 2031",
                "team_id": self.team.id,
                "date_from": "2031-01-01",
                "date_to": "2031-12-31",
                "revenue_target": 12000,
                "average_deal_value": 1000,
                "win_rate": 25,
                "sales_cycle_days": 45,
            }
        )
        result = self.load(
            "crm.target.plan",
            [".id", "revenue_target", "win_rate", "sales_cycle_days"],
            [[plan.id, "24000", "", ""]],
            user=self.manager,
        )
        self.assertEqual(result["messages"], [])
        self.assertEqual(
            (plan.win_rate, plan.sales_cycle_days, plan.deals_needed, plan.leads_needed),
            (25.0, 45, 24, 96),
        )
