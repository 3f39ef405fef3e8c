# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.exceptions import UserError

from ..const import FORECAST_CATEGORY_SELECTION
from ..tools.formats import named
from .crm_lead_invoice import DOCUMENT_TRIGGERS
from .crm_stage_catalogue import CATALOGUE_SAVING


class CrmStageCatalogueLine(models.Model):
    _name = "crm.stage.catalogue.line"
    _inherit = ["crm.stage.percentage.mixin"]
    _description = "Stage Catalogue Step"
    _order = "catalogue_id, sequence, id"

    catalogue_id = fields.Many2one(
        "crm.stage.catalogue",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Step", required=True, translate=True)
    forecast_probability = fields.Float(string="Percentage", digits=(16, 2))
    is_won = fields.Boolean(string="Won Step")
    forecast_category = fields.Selection(
        FORECAST_CATEGORY_SELECTION,
        compute="_compute_forecast_category",
        store=True,
        readonly=False,
        precompute=True,
        help="The category of the deals in the stage made from this step. By default from "
        "the percentage: below 40 % Pipeline, 40 to 69 % Best Case, 70 % and above Commit; "
        "the won step is Closed (Won).",
    )
    fold = fields.Boolean(string="Folded in Pipeline")
    requirements = fields.Text(
        translate=True,
        help="What must be true for a deal to be in this step.",
    )
    document_trigger = fields.Selection(
        DOCUMENT_TRIGGERS,
        string="Reached When",
        help="The stage made from this step is reached by itself when the deal's "
        "quotation is confirmed, its first invoice posted or its invoices paid.",
    )

    # Steps written or deleted on their own (an import of the steps, a
    # call of the API): their catalogues keep a won step, as a save of the
    # catalogue does (which checks the steps it ends with: CATALOGUE_SAVING).
    # New steps are not checked one by one: a catalogue's data file or
    # import creates its steps one after the other, the won one last.
    def _sff_on_their_own(self):
        context = self.env.context
        return not (context.get(CATALOGUE_SAVING) or context.get(MODULE_UNINSTALL_FLAG))

    def write(self, vals):
        catalogues = self.catalogue_id
        result = super().write(vals)
        if {"is_won", "catalogue_id"} & set(vals) and self._sff_on_their_own():
            (catalogues | self.catalogue_id)._check_won_step()
        return result

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_earlier_process(self):
        """A stage made from a step of a team's earlier catalogue stays out
        of the team's process (crm.team._sff_process_domain) by the step it
        names: without it, it would be a stage added by hand, where the
        team's new and won deals go. Refused while such stages are still in
        a pipeline (with deals or not); the catalogue can be archived."""
        # sudo: the stages of every team, whoever edits the catalogue
        stages = (
            self.env["crm.stage"]
            .sudo()
            .search([("catalogue_line_id", "in", self.ids), ("team_id", "!=", False)])
            .filtered(
                lambda stage: (
                    stage.team_id.stage_catalogue_id
                    and stage.team_id.stage_catalogue_id != stage.catalogue_line_id.catalogue_id
                )
            )
        )
        if stages:
            raise UserError(
                self.env._(
                    "Catalogue “%(catalogue)s” was the sales process of %(teams)s before "
                    "its current one, and its stages are still in their pipelines "
                    "(%(stages)s): without their steps, they would become stages of the "
                    "current process, where new and won deals go. Archive the catalogue "
                    "instead.",
                    catalogue=stages[0].catalogue_line_id.catalogue_id.name,
                    teams=named(stages.team_id, "name"),
                    stages=named(stages, "name"),
                )
            )

    def unlink(self):
        catalogues = self.filtered("is_won").catalogue_id
        result = super().unlink()
        if self._sff_on_their_own():
            catalogues.exists()._check_won_step()
        return result
