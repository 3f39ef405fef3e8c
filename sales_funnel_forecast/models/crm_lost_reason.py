# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import engine
from ..const import LOSS_CATEGORIES
from ..tools.formats import named


class CrmLostReason(models.Model):
    _name = "crm.lost.reason"
    _inherit = ["crm.lost.reason", "crm.import.empty.cell.mixin"]
    # an empty category cell: "Other" for a new reason, as the form gives
    _sff_empty_cell_fields = ("category",)

    category = fields.Selection(
        LOSS_CATEGORIES,
        required=True,
        default="other",
        help="Why prospects drop out, in groups the loss report can count.",
    )

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_stall_rules(self):
        # sudo: the rules of every stage, archived ones too, whoever deletes
        # the reasons
        stages = (
            self.env["crm.stage"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("stall_lost_reason_id", "in", self.ids),
                    ("stall_days", ">", 0),
                    ("stall_action", "=", "lose"),
                ]
            )
        )
        if stages:
            reason = stages[0].stall_lost_reason_id
            held = stages.filtered(lambda stage: stage.stall_lost_reason_id == reason)
            raise UserError(
                self.env._(
                    "Lost reason “%(reason)s” closes the stalled deals of stages "
                    "(%(stages)s): choose another reason in their stall rules first, or "
                    "archive the reason.",
                    reason=reason.name,
                    stages=named(held, "name"),
                )
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
