# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amounts at their edges: currencies of 0 and 3 decimals, sums of
floats that meet a quota exactly, a refund deal won."""

import io
from datetime import datetime

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestAmountEdges(FunnelCase):
    def test_kwd_forecast_to_the_fils(self):
        """KWD has 3 decimals: 1.235 KWD at 50 % is 0.6175, 0.618 (or
        0.617) to the fils; never 0.620."""
        _currency, company, team, stage = self.currency_team("KWD")
        deal = self.company_deal("Fils", company, team, stage, 1.235)
        self.env.flush_all()
        self.assertEqual(deal.expected_revenue, 1.235)
        self.assertAlmostEqual(deal.forecast_revenue, 0.618, places=3)

    def test_jpy_forecast_same_by_every_path(self):
        """JPY has no decimals: 1,000 JPY at 33.33 % is 333 JPY on the deal
        whether the percentage came with the stage when the deal was
        created or from a manager's edit of the stage percentage."""
        _currency, company, team, stage = self.currency_team("JPY")
        before = self.company_deal("Before", company, team, stage, 1000)
        self.env.flush_all()
        stage.forecast_probability = 33.33  # the manager edits the stage
        self.env.flush_all()
        self.env.invalidate_all()
        after = self.company_deal("After", company, team, stage, 1000)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual((before.probability, after.probability), (33.33, 33.33))
        self.env.cr.execute(
            "SELECT id, forecast_revenue FROM crm_lead WHERE id IN %s ORDER BY id",
            [(before.id, after.id)],
        )
        stored = dict(self.env.cr.fetchall())
        self.assertEqual((stored[before.id], stored[after.id]), (333.0, 333.0))

    def test_forecast_screen_team_gap_met_quota(self):
        """The team's quota is 4,000.30 this month; Rita won 1,500.10 and
        Otto 2,500.20: the quota is met exactly, gap 0.00 and no coverage
        (nothing left to cover), not a coverage of 10^15."""
        self.team.invoiced_target = 4000.30
        for user, amount in ((self.rep, 1500.10), (self.other_rep, 2500.20)):
            deal = self.make_deal(f"Won by {user.name}", self.s_proposal, amount, user_id=user.id)
            deal.action_set_won()
        self.make_deal(
            "Open", self.s_proposal, 1000, date_deadline=fields.Date.today(), user_id=self.rep.id
        )
        self.end_request()
        params = {"team_id": self.team.id, "period_type": "month"}
        screen = (
            self.env["crm.forecast.submission"].with_user(self.manager).get_forecast_screen(params)
        )
        team = screen["team_line"]
        self.assertIsNone(team["coverage"], f"gap {team['gap']!r}, won {team['won']!r}")
        self.assertEqual((team["quota"], team["won"], team["gap"]), (4000.30, 4000.30, 0.0))

    def test_forecast_screen_team_gap_no_minus_zero(self):
        """The team's quota is 30,000.30; Rita won 10,000.10 and Otto
        20,000.20: the printed gap is 0.00, not -0.00."""
        self.team.invoiced_target = 30000.30
        for user, amount in ((self.rep, 10000.10), (self.other_rep, 20000.20)):
            deal = self.make_deal(f"Won by {user.name}", self.s_proposal, amount, user_id=user.id)
            deal.action_set_won()
        self.end_request()
        params = {"team_id": self.team.id, "period_type": "month"}
        screen = (
            self.env["crm.forecast.submission"].with_user(self.manager).get_forecast_screen(params)
        )
        team = screen["team_line"]
        html = self.print_screen(params)
        self.assertNotIn("-0.00", html)  # the PDF rounds it away
        # the spreadsheet's "Gap to Quota" of the team's row: Excel writes
        # -3.6e-12 as "-0.00" with #,##0.00; the screen's formatMonetary
        # ((-3.6e-12).toFixed(2)) writes "-0.00" too
        content, _name = (
            self.env["crm.forecast.submission"].with_user(self.manager)._sff_forecast_xlsx(params)
        )
        book = openpyxl.load_workbook(io.BytesIO(content))
        rows = {
            row[0].value: [cell.value for cell in row]
            for row in book["Forecast by salesperson"].iter_rows(min_row=4)
        }
        [team_row] = [values for name, values in rows.items() if name and "(team)" in name]
        self.assertEqual(team_row[6], 0, f"gap cell {team_row[6]!r}")
        self.assertEqual((team["won"], team["gap"]), (30000.30, 0.0))

    def test_accuracy_export_negative_won_is_na(self):
        """Last month the team only won a deal of -500 (a refund deal; Odoo
        allows negative expected revenue). The accuracy pivot leaves its
        accuracy and optimism empty (n/a); the PDF and spreadsheet say the
        same, not 0 % and 0.00."""
        first = fields.Date.today().replace(day=1) - relativedelta(months=1)
        deal = self.make_deal("Refund", self.s_proposal, -500)
        deal.action_set_won()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s",
            [datetime.combine(first, datetime.min.time()).replace(day=10, hour=12), deal.id],
        )
        self.env.invalidate_all()
        self.env["crm.pipeline.snapshot"]._sff_take([first])
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        lines = self.env["crm.forecast.accuracy.report"].search(
            [
                ("team_id", "=", self.team.id),
                ("date_from", "=", first),
                ("period_type", "=", "month"),
                ("lead_days", "=", 0),
                ("actual_amount", "!=", 0),
            ]
        )
        self.assertTrue(lines)
        self.assertEqual(set(lines.mapped("actual_amount")), {-500.0})
        self.env.cr.execute(
            "SELECT count(*) FROM crm_forecast_accuracy_report WHERE id IN %s AND accuracy IS NULL",
            [tuple(lines.ids)],
        )
        self.assertEqual(self.env.cr.fetchone()[0], len(lines))  # n/a in the pivot
        params = {"team_id": self.team.id, "period_type": "month"}
        values = (
            self.env["crm.forecast.submission"].with_user(self.manager)._sff_export_values(params)
        )
        exported = [line for line in values["accuracy"] if line["period"] == first]
        self.assertTrue(exported)
        self.assertEqual(
            {(line["accuracy"], line["optimism"]) for line in exported}, {(None, None)}
        )
