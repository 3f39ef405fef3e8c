# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.addons.base.models.res_partner import _tz_get

# the time zone of the funnel's monthly totals (reports/crm_funnel_summary.py)
TZ_PARAM = "sales_funnel_forecast.funnel_summary_tz"


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
    sff_funnel_summary_tz = fields.Selection(
        _tz_get, string="Funnel Totals Time Zone", config_parameter=TZ_PARAM,
        help="The months of the funnel's monthly totals start at midnight in this time zone.",
    )

    def set_values(self):
        Summary = self.env["crm.funnel.summary"]
        before = Summary._sff_tz()
        result = super().set_values()
        if Summary._sff_tz() != before:
            # the months start at another hour: the totals are worked out again
            Summary._sff_rebuild()
        return result
