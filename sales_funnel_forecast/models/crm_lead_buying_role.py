# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..tools.once import check_once


class CrmLeadBuyingRole(models.Model):
    _name = "crm.lead.buying.role"
    _description = "Buying Role on a Deal"
    _order = "lead_id, sequence, id"

    lead_id = fields.Many2one(
        "crm.lead", string="Deal", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner", string="Person", required=True, index=True, ondelete="cascade"
    )
    role_id = fields.Many2one("crm.buying.role.type", ondelete="restrict")
    note = fields.Char()
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "person_once",
            "unique(lead_id, partner_id)",
            "A person has one role on a deal: change the role instead of adding the person again.",
        ),
    ]

    def _sff_check_person_once(self, vals_list):
        check_once(
            self,
            vals_list,
            "lead_id",
            "partner_id",
            self.env._(
                "A person has one role on a deal: change the role instead of adding the "
                "person again."
            ),
        )

    @api.model
    def _sff_serialise_deals(self, lead_ids):
        """Write the rows of the deals whose roles change (their "decision
        maker known" flag set to itself, no value changed), as the deal's
        own save writes it. Two requests changing the roles of one deal at
        once (the roles' list, an import, the API, a merge of contacts)
        each work the flag out from the roles they saw, and the one whose
        flag stays as it was writes nothing: the deal would keep the
        other's (no decision maker beside a deciding role). The second one
        then waits for the first and fails to serialise, and Odoo runs it
        again on the roles as they are."""
        lead_ids = sorted({lead_id for lead_id in lead_ids if lead_id})
        if lead_ids:
            self.env.cr.execute(
                "UPDATE crm_lead SET has_decision_maker = has_decision_maker WHERE id = ANY(%s)",
                [lead_ids],
            )

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._sff_check_person_once(vals_list)
        self._sff_serialise_deals([vals.get("lead_id") for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        self._sff_check_person_once([vals])
        if {"lead_id", "role_id"} & set(vals):
            self._sff_serialise_deals([*self.lead_id.ids, vals.get("lead_id")])
        result = super().write(vals)
        if "lead_id" in vals and not self.env.su:
            # Odoo checks the rules on the roles as they were: a role moved
            # to another deal is checked on the deal it is on now
            self.check_access("write")
        return result

    def unlink(self):
        self._sff_serialise_deals(self.lead_id.ids)
        return super().unlink()
