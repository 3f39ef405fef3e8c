# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..const import ORIGIN_TYPES


class UtmSource(models.Model):
    _inherit = "utm.source"

    origin_type = fields.Selection(
        ORIGIN_TYPES,
        help="How deals from this source come: referrals (seeds), inbound "
        "marketing (nets) or outbound prospecting (spears). Deals created with "
        "this source get it; reps can change it on the deal.",
    )
