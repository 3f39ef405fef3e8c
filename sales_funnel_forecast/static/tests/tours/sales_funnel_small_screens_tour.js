/** @odoo-module **/

import {registry} from "@web/core/registry";

// tests/test_small_screens.py: the module's screens on a phone and by keyboard

const pickTeam = (screen) => ({
    trigger: `${screen} select.o_sff_team`,
    run: "selectByLabel SFF Screens Team",
});

registry.category("web_tour.tours").add("sales_funnel_forecast_phone_rates_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
    steps: () => [
        pickTeam(".o_sff_dashboard"),
        {trigger: ".o_sff_period_label:contains('SFF Screens Team')"},
        {
            trigger: ".o_sff_dashboard select.o_sff_compare",
            run: "selectByLabel Previous period",
        },
        {trigger: ".o_sff_conversion:contains('100.0')"},
        {
            content:
                "Each rate keeps its % beside its figure: no space a line may break at",
            trigger: ".o_sff_conversion",
            run() {
                const cut = [...document.querySelectorAll(".o_sff_conversion")]
                    .map((el) => el.textContent)
                    // a space other than a no-break one between a figure and its %
                    .filter((text) => /\d[^\S\u00a0\u202f]+%/.test(text));
                if (cut.length) {
                    throw new Error(`A rate may wrap before its %: ${cut.join(" | ")}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_keyboard_stage_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
    steps: () => [
        pickTeam(".o_sff_dashboard"),
        {
            trigger:
                ".o_sff_stage:contains('Prospecting') .o_sff_reached:contains(/^1$/)",
        },
        {
            content: "The keyboard's user is on the last filter",
            trigger: ".o_sff_dashboard select.o_sff_compare",
            run() {
                this.anchor.focus();
            },
        },
        {trigger: ".o_sff_dashboard select.o_sff_compare:focus", run: "press Tab"},
        {
            content: "Tab goes on to the first stage of the funnel",
            trigger: ".o_sff_stage:focus:contains('Prospecting')",
            run: "press Enter",
        },
        {
            content: "Enter opens the deals that reached it, as a click does",
            trigger: ".o_list_view .o_data_row:contains('SFF Screens Deal')",
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_keyboard_line_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        pickTeam(".o_sff_forecast"),
        {trigger: ".o_sff_forecast_table tfoot:contains('SFF Screens Team')"},
        {
            content: "The keyboard's user is on the period",
            trigger: ".o_sff_forecast select.o_sff_period",
            run() {
                this.anchor.focus();
            },
        },
        {trigger: ".o_sff_forecast select.o_sff_period:focus", run: "press Tab"},
        {
            content: "Tab goes on to the administrator's line",
            trigger: ".o_sff_forecast_line:contains('Mitchell Admin') :focus",
            run: "press Enter",
        },
        {
            content: "Enter opens the line's submissions, as a click on the line does",
            trigger: ".o_breadcrumb:contains('Forecast Submissions: Mitchell Admin')",
        },
        {trigger: ".o_list_view"},
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_keyboard_flow_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        pickTeam(".o_sff_forecast"),
        {trigger: ".o_sff_flow_step[data-step='new']:contains('1 deal')"},
        {
            content: "The keyboard's user is on the table's last line",
            trigger: ".o_sff_forecast_line:last .o_sff_open_submissions",
            run() {
                this.anchor.focus();
            },
        },
        {trigger: ".o_sff_open_submissions:focus", run: "press Tab"},
        {
            content: "Tab goes on to the waterfall's first step",
            trigger: ".o_sff_flow_step[data-step='start']:focus",
            run: "press Tab",
        },
        {
            content: "then to its second, the deals new in the period",
            trigger: ".o_sff_flow_step[data-step='new']:focus",
            run: "press Enter",
        },
        {
            content: "Enter opens the step's deals, as a click does",
            trigger: ".o_breadcrumb:contains('New, SFF Screens Team')",
        },
    ],
});

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_phone_plan_figures_tour", {
        steps: () => [
            {
                trigger: ".o_form_view .o_notebook .nav-link:contains('Figures')",
                run: "click",
            },
            {
                content: "The plan's year is a row of figures under their columns",
                trigger:
                    ".o_field_widget[name=year_period_ids] .o_list_table thead:contains('Revenue Target'):contains('Deals to Close')",
            },
            {
                trigger:
                    ".o_field_widget[name=year_period_ids] .o_data_row:contains('SFF Phone Plan'):contains('120,000.00')",
            },
            {
                content: "Its 4 quarters and 12 months, each a row with its target",
                trigger:
                    ".o_field_widget[name=month_period_ids] .o_data_row:contains('December 2027')",
                run() {
                    const rows = (name) =>
                        document.querySelectorAll(
                            `.o_field_widget[name=${name}] .o_data_row`
                        ).length;
                    const counts = [
                        rows("quarter_period_ids"),
                        rows("month_period_ids"),
                    ];
                    if (counts.join() !== "4,12") {
                        throw new Error(
                            `Quarters and months listed: ${counts.join(" and ")}`
                        );
                    }
                },
            },
        ],
    });

registry.category("web_tour.tours").add("sales_funnel_forecast_phone_waterfall_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        pickTeam(".o_sff_forecast"),
        {trigger: ".o_sff_flow_step[data-step='new']:contains('123,456,789,000.00')"},
        {
            content: "Each step's amount fits its column, beside the next one's",
            trigger: ".o_sff_waterfall",
            run() {
                const steps = [...document.querySelectorAll(".o_sff_flow_step")];
                const cut = steps
                    .flatMap((step) => [...step.children].slice(1))
                    .filter((el) => el.scrollWidth > el.clientWidth + 1)
                    .map(
                        (el) =>
                            `${el.textContent.trim()} (${el.scrollWidth} > ${el.clientWidth} px)`
                    );
                if (cut.length) {
                    throw new Error(`Waterfall texts overflow: ${cut.join(", ")}`);
                }
            },
        },
    ],
});
