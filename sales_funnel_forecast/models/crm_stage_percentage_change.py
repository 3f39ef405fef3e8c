# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError


class CrmStagePercentageChange(models.Model):
    """A change of a stage's percentage: who made it, when, from what to
    what, and on what evidence when it was accepted from the stage's win
    rate (``crm.stage.percentage.proposal``). Written by the stages
    themselves (``crm.stage._sff_log_percentage_changes``)."""

    _name = "crm.stage.percentage.change"
    _description = "Stage Percentage Change"
    _order = "date desc, id desc"
    _rec_name = "stage_id"

    stage_id = fields.Many2one(
        "crm.stage", required=True, readonly=True, index=True, ondelete="cascade"
    )
    date = fields.Datetime(required=True, readonly=True, default=lambda self: self.env.cr.now())
    user_id = fields.Many2one(
        "res.users",
        string="Changed By",
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="set null",
    )
    old_percentage = fields.Float(string="From (%)", digits=(16, 2), readonly=True)
    new_percentage = fields.Float(string="To (%)", digits=(16, 2), readonly=True)
    origin = fields.Selection(
        [("manual", "Edited"), ("win_rate", "Win rate accepted")],
        required=True,
        readonly=True,
        default="manual",
    )
    win_rate = fields.Float(
        string="Win Rate (%)",
        digits=(16, 1),
        readonly=True,
        help="The stage's win rate over the last 12 months when the change was accepted from it.",
    )
    closed_count = fields.Integer(
        string="Closed Deals",
        readonly=True,
        help="Deals that reached the stage and were won or lost in the 12 months the win rate covers.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The history of stage percentages is written when a percentage changes; "
                    "it cannot be created by hand."
                )
            )
        return super().create(vals_list)
