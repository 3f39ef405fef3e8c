# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo.exceptions import UserError
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

    def test_deal_flow_of_a_team_counts_the_deals_it_had(self):
        """Two deals of the team expected in March since February 20: H at
        1,000 and K at 500. On March 10 H is handed over to team B. The
        team's March pipeline on March 1 was H and K (1,500), as its
        snapshot of that day says; on April 1, K (500): H left it, pushed
        out. Team B's was empty on March 1 and has H on April 1: new. The
        salesperson who had H sees the same when H goes to a colleague.
        The Forecast screen's waterfall and the Deal Flow report say the
        same."""
        team_b = self.env["crm.team"].create({"name": "Team B"})
        self.set_now(datetime(2026, 2, 20, 10))
        handed = self.make_deal("H", self.s_qualified, 1000, date_deadline=date(2026, 3, 20))
        kept = self.make_deal("K", self.s_qualified, 500, date_deadline=date(2026, 3, 25))
        self.set_now(datetime(2026, 3, 10, 10))
        handed.write({"team_id": team_b.id, "user_id": self.other_rep.id})
        self.set_now(datetime(2026, 5, 1, 10))
        self.env["crm.pipeline.snapshot"]._sff_take([date(2026, 3, 1), date(2026, 4, 1)])
        snapshots = self.env["crm.pipeline.snapshot"]._read_group(
            [
                ("date_snapshot", "in", [date(2026, 3, 1), date(2026, 4, 1)]),
                ("deadline_month", "=", date(2026, 3, 1)),
                ("team_id", "in", (self.team | team_b).ids),
            ],
            ["date_snapshot:day", "team_id"],
            ["deal_count:sum", "expected_revenue:sum"],
        )
        self.assertEqual(
            sorted((day, team.name, count, amount) for day, team, count, amount in snapshots),
            [
                (date(2026, 3, 1), "Funnel Test Team", 2, 1500.0),
                (date(2026, 4, 1), "Funnel Test Team", 1, 500.0),
                (date(2026, 4, 1), "Team B", 1, 1000.0),
            ],
        )
        nothing = (0, 0.0)

        def flow(**scope):
            wizard = self.env["crm.deal.flow.wizard"].create(
                dict(scope, date_from=date(2026, 3, 1), date_to=date(2026, 4, 1))
            )
            return {
                step.step: (step.deal_count, step.amount)
                for step in wizard.step_ids
                if (step.deal_count, step.amount) != nothing
            }

        self.assertEqual(
            flow(team_id=self.team.id),
            {"start": (2, 1500.0), "pushed_out": (1, 1000.0), "end": (1, 500.0)},
        )
        self.assertEqual(flow(team_id=team_b.id), {"new": (1, 1000.0), "end": (1, 1000.0)})
        self.assertEqual(
            flow(user_id=self.rep.id),
            {"start": (2, 1500.0), "pushed_out": (1, 1000.0), "end": (1, 500.0)},
        )
        self.assertEqual(flow(user_id=self.other_rep.id), {"new": (1, 1000.0), "end": (1, 1000.0)})
        # as the deals' method gives it
        figures = self.env["crm.lead"].sff_deal_flow(
            date(2026, 3, 1), date(2026, 4, 1), team_id=self.team.id
        )
        self.assertEqual(
            (figures["start"], figures["pushed_out"], figures["end"]),
            ((2, 1500.0), (1, 1000.0), (1, 500.0)),
        )
        with self.assertRaisesRegex(UserError, "The sales team is given by its id"):
            self.env["crm.lead"].sff_deal_flow("2026-03-01", "2026-04-01", team_id="Team B")
        # the Forecast screen of the team for March, and its report
        Submission = self.env["crm.forecast.submission"]
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        screen = Submission.get_forecast_screen(params)
        self.assertEqual(
            {bar["step"]: (bar["count"], bar["amount"]) for bar in screen["flow"] if bar["count"]},
            {"start": (2, 1500.0), "pushed_out": (1, 1000.0), "end": (1, 500.0)},
        )
        action = Submission.action_forecast_flow_step(params, "pushed_out")
        rows = self.env["crm.deal.flow.report"].search(action["domain"])
        self.assertEqual(
            [(row.lead_id, row.amount, row.end_amount) for row in rows], [(handed, 1000.0, 1000.0)]
        )
        self.assertEqual(kept.team_id, self.team)
