# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import sql as sql_tools

from .. import engine


def stage_probability_sql(alias):
    """SQL of ``engine.stage_probability`` for the ``crm_stage`` row
    ``alias``: 100 in a won stage, the stage percentage elsewhere."""
    return SQL(
        "(CASE WHEN %s THEN 100 ELSE COALESCE(%s, 0) END)",
        SQL.identifier(alias, "is_won"), SQL.identifier(alias, "forecast_probability"),
    )


def check_won_percentage(records):
    """Percentages of stages (or catalogue steps) lie in 0..100, and a won
    one is 100: shared by ``crm.stage`` and ``crm.stage.catalogue.line``."""
    for record in records:
        if not engine.check_percentage(record.forecast_probability):
            raise ValidationError(
                records.env._(
                    "The percentage of “%(stage)s” must be between 0 and 100 "
                    "(it is %(value)s).",
                    stage=record.name,
                    value=record.forecast_probability,
                )
            )
        if not record.is_won and record.forecast_probability >= 100.0:
            raise ValidationError(
                records.env._(
                    "Only the stage where a deal is won can be at 100 %%: lower "
                    "the percentage of “%(stage)s” or mark it as won.",
                    stage=record.name,
                )
            )
        if record.is_won and record.forecast_probability != 100.0:
            raise ValidationError(
                records.env._(
                    "“%(stage)s” is where a deal is won: its percentage must be 100.",
                    stage=record.name,
                )
            )


class CrmStage(models.Model):
    _inherit = "crm.stage"

    forecast_probability = fields.Float(
        string="Stage Percentage",
        default=10.0,
        digits=(16, 2),
        help="Share of the deal's amount counted in the forecast while the "
        "deal sits in this stage. A deal entering the stage takes this "
        "probability. Won stages are always 100 %.",
    )
    stall_days = fields.Integer(
        string="Stalls After (days)",
        default=0,
        help="A deal that stays longer than this in the stage is stalled. "
        "0 means deals never stall in this stage.",
    )
    stall_action = fields.Selection(
        selection=[
            ("flag", "Flag the deal"),
            ("exclude", "Take it out of the forecast"),
            ("move_back", "Move it back"),
            ("lose", "Close it as lost"),
        ],
        string="When Stalled",
        default="flag",
        required=True,
    )
    stall_move_back_steps = fields.Integer(
        string="Stages Back",
        default=1,
        help="How many stages a stalled deal is moved back.",
    )
    stall_lost_reason_id = fields.Many2one(
        "crm.lost.reason",
        string="Lost Reason When Stalled",
        ondelete="restrict",
        help="Reason recorded on deals closed as lost because they stalled.",
    )

    def _auto_init(self):
        # Stages that exist before the module is installed have no percentage
        # yet (NULL): the post-install hook gives them one. Stages created
        # later get the field default.
        if not sql_tools.column_exists(self.env.cr, self._table, "forecast_probability"):
            sql_tools.create_column(self.env.cr, self._table, "forecast_probability", "numeric")
        return super()._auto_init()

    @api.constrains("forecast_probability", "is_won")
    def _check_forecast_probability(self):
        check_won_percentage(self)

    @api.constrains("stall_days", "stall_move_back_steps", "stall_action")
    def _check_stall_rule(self):
        for stage in self:
            if stage.stall_days < 0:
                raise ValidationError(
                    self.env._(
                        "Stage “%(stage)s”: the number of days after which a "
                        "deal stalls cannot be negative (0 means never).",
                        stage=stage.name,
                    )
                )
            if stage.stall_action == "move_back" and stage.stall_move_back_steps < 1:
                raise ValidationError(
                    self.env._(
                        "Stage “%(stage)s”: a stalled deal must be moved back at "
                        "least one stage.",
                        stage=stage.name,
                    )
                )

    @api.onchange("is_won")
    def _onchange_is_won_probability(self):
        if self.is_won:
            self.forecast_probability = 100.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("is_won") and "forecast_probability" not in vals:
                vals["forecast_probability"] = 100.0
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_won") and "forecast_probability" not in vals:
            vals = dict(vals, forecast_probability=100.0)
        result = super().write(vals)
        if "forecast_probability" in vals:
            # deals in these stages follow the new percentage (typed ones hold)
            self.env["crm.lead"]._sff_align_probability_to_stage(stage_ids=self.ids)
        return result

    def _sff_stage_probability(self):
        """Probability a deal takes on entering this stage."""
        self.ensure_one()
        return engine.stage_probability(self.forecast_probability, self.is_won)
