# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """The buying roles of merged contacts follow the kept one through
        the ORM, so that the deals' "decision maker known" flag and their
        funnel rows follow (Odoo's SQL would delete every role of a merged
        contact, a person having one role per deal). On a deal where both
        had a role, one stays: the deciding one, if one decided."""
        # sudo: the roles on every deal, whoever merges the contacts
        Role = self.env["crm.lead.buying.role"].sudo()
        roles = Role.search([("partner_id", "in", src_partners.ids)])
        if roles:
            kept = {
                role.lead_id: role
                for role in Role.search(
                    [("partner_id", "=", dst_partner.id), ("lead_id", "in", roles.lead_id.ids)]
                )
            }
            moving, dropped = Role, Role
            for role in roles:
                other = kept.get(role.lead_id)
                if other and not (
                    role.role_id.is_decision_maker and not other.role_id.is_decision_maker
                ):
                    dropped |= role
                    continue
                if other:
                    dropped |= other
                    moving -= other
                kept[role.lead_id] = role
                moving |= role
            dropped.unlink()
            moving.write({"partner_id": dst_partner.id})
        return super()._update_foreign_keys(src_partners, dst_partner)
