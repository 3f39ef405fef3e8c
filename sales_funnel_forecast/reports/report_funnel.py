# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..tools.formats import count_text


class ReportFunnel(models.AbstractModel):
    """The PDF: the funnel of the parameters the print action carries (or,
    printed from the export wizard's records, of theirs)."""

    _name = "report.sales_funnel_forecast.report_funnel"
    _description = "Sales Funnel PDF"

    @api.model
    def _get_report_values(self, docids, data=None):
        Dashboard = self.env["crm.funnel.dashboard"]
        if data and data.get("sff_params") is not None:
            params_list = [data["sff_params"]]
        else:
            params_list = [
                wizard._sff_params() for wizard in self.env["crm.funnel.export"].browse(docids)
            ]
        return {
            "doc_ids": docids,
            "doc_model": "crm.funnel.export",
            "docs": [Dashboard._sff_pdf_values(params) for params in params_list],
            # the counts, as the language writes numbers (thousands separator)
            "count": lambda value: count_text(self.env, value),
        }
