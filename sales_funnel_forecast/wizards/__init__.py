# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    base_partner_merge,
    crm_deal_flow_wizard,
    crm_deal_flow_wizard_step,
    crm_funnel_export,
    crm_lead_call_log,
    crm_lead_lost,
    crm_lead_to_opportunity,
    crm_stage_catalogue_apply,
    crm_stage_percentage_proposal,
    crm_stage_percentage_proposal_line,
    crm_stage_stall_proposal,
    crm_stage_stall_proposal_line,
    crm_target_plan_split,
    crm_target_plan_split_line,
)
