/** @odoo-module **/

import {registry} from "@web/core/registry";

// tests/test_first_run.py, TestFirstRunScreens: a company added later, with
// no sales team and no deal yet, opens the two screens

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_first_run_forecast_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
        steps: () => [
            {
                content: "No team to forecast: said in words, no table of zeros",
                trigger:
                    ".o_sff_forecast:not(:has(.o_sff_forecast_table)) .o_sff_empty:contains('There is no sales team to forecast in the selected companies')",
            },
        ],
    });

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_first_run_dashboard_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
        steps: () => [
            {
                trigger:
                    ".o_sff_dashboard .o_sff_empty:contains('No deal reached a stage')",
            },
            {
                content: "No open deal: the revenue forecast says so, as the PDF does",
                trigger:
                    ".o_sff_dashboard .o_sff_forecast .o_sff_empty:contains('No open deal.')",
            },
        ],
    });
