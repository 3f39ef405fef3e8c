# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's screens as a browser shows them."""

from odoo.tests import HttpCase, tagged

from .common import team_and_deal


@tagged("post_install", "-at_install")
class TestBrowser(HttpCase):
    def test_deal_form_lines_read_as_sentences(self):
        # a deal stalled on 2 March at 15:45, its last activity 5 days ago: the
        # banner says "Stalled since 03/02/2026: 4 days past ...", on one line,
        # and "· last activity 5 days ago" stays beside the call summary
        _team, deal = team_and_deal(self.env, "SFF Lines Deal", expected_revenue=1000)
        deal.stage_id.stall_days = 10
        self.env.cr.execute(
            """UPDATE crm_lead
                  SET is_stalled = TRUE, stalled_date = '2026-03-02 15:45:00',
                      call_count = 3, call_attempt_count = 2,
                      date_last_activity = NOW() AT TIME ZONE 'UTC' - INTERVAL '5 days'
                WHERE id = %s""",
            [deal.id],
        )
        deal.invalidate_recordset()
        self.assertTrue(deal.is_stalled)
        self.start_tour(
            f"/odoo/crm/{deal.id}", "sales_funnel_forecast_deal_lines_tour", login="admin"
        )
