# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    account_move,
    crm_lead,
    crm_lead_disposition,
    crm_lead_invoice,
    crm_lead_stage_history,
    crm_lead_stage_reach,
    crm_lead_stall,
    crm_lost_reason,
    crm_stage,
    crm_stage_catalogue,
    crm_team,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
    utm_source,
)
