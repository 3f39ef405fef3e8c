# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's reports against Odoo's own analyses on the same deals: where
both answer the same question, a person counting by hand finds the same
figures on both sides."""

from .common import FunnelCase


class TestAgainstOdoo(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Reason = cls.env["crm.lost.reason"]
        cls.price = Reason.create({"name": "Odoo side: price"})
        cls.timing = Reason.create({"name": "Odoo side: timing"})

    def odoo_lost(self, deals):
        """Odoo's lost deals (its Lost filter: archived at 0 %) by lost
        reason: {reason: (count, expected revenue)}."""
        return {
            reason: (count, amount)
            for reason, count, amount in self.env["crm.lead"]
            .with_context(active_test=False)
            ._read_group(
                [("id", "in", deals.ids), ("active", "=", False), ("probability", "=", 0)],
                ["lost_reason_id"],
                ["__count", "expected_revenue:sum"],
            )
        }

    def module_losses(self, deals):
        """The Losses report by lost reason: {reason: (count, amount lost)}."""
        self.env.flush_all()
        return {
            reason: (count, amount)
            for reason, count, amount in self.env["crm.loss.report"]._read_group(
                [("lead_id", "in", deals.ids)],
                ["lost_reason_id"],
                ["lost_count:sum", "lost_amount:sum"],
            )
        }

    def test_deals_lost_by_an_import_or_a_client_are_lost_in_odoo_too(self):
        """Three deals at Qualified (30 %) lost: 300 with the Lost button for
        price, 800 by an import archiving it and 900 by a client's write,
        both for timing. Both reports count price 1 deal / 300 and timing 2
        deals / 1,700: Odoo's Lost filter finds the deals lost by the import
        and the write at 0 %, as the Lost button leaves them."""
        by_button = self.make_deal("By button", self.s_qualified, 300)
        by_import = self.make_deal("By import", self.s_qualified, 800)
        by_client = self.make_deal("By client", self.s_qualified, 900)
        deals = by_button | by_import | by_client
        by_button.action_set_lost(lost_reason_id=self.price.id)
        result = self.env["crm.lead"].load(
            [".id", "active", "lost_reason_id/.id"],
            [[str(by_import.id), "False", str(self.timing.id)]],
        )
        self.assertFalse(result["messages"], result["messages"])
        by_client.write({"active": False, "lost_reason_id": self.timing.id})
        expected = {self.price: (1, 300.0), self.timing: (2, 1700.0)}
        self.assertEqual(self.module_losses(deals), expected)
        self.assertEqual(self.odoo_lost(deals), expected)
        self.assertEqual(deals.mapped("probability"), [0.0, 0.0, 0.0])
        self.assertEqual(deals.mapped("prorated_revenue"), [0.0, 0.0, 0.0])

    def test_deals_restored_by_a_client_weigh_their_stage_percentage(self):
        """Two deals of 1,000 at Qualified (30 %), one lost with the Lost
        button, one by an import, both restored by a client's write: open
        again at 30 %, as Odoo's Restore leaves them; 600 in the revenue
        forecast as in Odoo's Pipeline Analysis (prorated revenue)."""
        by_button = self.make_deal("Lost by button", self.s_qualified, 1000)
        by_import = self.make_deal("Lost by import", self.s_qualified, 1000)
        deals = by_button | by_import
        by_button.action_set_lost()
        result = self.env["crm.lead"].load([".id", "active"], [[str(by_import.id), "False"]])
        self.assertFalse(result["messages"], result["messages"])
        deals.with_context(active_test=False).write({"active": True})
        self.env.flush_all()
        self.assertEqual(deals.mapped("probability"), [30.0, 30.0])
        self.assertEqual(sum(deals.mapped("prorated_revenue")), 600.0)
        [(count, forecast)] = self.env["crm.forecast.report"]._read_group(
            [("lead_id", "in", deals.ids)], [], ["__count", "forecast_revenue:sum"]
        )
        self.assertEqual((count, forecast), (2, 600.0))
