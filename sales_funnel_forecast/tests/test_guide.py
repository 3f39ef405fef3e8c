# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The user guide (readme/CONFIGURE.md, readme/USAGE.md) followed to the
letter: what it says a user sees, on the path it names."""

from odoo.tests import tagged

from .. import engine
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestGuide(FunnelCase):
    def test_new_stage_halfway_rounds_half_up_as_by_hand(self):
        """USAGE: "A new stage proposes the value halfway between its
        neighbours; a stage that stops being the won stage takes one the
        same way" (whole percents, as the win rates' proposal rounds them).
        Halfway between 10 and 15 is 12.5: 13 by hand, as halfway between
        15 and 20 (17.5) is 18; the proposal gave 12 (Python's round, half
        to even). After a last open stage at 65, the former won stage is
        halfway to 100: 82.5, 83 (it got 82)."""
        # the team's pipeline is its own four stages only
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.s_qualified.forecast_probability = 15
        # same sequence as T-Qualified, a name before: between 10 and 15
        low = self.env["crm.stage"].create(
            {"name": "A-Low", "sequence": 902, "team_id": self.team.id}
        )
        self.assertEqual(low.forecast_probability, 13.0)
        self.s_proposal.forecast_probability = 20
        # after T-Qualified (15), before T-Proposal (20)
        high = self.env["crm.stage"].create(
            {"name": "U-High", "sequence": 902, "team_id": self.team.id}
        )
        self.assertEqual(high.forecast_probability, 18.0)
        self.s_proposal.forecast_probability = 65
        self.s_won.is_won = False
        self.assertEqual(self.s_won.forecast_probability, 83.0)
        # the install spreads unknown stages between their neighbours alike
        self.assertEqual(
            engine.fill_percentages([(10, False), (None, False), (15, False), (None, True)]),
            [10.0, 13.0, 15.0, 100.0],
        )
