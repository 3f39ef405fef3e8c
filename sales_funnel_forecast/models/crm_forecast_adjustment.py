# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmForecastAdjustment(models.Model):
    """A manager's figure for a submitted forecast, with the reason; kept
    beside the submission, which stays as it was submitted."""

    _name = "crm.forecast.adjustment"
    _description = "Forecast Adjustment"
    _order = "date desc, id desc"

    submission_id = fields.Many2one(
        "crm.forecast.submission", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="submission_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="submission_id.currency_id")
    commit_amount = fields.Monetary(string="Commit", required=True)
    best_case_amount = fields.Monetary(string="Best Case", required=True)
    reason = fields.Text(required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Adjusted By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    @api.model_create_multi
    def create(self, vals_list):
        # who adjusted, and when: the manager adding it, now
        if not self.env.su:
            for vals in vals_list:
                vals.update(user_id=self.env.uid, date=fields.Datetime.now())
        adjustments = super().create(vals_list)
        if not self.env.su and any(
            adjustment.submission_id.user_id == self.env.user for adjustment in adjustments
        ):
            # another manager's view of a salesperson's figure: a manager who
            # also sells submits their own figure again instead
            raise ValidationError(
                self.env._(
                    "Nobody adjusts their own forecast: submit it again with the new figures, "
                    "or ask another manager to adjust it."
                )
            )
        return adjustments

    @api.constrains("commit_amount", "best_case_amount")
    def _check_amounts(self):
        for adjustment in self:
            if (
                adjustment.commit_amount < 0
                or adjustment.best_case_amount < adjustment.commit_amount
            ):
                raise ValidationError(
                    self.env._("An adjusted Commit cannot be negative, nor the Best Case below it.")
                )
