/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("sales_funnel_forecast_dashboard_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
    steps: () => [
        {
            trigger: ".o_sff_dashboard .o_sff_filters",
            content: "The dashboard opens on every team's funnel",
        },
        {
            trigger: ".o_sff_dashboard select.o_sff_period",
            content: "Look at every period",
            run: "selectByLabel All time",
        },
        {
            trigger: ".o_sff_dashboard select.o_sff_team",
            content: "Choose the tour's team",
            run: "selectByLabel SFF Dashboard Team",
        },
        {
            trigger: ".o_sff_period_label:contains('SFF Dashboard Team')",
            content: "The funnel is the team's",
        },
        {
            // one deal, in the singular
            trigger:
                ".o_sff_forecast_stalled td:contains(/^\\s*Of which stalled: 1 deal\\s*$/)",
            content: "One of the team's open deals is stalled",
        },
        {
            trigger: ".o_sff_forecast .o_sff_refresh_win_rates",
            content: "A manager works the stages' win rates out again",
            run: "click",
        },
        {
            trigger:
                ".o_sff_forecast .o_sff_win_rates_note:contains('Win rates of the last 12 months worked out on')",
            content: "Under the forecast, when the win rates were worked out",
        },
        {
            // exact counts: a bare :contains('1') would also match 10 or 21
            trigger:
                ".o_sff_stage:contains('D-Proposal') .o_sff_reached:contains(/^1$/)",
            content: "One deal reached the proposal stage",
        },
        {
            trigger:
                ".o_sff_stage:contains('D-Prospect') .o_sff_reached_amount:contains('Amount reached: $ 3,000.00')",
            content:
                "The first stage's amount is said to be of both deals (1,000 and 2,000)",
        },
        {
            trigger:
                ".o_sff_stage:contains('D-Prospect') .o_sff_reached:contains(/^2$/)",
            content: "Both deals reached the first stage: a click opens them",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('SFF Dashboard Deal B')",
            content: "The deals behind the stage are listed",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('SFF Dashboard Deal A')",
        },
    ],
});
