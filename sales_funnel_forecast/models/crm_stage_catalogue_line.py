# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..const import FORECAST_CATEGORY_SELECTION
from .crm_lead_invoice import DOCUMENT_TRIGGERS


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

    @api.constrains("is_won", "catalogue_id")
    def _check_catalogue_won_step(self):
        # steps written on their own (an import of the steps): their
        # catalogues keep a won step, as a save of the catalogue does
        self.catalogue_id._check_won_step()
