# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .. import engine

LOSS_CATEGORIES = [
    ("bad_contact", "Bad or no contact information"),
    ("no_response", "No response"),
    ("not_attempted", "Never attempted"),
    ("wrong_person", "Wrong person"),
    ("unqualified", "Unqualified"),
    ("competitor", "Lost to a competitor"),
    ("price", "Price"),
    ("timing", "Timing"),
    ("no_budget", "No budget"),
    ("stalled", "Stalled"),
    ("other", "Other"),
]
# categories of a prospect that was never a real buyer: a deal lost for one
# of them is disqualified
DISQUALIFYING_CATEGORIES = ("bad_contact", "no_response", "not_attempted", "wrong_person",
                            "unqualified")


class CrmLostReason(models.Model):
    _inherit = "crm.lost.reason"

    category = fields.Selection(
        LOSS_CATEGORIES, required=True, default="other",
        help="Why prospects drop out, in groups the loss report can count.",
    )

    @api.model
    def _sff_guess_categories(self):
        """Reasons created before the module get a category from their name
        where it is obvious ("Too expensive" is price), "other" otherwise."""
        reasons = self.with_context(active_test=False, lang="en_US").search([("category", "=", "other")])
        for reason in reasons:
            category = engine.guess_loss_category(reason.name)
            if category != "other":
                reason.category = category
