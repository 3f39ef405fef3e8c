# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import sql as sql_tools

from .. import engine


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

    active = fields.Boolean(
        default=True,
        help="Archived stages no longer show in pipelines; the stage history "
        "of the deals that went through them is kept.",
    )
    forecast_probability = fields.Float(
        string="Stage Percentage",
        digits=(16, 2),
        help="Share of the deal's amount counted in the forecast while the "
        "deal sits in this stage. A deal entering the stage takes this "
        "probability. Won stages are always 100 %. A new stage proposes the "
        "value halfway between its neighbours.",
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
        # yet (NULL): the post-install hook gives them one.
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

    @api.onchange("is_won", "team_id")
    def _onchange_propose_percentage(self):
        if self.is_won:
            self.forecast_probability = 100.0
        elif not self._origin or self._origin.is_won:
            # a new stage, or a won stage no longer won: from its neighbours
            self.forecast_probability = self._sff_propose_percentage(
                self.team_id.id, self.sequence, exclude_id=self._origin.id,
            )

    # ------------------------------------------------------------------
    # Pipelines and percentages
    # ------------------------------------------------------------------
    @api.model
    def _sff_pipeline_domain(self, team_id):
        """Stages of a team's pipeline: its own and the shared ones, as in
        plain Odoo, or only its own once a stage catalogue was applied."""
        team = self.env["crm.team"].browse(team_id)
        if team and team.stage_catalogue_id:
            return [("team_id", "=", team.id)]
        if team:
            return ["|", ("team_id", "=", False), ("team_id", "=", team.id)]
        return [("team_id", "=", False)]

    @api.model
    def _sff_propose_percentage(self, team_id, sequence, exclude_id=None):
        """Percentage for a stage placed at ``sequence`` in the pipeline of
        ``team_id``: halfway between the open stages around it."""
        domain = self._sff_pipeline_domain(team_id) + [("is_won", "=", False)]
        if exclude_id:
            domain.append(("id", "!=", exclude_id))
        stages = self.search(domain).sorted(lambda s: engine.stage_order_key(s.sequence, s.id))
        # a stage being created comes after those of the same sequence
        before = stages.filtered(lambda s: (s.sequence or 0) <= (sequence or 0))
        after = stages - before
        return engine.propose_percentage(
            before[-1:].forecast_probability if before else None,
            after[:1].forecast_probability if after else None,
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("is_won"):
                vals.setdefault("forecast_probability", 100.0)
            elif "forecast_probability" not in vals:
                team_id = vals.get("team_id", self.env.context.get("default_team_id"))
                vals["forecast_probability"] = self._sff_propose_percentage(
                    team_id, vals.get("sequence", self.default_get(["sequence"]).get("sequence", 1)),
                )
        return super().create(vals_list)

    def write(self, vals):
        unwon = self.browse()
        if "is_won" in vals and "forecast_probability" not in vals:
            if vals["is_won"]:
                vals = dict(vals, forecast_probability=100.0)
            else:
                # a stage that stops being the won stage takes a percentage
                # from its neighbours instead of failing on 100 %
                unwon = self.filtered("is_won")
        for stage in unwon:
            super(CrmStage, stage).write(dict(vals, forecast_probability=self._sff_propose_percentage(
                stage.team_id.id, stage.sequence, exclude_id=stage.id,
            )))
        result = super(CrmStage, self - unwon).write(vals) if self - unwon else True
        if "forecast_probability" in vals or "is_won" in vals:
            # deals in these stages follow the new percentage (typed ones hold)
            self.env["crm.lead"]._sff_align_probability_to_stage(stage_ids=self.ids)
        return result

    def action_archive(self):
        open_deals = self.env["crm.lead"].sudo().search_count(
            # sudo: counting every deal, not only those the user can read
            [("stage_id", "in", self.ids), ("active", "=", True)]
        )
        if open_deals:
            raise UserError(self.env._(
                "%(count)s open deals are in the stages you are archiving: move "
                "them to another stage first.", count=open_deals,
            ))
        return super().action_archive()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_history(self):
        # sudo: the history of every deal counts, not only the readable ones
        History = self.env["crm.lead.stage.history"].sudo()
        for stage in self:
            passed = History.search_count(
                ["|", ("stage_id", "=", stage.id), ("previous_stage_id", "=", stage.id)]
            )
            if passed:
                raise UserError(self.env._(
                    "Stage “%(stage)s” is in the stage history of %(count)s deal "
                    "moves: deleting it would erase where those deals have been. "
                    "Archive it instead (Actions > Archive): it leaves the "
                    "pipelines and the history stays whole.",
                    stage=stage.name, count=passed,
                ))

    def _sff_stage_probability(self):
        """Probability a deal takes on entering this stage."""
        self.ensure_one()
        return engine.stage_probability(self.forecast_probability, self.is_won)
