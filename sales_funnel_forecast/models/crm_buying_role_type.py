# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmBuyingRoleType(models.Model):
    _name = "crm.buying.role.type"
    _description = "Buying Role"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    is_decision_maker = fields.Boolean(
        string="Decides",
        help="Someone in this role can take the buying decision.",
    )
    active = fields.Boolean(default=True)
