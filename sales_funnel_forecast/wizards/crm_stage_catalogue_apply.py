# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmStageCatalogueApply(models.TransientModel):
    """Create a sales team's pipeline stages from a stage catalogue."""

    _name = "crm.stage.catalogue.apply"
    _description = "Apply a Stage Catalogue to a Sales Team"

    catalogue_id = fields.Many2one(
        "crm.stage.catalogue",
        required=True,
        default=lambda self: self.env["crm.stage.catalogue"].search([], limit=1),
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        required=True,
        default=lambda self: self.env["crm.team"].search([], limit=1),
    )
    line_ids = fields.One2many(related="catalogue_id.line_ids", string="Steps")
    existing_stage_count = fields.Integer(compute="_compute_existing_stage_count")
    shared_stage_deal_count = fields.Integer(compute="_compute_existing_stage_count")

    @api.depends("team_id")
    def _compute_existing_stage_count(self):
        Stage = self.env["crm.stage"]
        Lead = self.env["crm.lead"]
        for wizard in self:
            if not wizard.team_id:
                wizard.existing_stage_count = wizard.shared_stage_deal_count = 0
                continue
            wizard.existing_stage_count = Stage.search_count([("team_id", "=", wizard.team_id.id)])
            wizard.shared_stage_deal_count = Lead.search_count(
                [
                    ("team_id", "=", wizard.team_id.id),
                    ("type", "=", "opportunity"),
                    ("stage_id.team_id", "=", False),
                ]
            )

    def action_apply(self):
        self.ensure_one()
        lines = self.catalogue_id.line_ids
        if not lines:
            raise UserError(
                self.env._("Catalogue “%(name)s” has no steps.", name=self.catalogue_id.name)
            )
        if not lines.filtered("is_won"):
            raise UserError(
                self.env._("Catalogue “%(name)s” has no won step.", name=self.catalogue_id.name)
            )
        stages = self._apply_lines(lines)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stages of %(team)s", team=self.team_id.name),
            "res_model": "crm.stage",
            "view_mode": "list,form",
            "domain": [("id", "in", stages.ids)],
            "context": {"default_team_id": self.team_id.id},
        }

    def _apply_lines(self, lines):
        """Create (or update, when the team already has a stage of that name,
        archived ones too) one stage per step, with the step's names in every
        installed language, and make them the team's whole pipeline: the
        team's other stages are archived, but those that still hold deals
        (they show while they do)."""
        Stage = self.env["crm.stage"]
        existing = {
            stage.name: stage
            for stage in Stage.with_context(active_test=False).search(
                [("team_id", "=", self.team_id.id)], order="active desc, sequence, id desc"
            )[::-1]
        }
        languages = [code for code, _name in self.env["res.lang"].get_installed()]
        stages = Stage
        sequence = None
        for line in lines:
            # the steps' order, which the kanban orders by sequence then name:
            # a step at the sequence of the one before comes after it
            sequence = line.sequence if sequence is None else max(line.sequence, sequence + 1)
            values = {
                "name": line.name,
                "sequence": sequence,
                "forecast_probability": line.forecast_probability,
                "is_won": line.is_won,
                "forecast_category": line.forecast_category,
                "fold": line.fold,
                "requirements": line.requirements,
                "document_trigger": line.document_trigger,
                "team_id": self.team_id.id,
                "active": True,
                "catalogue_line_id": line.id,
            }
            stage = existing.get(line.name)
            if stage:
                stage.write(values)
            else:
                stage = Stage.create(values)
            stage.update_field_translations(
                "name", {code: line.with_context(lang=code).name for code in languages}
            )
            stages |= stage
        self.team_id.with_context(
            sff_applying_catalogue=True
        ).stage_catalogue_id = self.catalogue_id
        # another catalogue's steps, or the team's own stages: no longer its
        # pipeline (a stage that holds deals stays until they move on)
        others = Stage.search([("team_id", "=", self.team_id.id), ("id", "not in", stages.ids)])
        held = set(
            # sudo: every deal of the team, not only those the user reads
            self.env["crm.lead"]
            .sudo()
            ._read_group(
                [("stage_id", "in", others.ids), ("type", "=", "opportunity")], ["stage_id"]
            )
        )
        others.filtered(lambda stage: (stage,) not in held).write({"active": False})
        return stages
