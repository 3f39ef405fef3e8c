/** @odoo-module **/

import {registry} from "@web/core/registry";

// test_tour.py::test_dashboard_in_polish: the dashboard of an administrator
// whose language is Polish
registry.category("web_tour.tours").add("sales_funnel_forecast_dashboard_polish_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
    steps: () => [
        {
            trigger: ".o_sff_dashboard select.o_sff_team",
            content: "Choose the tour's team",
            run: "selectByLabel SFF Dashboard Team",
        },
        {
            // this year, as Polish writes dates: 01.01.2026 – 01.01.2027
            trigger:
                ".o_sff_period_label:contains('SFF Dashboard Team'):contains(/01\\.01\\.\\d{4} – 01\\.01\\.\\d{4}/)",
            content: "The period in Polish dates",
        },
        {
            trigger:
                ".o_sff_stage:contains('D-Prospect') .o_sff_reached:contains(/^2$/)",
            content: "Both deals reached the first stage",
        },
        {
            // one of the two moved on: 50 %, with Polish's decimal comma
            trigger: ".o_sff_dashboard:contains('50,0 % przeszły dalej')",
            content: "The conversion in Polish",
        },
        {
            trigger: ".o_action_manager .o_control_panel:contains('Pulpit lejka')",
            content: "The dashboard's title in Polish",
        },
    ],
});
