# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

import openpyxl

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestFirstRun(FunnelCase):
    """A team, a company or a database without deals yet: every screen,
    print and spreadsheet says in words that there is nothing to show."""

    def test_spreadsheet_forecast_of_no_open_deal(self):
        """The funnel's spreadsheet of a team without any deal: its Forecast
        sheet says "No open deal." and draws no table of zeros under a
        "No date" month; the note took the place of the first total's
        label, so the sheet read "No open deal. | Stage-weighted | 0"."""
        params = {"team_id": self.team.id, "period": "all"}
        content = self.env["crm.funnel.dashboard"].with_user(self.manager)._sff_xlsx(params)[0]
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Forecast"]
        rows = [
            [cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)
        ]
        rows = [row for row in rows if row]
        self.assertEqual(
            rows,
            [
                ["Forecast"],
                [f"Open deals by expected closing month, {self.team.name}"],
                ["No open deal."],
            ],
        )
