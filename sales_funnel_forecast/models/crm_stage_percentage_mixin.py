# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang

from .. import engine


class CrmStagePercentageMixin(models.AbstractModel):
    """What stages and the catalogues' steps share: a percentage, won or
    not, and the forecast category they give their deals (each model
    declares the fields ``forecast_probability``, ``is_won``,
    ``forecast_category`` and ``name`` in its own words)."""

    _name = "crm.stage.percentage.mixin"
    _description = "Stage Percentage and Forecast Category"

    @api.model_create_multi
    def create(self, vals_list):
        # an empty category (an import's empty cell): the percentage's
        vals_list = [
            {key: value for key, value in vals.items() if key != "forecast_category" or value}
            for vals in vals_list
        ]
        return super().create(vals_list)

    def write(self, vals):
        if "forecast_category" in vals and not vals["forecast_category"]:
            # the category cleared (an import's empty cell, a mass edit):
            # each takes its percentage's again
            vals = {key: value for key, value in vals.items() if key != "forecast_category"}
            result = super().write(vals) if vals else True
            # one write per category (a stage's write aligns its deals)
            for category, records in self.grouped(
                lambda record: engine.stage_forecast_category(
                    record.forecast_probability, record.is_won
                )
            ).items():
                records.forecast_category = category
            return result
        return super().write(vals)

    @api.depends("is_won", "forecast_probability")
    def _compute_forecast_category(self):
        """The forecast category of stages (or catalogue steps) by default: a
        new one takes its percentage's (and follows it while it is being made),
        a won one is Closed (Won), one that stops being won takes its
        percentage's; otherwise the category is the manager's."""
        for record in self:
            if record.is_won or not record._origin or record.forecast_category in (False, "closed"):
                record.forecast_category = engine.stage_forecast_category(
                    record.forecast_probability, record.is_won
                )

    @api.constrains("forecast_category", "is_won")
    def _check_forecast_category(self):
        """A won stage (or catalogue step) is Closed, and only a won one."""
        for record in self:
            if record.is_won and record.forecast_category != "closed":
                raise ValidationError(
                    self.env._(
                        "“%(stage)s” is where a deal is won: its forecast category is Closed (Won).",
                        stage=record.name,
                    )
                )
            if not record.is_won and record.forecast_category == "closed":
                raise ValidationError(
                    self.env._(
                        "Only the stage where a deal is won is Closed (Won): choose Pipeline, Best Case, "
                        "Commit or Omitted for “%(stage)s”.",
                        stage=record.name,
                    )
                )

    @api.constrains("forecast_probability", "is_won")
    def _check_forecast_probability(self):
        """Percentages of stages (or catalogue steps) lie in 0..100, and a won
        one is 100."""
        for record in self:
            if not engine.check_percentage(record.forecast_probability):
                raise ValidationError(
                    self.env._(
                        "The percentage of “%(stage)s” must be between 0 and 100 (it is %(value)s).",
                        stage=record.name,
                        # as the field shows it, in the user's notation
                        value=formatLang(
                            self.env,
                            record.forecast_probability,
                            digits=record._fields["forecast_probability"].get_digits(self.env)[1],
                        ),
                    )
                )
            if not record.is_won and record.forecast_probability >= 100.0:
                raise ValidationError(
                    self.env._(
                        "Only the stage where a deal is won can be at 100 %%: lower "
                        "the percentage of “%(stage)s” or mark it as won.",
                        stage=record.name,
                    )
                )
            if record.is_won and record.forecast_probability != 100.0:
                raise ValidationError(
                    self.env._(
                        "“%(stage)s” is where a deal is won: its percentage must be 100.",
                        stage=record.name,
                    )
                )
