# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The changes of 18.0.1.24.0 read again on the paths users and
integrators take."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestReviewRelease24(FunnelCase):
    def test_domain_with_a_value_its_field_cannot_hold_says_so(self):
        """``sff_pipeline_at`` and ``sff_deal_flow`` over RPC with a
        condition whose value is no date or number of its field (a closing
        date of "31/02/2026", a tag "vip" where tags are ids): refused in
        words, as a field deals lack is, not a server error; the cursor
        stays usable, and a good domain still counts the 1 open deal of
        1,000."""
        self.set_now(self.t0)
        deal = self.make_deal("Domain Deal", self.s_qualified, 1000)
        self.end_request()
        Lead = self.env["crm.lead"].with_user(self.manager)
        for domain in (
            [("date_deadline", ">", "31/02/2026")],
            [("create_date", ">=", "2026-13-45")],
            [("tag_ids", "in", ["vip"])],
        ):
            with self.assertRaises(UserError, msg=str(domain)) as raised:
                Lead.sff_pipeline_at("2026-03-03", domain)
            self.assertIn(
                "The conditions selecting the deals cannot be read", str(raised.exception)
            )
            with self.assertRaises(UserError, msg=str(domain)):
                Lead.sff_deal_flow("2026-03-01", "2026-04-01", domain)
        rows = Lead.sff_pipeline_at("2026-03-03", [("id", "=", deal.id)])
        self.assertEqual(
            [(row["lead_id"], row["expected_revenue"]) for row in rows], [(deal.id, 1000.0)]
        )
