# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class CrmLead2opportunityPartner(models.TransientModel):
    _inherit = "crm.lead2opportunity.partner"

    def _convert_and_allocate(self, leads, user_ids, team_id=False):
        # Odoo converts the leads without a team, then gives the team to
        # those it assigns: the conversion is told, so that a lead converted
        # into a team with a stage catalogue enters that team's pipeline
        # (crm.lead._convert_opportunity_data), as a single conversion does
        allocated = (
            leads if self.force_assignment else leads.filtered(lambda lead: not lead.user_id)
        )
        teams = {lead.id: team_id for lead in allocated} if user_ids and team_id else {}
        return super()._convert_and_allocate(
            leads.with_context(sff_convert_teams=teams), user_ids, team_id=team_id
        )
