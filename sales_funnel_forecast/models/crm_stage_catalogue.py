# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.exceptions import UserError, ValidationError

from ..tools.formats import named

# in the context while a catalogue is saved with its steps: the steps'
# own check of a won step waits for the catalogue's, on the steps it ends
# with (crm.stage.catalogue.line)
CATALOGUE_SAVING = "sff_catalogue_saving"


class CrmStageCatalogue(models.Model):
    """A ready-made sales process: the ordered steps of a pipeline with their
    percentages, applied to a sales team by the catalogue wizard."""

    _name = "crm.stage.catalogue"
    _description = "Stage Catalogue"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    line_ids = fields.One2many(
        "crm.stage.catalogue.line",
        "catalogue_id",
        string="Steps",
        copy=True,
    )
    step_count = fields.Integer(compute="_compute_step_count", string="Steps Count")

    @api.depends("line_ids")
    def _compute_step_count(self):
        for catalogue in self:
            catalogue.step_count = len(catalogue.line_ids)

    def copy_translations(self, new, excluded=()):
        result = super().copy_translations(new, excluded=excluded)
        if "name" not in excluded:
            # a catalogue duplicated is told apart from its original in the
            # teams' lists, in every language (as Odoo names a duplicated
            # product, "... (copy)")
            names = {}
            for code, _name in self.env["res.lang"].get_installed():
                original = self.with_context(lang=code)
                names[code] = original.env._("%s (copy)", original.name)
            new.update_field_translations("name", names)
        return result

    def write(self, vals):
        return super(CrmStageCatalogue, self.with_context(**{CATALOGUE_SAVING: True})).write(vals)

    @api.constrains("line_ids")
    def _check_won_step(self):
        for catalogue in self:
            if catalogue.line_ids and not catalogue.line_ids.filtered("is_won"):
                raise ValidationError(
                    self.env._(
                        "Catalogue “%(name)s” has no won step: mark the step "
                        "where a deal counts as won.",
                        name=catalogue.name,
                    )
                )

    def action_apply_to_team(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Apply a Stage Catalogue"),
            "res_model": "crm.stage.catalogue.apply",
            "view_mode": "form",
            "target": "new",
            "context": {"default_catalogue_id": self.id},
        }

    @api.ondelete(at_uninstall=False)
    def _sff_check_teams_changeable(self):
        # sudo: the teams of every company, to see whether the user may
        # change them all
        teams = (
            self.env["crm.team"]
            .sudo()
            .with_context(active_test=False)
            .search([("stage_catalogue_id", "in", self.ids)])
        )
        mine = (
            self.env["crm.team"].with_context(active_test=False).search([("id", "in", teams.ids)])
        )
        if teams and (mine.ids != teams.ids or not mine.has_access("write")):
            raise UserError(
                self.env._(
                    "%(catalogues)s is the pipeline of teams you cannot change: it can only be "
                    "deleted by someone who can change them all.",
                    catalogues=named(self, "name"),
                )
            )

    def unlink(self):
        # (before the teams let go of it, below)
        self._sff_check_teams_changeable()
        # its steps go with it in the database (ON DELETE CASCADE), past
        # their own check (not at the uninstall, which takes the stages'
        # steps away too)
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self.line_ids._sff_unlink_except_earlier_process()
        # the teams get the shared stages back: through their write, which
        # rebuilds their deals' funnel rows
        self.env["crm.team"].sudo().with_context(active_test=False).search(
            [("stage_catalogue_id", "in", self.ids)]
        ).write({"stage_catalogue_id": False})
        return super().unlink()
