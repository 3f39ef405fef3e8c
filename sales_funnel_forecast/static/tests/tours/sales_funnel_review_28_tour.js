/** @odoo-module **/

import {registry} from "@web/core/registry";

// The Slippage pivot's columns set to Sales Team by the user, then a filter
// ticked: the columns stay the user's (the Months filter sets them to months
// only when it is switched on).
registry.category("web_tour.tours").add("sales_funnel_forecast_slippage_columns_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_slippage_report_action",
    steps: () => [
        {
            content: "Fold the columns' Total",
            trigger: ".o_pivot thead th.o_pivot_header_cell_opened:contains('Total')",
            run: "click",
        },
        {
            content: "and open it by Sales Team",
            trigger: ".o_pivot thead th.o_pivot_header_cell_closed:contains('Total')",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o_menu_item:contains('Sales Team')",
            run: "click",
        },
        {trigger: ".o_pivot thead th:contains('SFF Slip Team')"},
        {trigger: ".o_pivot thead th:contains('SFF Other Team')"},
        {trigger: ".o_searchview_dropdown_toggler", run: "click"},
        {trigger: ".o_filter_menu .o_menu_item:contains('My Deals')", run: "click"},
        {trigger: ".o_searchview_facet:contains('My Deals')"},
        {
            content: "The pivot read again: another salesperson's deal is gone",
            trigger: ".o_pivot:not(:has(th:contains('SFF Other Team')))",
        },
        {
            content: "The columns are still the sales teams",
            trigger: ".o_pivot thead th:contains('SFF Slip Team')",
        },
        {trigger: ".o_pivot thead:not(:has(th:contains('2026')))"},
        {
            content: "The Quarters filter switched on sets them to quarters",
            trigger: ".o_filter_menu .o_menu_item:contains('Quarters')",
            run: "click",
        },
        {trigger: ".o_pivot thead th:contains('Q2 2026')"},
        {trigger: ".o_pivot thead:not(:has(th:contains('SFF Slip Team')))"},
    ],
});
