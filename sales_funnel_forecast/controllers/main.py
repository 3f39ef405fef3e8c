# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request

from ..const import XLSX_MIMETYPE


class FunnelExport(http.Controller):
    @http.route("/sales_funnel_forecast/funnel.xlsx", type="http", auth="user", readonly=True)
    def funnel_xlsx(self, params="{}"):
        """The funnel spreadsheet of the parameters (JSON, as the dashboard
        sends them), built on a read-only cursor (a replica's when the
        server has one)."""
        try:
            values = json.loads(params)
        except (ValueError, RecursionError) as error:
            raise UserError(
                request.env._("The funnel's parameters are not readable: %(error)s", error=error)
            ) from error
        content, name = request.env["crm.funnel.dashboard"]._sff_xlsx(values)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Disposition", content_disposition(name)),
            ],
        )

    @http.route("/sales_funnel_forecast/forecast.xlsx", type="http", auth="user", readonly=True)
    def forecast_xlsx(self, params="{}"):
        """The Forecast screen's spreadsheet, on a read-only cursor."""
        try:
            values = json.loads(params)
        except (ValueError, RecursionError) as error:
            raise UserError(
                request.env._("The forecast's parameters are not readable: %(error)s", error=error)
            ) from error
        content, name = request.env["crm.forecast.submission"]._sff_forecast_xlsx(values)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Disposition", content_disposition(name)),
            ],
        )
