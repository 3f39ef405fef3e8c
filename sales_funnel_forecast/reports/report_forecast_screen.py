# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ReportForecastScreen(models.AbstractModel):
    _name = "report.sales_funnel_forecast.report_forecast_screen"
    _description = "Forecast PDF"

    @api.model
    def _get_report_values(self, docids, data=None):
        params = (data or {}).get("sff_params") or {}
        return {
            "doc_ids": docids,
            "doc_model": "crm.forecast.submission",
            "docs": [self.env["crm.forecast.submission"]._sff_export_values(params)],
        }
