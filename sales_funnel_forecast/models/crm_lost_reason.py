# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .. import engine
from ..const import LOSS_CATEGORIES


class CrmLostReason(models.Model):
    _inherit = "crm.lost.reason"

    category = fields.Selection(
        LOSS_CATEGORIES,
        required=True,
        default="other",
        help="Why prospects drop out, in groups the loss report can count.",
    )

    @api.model
    def _sff_guess_categories(self):
        """Reasons created before the module get a category from their name
        where it is obvious ("Too expensive" is price), "other" otherwise."""
        reasons = self.with_context(active_test=False, lang="en_US").search(
            [("category", "=", "other")]
        )
        for reason in reasons:
            category = engine.guess_loss_category(reason.name)
            if category != "other":
                reason.category = category
