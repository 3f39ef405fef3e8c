/** @odoo-module **/

import {registry} from "@web/core/registry";

// test_locale_edges.py::TestLocaleScreens: the dashboard of a German
// administrator, a team's 1,000 deals in its first stage
registry.category("web_tour.tours").add("sales_funnel_forecast_locale_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
    steps: () => [
        {
            trigger: ".o_sff_dashboard select.o_sff_team",
            content: "Choose the tour's team",
            run: "selectByLabel SFF Thousand Team",
        },
        {
            // German writes a thousand 1.000, not 1000
            trigger:
                ".o_sff_stage:contains('K-Prospect') .o_sff_reached:contains(/^1\\.000$/)",
            content: "The 1,000 deals reached the first stage",
        },
        {
            trigger: ".o_sff_stage:contains('K-Prospect'):contains('Open here: 1.000')",
            content: "All of them are open there",
        },
        {
            trigger: ".o_sff_forecast_table td:contains(/^1\\.000$/)",
            content: "The forecast counts them",
        },
    ],
});
