# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model_create_multi
    def create(self, vals_list):
        self._sff_check_deal_access(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._sff_check_deal_access([vals])
        return super().write(vals)

    def _sff_check_deal_access(self, vals_list):
        """An order linked to a deal moves the deal on when confirmed (as the
        superuser: a deal handed to a colleague since follows its orders):
        the link itself is made to a deal the user reads."""
        if self.env.su:
            return
        deals = self.env["crm.lead"].browse(
            {vals["opportunity_id"] for vals in vals_list if vals.get("opportunity_id")}
        )
        deals.check_access("read")

    def action_confirm(self):
        result = super().action_confirm()
        self.opportunity_id._sff_follow_documents("order")
        return result
