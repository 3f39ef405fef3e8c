# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 22 looked at again on the methods added since: what a salesperson
or an integrator gets calling them over RPC (values as JSON gives them),
on a live server."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestLiveServerAgain(FunnelCase):
    def test_lost_reason_as_json_may_give_it(self):
        """The company asks for a lost reason. An integrator loses deals
        over RPC with the reason's id as a CSV gives it ("7"), or as a
        list: Odoo writes no reason for those (a many2one takes an id, or
        an (id, name) pair). The Lost button's call and a write of Active
        were accepted, and 2 deals of 3 ended lost without a reason; both
        are refused, the deals stay open. The reason's id, or an (id,
        name) pair, loses the third with its reason."""
        self.company.crm_lost_reason_required = True
        reason = self.env.ref("sales_funnel_forecast.lost_reason_price")
        deals = [self.make_deal(f"Deal {n}", self.s_new, 100 * n) for n in (1, 2, 3)]
        mine = [deal.with_user(self.rep) for deal in deals]
        for value in (str(reason.id), [reason.id]):
            with self.subTest(value=value):
                with self.assertRaisesRegex(UserError, "asks for a lost reason"):
                    mine[0].action_set_lost(lost_reason_id=value)
                with self.assertRaisesRegex(UserError, "asks for a lost reason"):
                    mine[1].write({"active": False, "lost_reason_id": value})
        mine[2].action_set_lost(lost_reason_id=(reason.id, reason.name))
        self.assertEqual(
            [(deal.active, deal.lost_reason_id) for deal in deals],
            [(True, reason.browse()), (True, reason.browse()), (False, reason)],
        )
