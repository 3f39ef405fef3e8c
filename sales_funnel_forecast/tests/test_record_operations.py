# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Operations beside a deal's usual life: duplicating deals, stages, teams,
plans; restoring, reopening, converting back; partner merges; deletions."""

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestRecordOperations(FunnelCase):
    def test_duplicated_stage_has_no_win_rate_of_its_own_deals_yet(self):
        """A stage duplicated (the stage form's Duplicate) counts its own
        deals: none closed in it yet, so the history-weighted forecast takes
        its percentage, not the win rate of the deals of the stage copied."""
        # 10 deals through Qualified (30 %), closed: 8 won, 2 lost (80 %)
        for index in range(10):
            deal = self.make_deal(f"Closed {index}", self.s_qualified, 1000)
            if index < 8:
                deal.action_set_won()
            else:
                deal.action_set_lost()
        self.env["crm.stage"]._cron_refresh_history_win_rates()
        self.assertEqual(
            (self.s_qualified.history_win_rate, self.s_qualified.history_closed_count), (80.0, 10)
        )
        copy = self.s_qualified.copy({"name": "T-Qualified (Partners)"})
        self.assertEqual(
            (
                copy.forecast_probability,
                copy.history_win_rate,
                copy.history_closed_count,
                copy.history_fallback,
                copy.history_weight,
            ),
            (30.0, 0.0, 0, True, 0.3),
        )
        deal = self.make_deal("In the copy", copy, 1000)
        row = self.env["crm.forecast.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(
            (row.history_probability, row.history_fallback, row.history_forecast_revenue),
            (30.0, True, 300.0),
        )

    def test_duplicated_lost_deal_is_a_new_open_deal(self):
        """A lost deal duplicated (to try the customer again) is a new deal
        in the team's first stage, open: not a second loss, counted at a
        stage the deal never was in, and not refused for its lost reason
        where the company asks for one."""
        self.company.crm_lost_reason_required = True
        reason = self.env["crm.lost.reason"].create({"name": "Copy: too early"})
        deal = self.make_deal("Lost once", self.s_proposal, 1000)
        deal.action_set_lost(lost_reason_id=reason.id)
        self.assertFalse(deal.active)
        copy = deal.with_user(self.rep).copy()
        first = (
            self.env["crm.lead"]
            .create({"name": "New here", "type": "opportunity", "team_id": self.team.id})
            .stage_id
        )
        self.assertEqual(
            (copy.active, copy.stage_id, copy.probability, copy.lost_reason_id),
            (True, first, first.forecast_probability, self.env["crm.lost.reason"]),
        )
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", copy.id)])
        self.assertEqual(
            [(row.stage_id, row.lost_here, row.open_here) for row in rows], [(first, 0, 1)]
        )
        lost = self.env["crm.funnel.report"].search(
            [("lead_id", "in", (deal | copy).ids), ("lost_here", "=", 1)]
        )
        self.assertEqual(lost.lead_id, deal)
        self.assertFalse(self.broken())

    def test_duplicated_catalogue_is_told_apart(self):
        """A stage catalogue duplicated (to adapt a copy) is named apart from
        its original in the team's choice of catalogues; its steps are the
        original's."""
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_simple")
        copy = catalogue.copy()
        self.assertEqual(copy.name, f"{catalogue.name} (copy)")
        self.assertEqual(copy.line_ids.mapped("name"), catalogue.line_ids.mapped("name"))
        self.assertEqual(catalogue.copy({"name": "Simple, partners"}).name, "Simple, partners")
