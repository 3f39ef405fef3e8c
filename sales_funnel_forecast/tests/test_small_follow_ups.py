# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Small follow-ups: the lost-reason refusal of several deals, target plans
imported with empty cells, a query count measured the same every time."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase


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
