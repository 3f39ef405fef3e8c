/** @odoo-module **/

import {registry} from "@web/core/registry";

// test_tour.py::test_forecast_screen_in_french: the Forecast screen of an
// administrator whose language is French names its months and quarters as
// French does
registry.category("web_tour.tours").add("sales_funnel_forecast_screen_french_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        {
            trigger: "select.o_sff_team",
            content: "Choose the tour's team",
            run: "selectByLabel SFF Forecast Team",
        },
        {
            // a month by its French name: "décembre 2026"
            trigger:
                "select.o_sff_period:contains(/(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \\d{4}/)",
            content: "The months in French",
        },
        {
            trigger: "select.o_sff_period_type",
            content: "Look at quarters",
            run: "select quarter",
        },
        {
            // "T4 2026", not "Q4 2026"
            trigger:
                "select.o_sff_period:contains(/T[1-4] \\d{4}/):not(:contains(/Q[1-4] \\d{4}/))",
            content: "The quarters in French",
        },
    ],
});
