# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ResCurrency(models.Model):
    _inherit = "res.currency"

    def write(self, vals):
        rounding = "rounding" in vals or "decimal_places" in vals
        if rounding:
            # the deals' weighted amounts round to it
            # (crm.lead._sff_currency_decimals): computed again during the
            # write, read again by every server after it
            self.env.registry.clear_cache()
        result = super().write(vals)
        if rounding:
            self.env.registry.clear_cache()
        return result
