# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The funnel's figures on histories a person can count by hand, read from
the dashboard, the pivots and their totals, by readers in several time
zones."""

from datetime import datetime

from odoo.tests import tagged

from ..const import TZ_PARAM
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestFunnelHistories(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")
        cls.team.member_ids = cls.rep | cls.other_rep

    def test_dashboard_month_is_the_same_for_every_reader(self):
        """Totals' time zone Paris (UTC+2 since March 29, 2026). Two deals
        created in Prospect on March 31, 2026, at 19:00 UTC (21:00 in
        Paris) and 21:00 UTC (23:00 in Paris, 06:00 on April 1 in Tokyo).
        At 21:30 UTC (23:30 in Paris, April 1 in Tokyo) the current month
        is March, its days counted in Paris: the dashboard's "this month"
        shows both deals in Prospect for a reader in Tokyo as for one in
        Paris, and a click on the stage opens both deals."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Europe/Paris")
        self.clock_at(datetime(2026, 3, 31, 19))
        early = self.make_deal("Paris evening", self.s_new, 1000)
        self.clock_at(datetime(2026, 3, 31, 21))
        late = self.make_deal("Paris late evening", self.s_new, 2000)
        self.end_request()
        self.clock_at(datetime(2026, 3, 31, 21, 30))
        params = {"team_id": self.team.id, "period": "this_month"}
        for reader in ("Europe/Paris", "Asia/Tokyo"):
            Dashboard = self.env["crm.funnel.dashboard"].with_context(tz=reader)
            data = Dashboard.get_funnel_dashboard(params)
            self.assertEqual((data["date_from"], data["date_to"]), ("2026-03-01", "2026-04-01"))
            [funnel] = data["funnels"]
            prospect = funnel["stages"][0]
            self.assertEqual(
                (prospect["stage_id"], prospect["reached"], prospect["reached_amount"]),
                (self.s_new.id, 2, 3000.0),
                reader,
            )
            action = Dashboard.get_stage_deals_action(params, self.s_new.id)
            [(_field, _operator, lead_ids)] = action["domain"]
            self.assertEqual(set(lead_ids), {early.id, late.id}, reader)
