# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class FunnelReportMixin(models.AbstractModel):
    """Report views with a ``lead_id`` column: filters on the products of the
    deal's quotations and on its customer's tags."""

    _name = "crm.funnel.report.mixin"
    _inherit = ["crm.report.query.mixin", "crm.deal.filter.mixin"]
    _description = "Sales Funnel Report Filters"
