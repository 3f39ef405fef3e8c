# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# the mixins first, in the order they inherit one another: the reports
# below are set up after them
from . import crm_report_query_mixin  # isort: skip
from . import crm_funnel_report_mixin  # isort: skip
from . import crm_funnel_report_deal_mixin  # isort: skip

# isort: split
from . import (
    common,
    crm_adoption_report,
    crm_call_report,
    crm_deal_flow_report,
    crm_forecast_accuracy_report,
    crm_forecast_report,
    crm_forecast_slippage_report,
    crm_funnel_dashboard,
    crm_funnel_report,
    crm_funnel_summary,
    crm_lead_source_report,
    crm_loss_report,
    crm_quota_report,
    crm_rep_comparison_report,
    crm_sales_process_report,
    forecast_export,
    report_forecast_screen,
    report_funnel,
)
