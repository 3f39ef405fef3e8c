# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The changes of 18.0.1.25.0 read again on the paths users and
integrators take."""

from datetime import datetime

from odoo.tests import tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestReviewRelease25(FunnelCase):
    def test_stall_message_counts_the_deals_of_no_company(self):
        """Two deals sit past a 5-day limit: one of the manager's company,
        one of no company (a team shared by companies, nobody took it yet),
        which the deals' list shows every company's users and the job acts
        on. A manager of one company pressing Apply Stall Rules Now is told
        of 2 deals (it said one: the deal of no company was left out)."""
        shared = self.env["crm.team"].create({"name": "SFF Shared Team", "company_id": False})
        self.s_new.stall_days = 5
        self.clock_at(datetime(1990, 1, 1, 12))
        self.make_deal("Ours", self.s_new, 1000, company_id=self.env.company.id)
        nobodys = self.make_deal(
            "Nobody's", self.s_new, 500, team_id=shared.id, user_id=False, company_id=False
        )
        self.end_request()
        self.assertFalse(nobodys.company_id)
        self.clock_at(datetime(1990, 1, 10, 12))
        manager = company_user(
            self.env,
            "sff_one_company_manager_25",
            "One Company",
            "sales_team.group_sale_manager",
            self.env.company,
        )
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(manager)
            .search_count([("id", "in", (nobodys | self.env["crm.lead"]).ids)]),
            1,
            "the manager's list shows the deal of no company",
        )
        action = self.env["crm.lead"].with_user(manager).action_apply_stall_rules()
        self.assertEqual(
            action["params"]["message"],
            "The stall rules are being applied in the background to 2 deals past their "
            "stage's limit; reload the list in a few moments to see them.",
        )
