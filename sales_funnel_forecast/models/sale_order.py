# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # An order linked to a deal moves the deal on when confirmed (as the
    # superuser: a deal handed to a colleague since follows its orders): the
    # link itself is made to a deal the user reads, given in the values or
    # as the context's default.
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        if not self.env.su:
            orders.opportunity_id.check_access("read")
        return orders

    def write(self, vals):
        if vals.get("opportunity_id") and not self.env.su:
            self.env["crm.lead"].browse(vals["opportunity_id"]).check_access("read")
        return super().write(vals)

    def action_confirm(self):
        result = super().action_confirm()
        self.opportunity_id._sff_follow_documents("order")
        return result
