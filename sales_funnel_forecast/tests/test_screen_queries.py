# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The queries of a screen's load, on few records and on many: a screen
costs the same few queries whatever it shows (no query per deal, per
team, per line)."""

from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestScreenQueries(FunnelCase):
    def load(self, act):
        """The queries of ``act()``, loaded once before (the caches of the
        server warm, as after a first screen), the request's end
        included."""
        self.end_request()
        act()
        self.end_request()
        before = self.env.cr.sql_log_count
        result = act()
        self.end_request()
        return self.env.cr.sql_log_count - before, result

    def test_dashboard_of_every_team(self):
        """The funnel dashboard of every team shows each team's funnel
        beside its plan's: the plans are read together, not a few queries
        per team."""
        self.set_now(self.t0)
        shared = self.env["crm.stage"].search([("team_id", "=", False)], limit=1)
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        params = {
            "team_id": False,
            "period": "custom",
            "date_from": "2026-03-01",
            "date_to": "2026-04-01",
        }
        counts, teams = [], self.env["crm.team"]
        for size in (2, 10):
            added = self.env["crm.team"].create(
                [
                    {"name": f"Queries team {len(teams) + index}"}
                    for index in range(size - len(teams))
                ]
            )
            teams |= added
            for team in added:
                self.make_deal(f"Deal of {team.name}", shared, 1000, team_id=team.id)
                make_plan(
                    self.env,
                    team,
                    name=f"Plan of {team.name}",
                    date_from=date(2026, 1, 1),
                    date_to=date(2026, 12, 31),
                    stage_line_ids=[Command.create({"stage_id": shared.id, "conversion": 50})],
                )
            queries, data = self.load(lambda: Dashboard.get_funnel_dashboard(params))
            counts.append(queries)
            funnels = {funnel["team_id"]: funnel for funnel in data["funnels"]}
            # each team: its one deal reached the stage, as its plan expects
            # one deal there, of which it plans 50 % to move on
            for team in teams:
                [row] = funnels[team.id]["stages"]
                self.assertEqual(funnels[team.id]["plan_name"], f"Plan of {team.name}")
                self.assertEqual(
                    (row["reached"], row["plan_reached"], row["target_conversion"]),
                    (1, 1.0, 50.0),
                )
        self.assertEqual(counts[1], counts[0], counts)
