# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.formats import count_text


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

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_given(self):
        # sudo: the roles on every deal, not only those the user reads
        Given = self.env["crm.lead.buying.role"].sudo()
        for role in self:
            count = Given.search_count([("role_id", "=", role.id)])
            if count == 1:
                raise UserError(
                    self.env._(
                        "Buying role “%(role)s” is given to one person on a deal: archive "
                        "it instead, the deal keeps it.",
                        role=role.name,
                    )
                )
            if count:
                raise UserError(
                    self.env._(
                        "Buying role “%(role)s” is given to %(count)s people on deals: "
                        "archive it instead, the deals keep it.",
                        role=role.name,
                        count=count_text(self.env, count),
                    )
                )
