/** @odoo-module **/

import {registry} from "@web/core/registry";

// tests/test_tour.py, TestScreensTour and TestNarrowScreenTour: the two
// screens' comparison, late answers, dialog title and narrow window

const pickTeam = (screen) => ({
    trigger: `${screen} select.o_sff_team`,
    run: "selectByLabel SFF Screens Team",
});

registry.category("web_tour.tours").add("sales_funnel_forecast_all_time_compare_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
    steps: () => [
        pickTeam(".o_sff_dashboard"),
        {trigger: ".o_sff_period_label:contains('SFF Screens Team')"},
        {
            trigger: ".o_sff_dashboard select.o_sff_period",
            run: "selectByLabel All time",
        },
        {
            trigger: ".o_sff_dashboard select.o_sff_compare",
            run: "selectByLabel Previous period",
        },
        {trigger: ".o_sff_stage:contains('S-Prospect') .o_sff_reached:contains(/^1$/)"},
        {
            content: "All time has no period before it: no figure compared with one",
            trigger:
                ".o_sff_dashboard:not(:has(.o_sff_compare_value)) .o_sff_period_label:not(:contains('compared with'))",
        },
        {
            trigger: ".o_sff_dashboard select.o_sff_period",
            run: "selectByLabel This month",
        },
        {
            content: "This month against the month before: the comparison is back",
            trigger:
                ".o_sff_dashboard:has(.o_sff_compare_value) .o_sff_period_label:contains('compared with')",
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_late_answer_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
    steps: () => [
        pickTeam(".o_sff_dashboard"),
        {
            trigger: ".o_sff_period_label:contains('SFF Screens Team')",
            content: "A slow server: the All time funnel answers 1.5 s late",
            run() {
                const send = XMLHttpRequest.prototype.send;
                XMLHttpRequest.prototype.send = function (body) {
                    if (
                        typeof body === "string" &&
                        body.includes("get_funnel_dashboard") &&
                        body.includes('"period":"all"')
                    ) {
                        setTimeout(() => send.call(this, body), 1500);
                    } else {
                        send.call(this, body);
                    }
                };
            },
        },
        {
            trigger: ".o_sff_dashboard select.o_sff_period",
            run: "selectByLabel All time",
        },
        {
            trigger: ".o_sff_dashboard select.o_sff_period",
            run: "selectByLabel This month",
        },
        {
            trigger: ".o_sff_period_label:contains('(excluded)')",
            content: "This month's funnel; the late answer comes after it",
            async run() {
                await new Promise((resolve) => setTimeout(resolve, 3000));
            },
        },
        {
            content: "The period chosen last is the one shown",
            trigger:
                ".o_sff_dashboard:has(select.o_sff_period option:selected:contains('This month')) .o_sff_period_label:contains('(excluded)')",
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_submit_title_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        pickTeam(".o_sff_forecast"),
        {trigger: ".o_sff_forecast_table tfoot:contains('SFF Screens Team')"},
        {trigger: ".o_sff_submit", run: "click"},
        {
            content: "The dialog is named for what it does",
            trigger: ".modal .modal-title:contains('Submit Forecast')",
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_narrow_waterfall_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        pickTeam(".o_sff_forecast"),
        {trigger: ".o_sff_flow_step[data-step='new']:contains('1 deal')"},
        {
            content: "Each step's label, amount and count fit its column",
            trigger: ".o_sff_waterfall",
            run() {
                const cut = [
                    ...document.querySelectorAll(
                        ".o_sff_flow_step > div:not(:first-child)"
                    ),
                ]
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

// Waits, so that a save the browser's events started reaches the server.
const settle = {
    content: "Let a save started by the page's events reach the server",
    trigger: "body",
    run: () => new Promise((resolve) => setTimeout(resolve, 1500)),
};

registry.category("web_tour.tours").add("sales_funnel_forecast_submit_unload_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        pickTeam(".o_sff_forecast"),
        {trigger: ".o_sff_forecast_table tfoot:contains('SFF Screens Team')"},
        {trigger: ".o_sff_submit", run: "click"},
        {trigger: ".modal div[name='commit_amount'] input", run: "edit 4321"},
        {
            content: "The page is closed (or reloaded) with the dialog open",
            trigger: ".modal div[name='commit_amount'] input",
            // after the step: the tour would otherwise wait for a new page
            run: () =>
                setTimeout(() => window.dispatchEvent(new Event("beforeunload"))),
        },
        settle,
        {trigger: ".modal .o_form_button_cancel", run: "click"},
        {trigger: "body:not(:has(.modal))"},
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_submission_left_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_submission_action/new",
    steps: () => [
        {trigger: ".o_field_widget[name='team_id'] input", run: "edit SFF Screens"},
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('SFF Screens Team')",
            run: "click",
        },
        {trigger: "div[name='commit_amount'] input", run: "edit 4322"},
        {
            content: "The user switches to another tab of the browser",
            trigger: "div[name='commit_amount'] input",
            run() {
                Object.defineProperty(document, "visibilityState", {
                    value: "hidden",
                    configurable: true,
                });
                document.dispatchEvent(new Event("visibilitychange"));
            },
        },
        settle,
        {
            content: "and comes back",
            trigger: "body",
            run() {
                delete document.visibilityState;
                document.dispatchEvent(new Event("visibilitychange"));
            },
        },
        {
            content: "then leaves the form by its breadcrumb",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "asked first, stays",
            trigger: ".modal .modal-title:contains('Forecast not submitted')",
        },
        {trigger: ".modal-footer button:contains('Stay')", run: "click"},
        {
            trigger:
                "body:not(:has(.modal)) .o_form_view div[name='commit_amount'] input",
        },
        {trigger: ".o_breadcrumb .breadcrumb-item a", run: "click"},
        {
            trigger: ".modal-footer button:contains('Leave without submitting')",
            run: "click",
        },
        {trigger: ".o_list_view"},
        settle,
    ],
});
