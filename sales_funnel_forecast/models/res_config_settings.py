# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_probability_from_stage = fields.Boolean(
        related="company_id.crm_probability_from_stage",
        readonly=False,
    )
    crm_lost_reason_required = fields.Boolean(
        related="company_id.crm_lost_reason_required",
        readonly=False,
    )
    crm_quota_basis = fields.Selection(
        related="company_id.crm_quota_basis",
        readonly=False,
    )
