# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestHistoryFigures(FunnelCase):
    """The figures of the deals' past (versions, slips, deal flow,
    snapshots, accuracy) on small stories counted by hand."""

    def test_date_given_again_in_a_transaction_that_changed_the_deal_first(self):
        """A deal expected on March 20 has its date emptied on March 10; on
        March 12 one transaction moves it to Proposal, then gives it April
        30 (two writes, as a server action setting the date on a stage
        change does): it slipped 41 days, out of March, as when the date
        alone is given again."""
        self.set_now(datetime(2026, 3, 1, 9))
        deal = self.make_deal("Cleared", self.s_qualified, 5000, date_deadline=date(2026, 3, 20))
        self.set_now(datetime(2026, 3, 10, 9))
        deal.date_deadline = False
        self.set_now(datetime(2026, 3, 12, 9))
        deal.stage_id = self.s_proposal
        self.env.flush_all()
        deal.date_deadline = date(2026, 4, 30)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(
            [
                (v.valid_from, v.date_deadline, v.slip_days)
                for v in deal.forecast_version_ids.sorted("valid_from")
            ],
            [
                (datetime(2026, 3, 1, 9), date(2026, 3, 20), 0),
                (datetime(2026, 3, 10, 9), False, 0),
                (datetime(2026, 3, 12, 9), date(2026, 4, 30), 41),
            ],
        )
        self.assertEqual((deal.slip_count, deal.slip_days), (1, 41))
        [line] = self.env["crm.forecast.slippage.report"].search(
            [("lead_id", "=", deal.id), ("date_period", "=", date(2026, 3, 1))]
        )
        self.assertEqual((line.slipped, line.slip_days), (True, 41))
