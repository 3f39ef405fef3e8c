# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Sales Funnel & Forecast",
    "version": "18.0.1.4.0",
    "category": "Sales/CRM",
    "summary": "Percentage stage catalogue, stage history, funnel, conversion "
    "and revenue forecast reports for Odoo CRM",
    "author": "Sales Funnel Forecast contributors",
    "website": "https://github.com/sales-funnel-forecast/sales_funnel_forecast",
    "license": "LGPL-3",
    "depends": ["crm", "sale_crm", "account"],
    "data": [
        "security/sales_funnel_forecast_security.xml",
        "security/ir.model.access.csv",
        "data/crm_stage_catalogue_data.xml",
        "data/ir_cron_data.xml",
        "data/utm_source_data.xml",
        "data/crm_lost_reason_data.xml",
        "data/crm_buying_role_data.xml",
        "views/crm_stage_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_lead_stage_history_views.xml",
        "wizards/crm_stage_stall_proposal_views.xml",
        "views/crm_stage_catalogue_views.xml",
        "views/crm_team_views.xml",
        "views/crm_disposition_views.xml",
        "views/crm_invoice_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/crm_stage_catalogue_apply_views.xml",
        "wizards/crm_funnel_export_views.xml",
        "reports/crm_funnel_report_views.xml",
        "reports/report_funnel.xml",
        "views/sales_funnel_forecast_menus.xml",
    ],
    "demo": [
        "demo/sales_funnel_forecast_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "sales_funnel_forecast/static/src/dashboard/**/*",
        ],
        "web.assets_tests": [
            "sales_funnel_forecast/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
