/** @odoo-module **/

import {registry} from "@web/core/registry";

// tests/test_phone_screens.py: what a phone shows of the module's screens

/**
 * The elements under ``root`` showing exactly one of ``texts`` that a phone
 * does not show whole: cut by an ellipsis or past the screen's right edge.
 */
function hiddenTexts(root, texts) {
    const found = new Map(texts.map((text) => [text, null]));
    const cut = [];
    for (const el of root.querySelectorAll("*")) {
        // "$ 10,000.00" with its no-break space
        const text = el.textContent.trim().replace(/\s+/g, " ");
        if (
            !found.has(text) ||
            [...el.children].some(
                (c) => c.textContent.trim().replace(/\s+/g, " ") === text
            )
        ) {
            continue;
        }
        found.set(text, el);
        const right = el.getBoundingClientRect().right;
        if (el.scrollWidth > el.clientWidth + 1 || right > window.innerWidth + 1) {
            cut.push(
                `${text} (${el.scrollWidth} px in ${el.clientWidth}, right edge ${Math.round(right)})`
            );
        }
    }
    const missing = [...found].filter(([, el]) => !el).map(([text]) => text);
    return [...cut, ...missing.map((text) => `${text} (not shown)`)];
}

registry.category("web_tour.tours").add("sales_funnel_forecast_phone_stays_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains('Stage History')",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=stage_history_ids]:contains('Second proposal preparation')",
        },
        {
            content: "Each stay's stages and days are on the screen, whole",
            trigger: ".o_field_widget[name=stage_history_ids]",
            run() {
                const hidden = hiddenTexts(this.anchor, [
                    "First proposal presentation",
                    "Second proposal preparation",
                    "3.00",
                ]);
                if (hidden.length) {
                    throw new Error(`Stays not readable: ${hidden.join(", ")}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_phone_versions_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains('Forecast History')",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=forecast_version_ids]:contains('Second proposal')",
        },
        {
            content:
                "Each version's stage, amount and closing date are on the screen, whole",
            trigger: ".o_field_widget[name=forecast_version_ids]",
            run() {
                const hidden = hiddenTexts(this.anchor, [
                    "Second proposal preparation",
                    "$ 10,000.00",
                    "01/01/2027",
                ]);
                if (hidden.length) {
                    throw new Error(`Versions not readable: ${hidden.join(", ")}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_phone_call_log_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_lead_call_action",
    steps: () => [
        {trigger: ".o_content:contains('SFF Phone Deal of Wood Corner')"},
        {
            content: "The call's deal and outcome are on the screen, whole",
            trigger: ".o_content",
            run() {
                const hidden = hiddenTexts(this.anchor, [
                    "SFF Phone Deal of Wood Corner",
                    "Meeting booked",
                ]);
                if (hidden.length) {
                    throw new Error(`Calls not readable: ${hidden.join(", ")}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_phone_forecast_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
    steps: () => [
        {
            trigger: ".o_sff_forecast select.o_sff_team",
            run: "selectByLabel SFF Screens Team",
        },
        {trigger: ".o_sff_forecast:contains('SFF Screens Team (team)')"},
        {
            content:
                "The salesperson's name and open pipeline are on the screen, whole",
            trigger: ".o_sff_forecast_table, .o_sff_forecast_cards",
            run() {
                const hidden = hiddenTexts(this.anchor, [
                    "Mitchell Admin",
                    "SFF Screens Team (team)",
                    "$ 1,569,200.00",
                ]);
                if (hidden.length) {
                    throw new Error(`Forecast not readable: ${hidden.join(", ")}`);
                }
            },
        },
        {
            content: "A line still opens its submissions",
            trigger:
                ".o_sff_forecast_line .o_sff_open_submissions:contains('Mitchell Admin')",
            run: "click",
        },
        {trigger: ".o_breadcrumb:contains('Forecast Submissions: Mitchell Admin')"},
        {
            content: "A phone reads the line's submissions as cards",
            trigger: ".o_action_manager .o_kanban_view",
        },
    ],
});

/** A tour step failing with ``what`` when one of ``texts`` under
 *  ``trigger`` is not on the screen, whole. */
function readWhole(trigger, what, texts) {
    return {
        content: `${what}: on the screen, whole`,
        trigger,
        run() {
            const hidden = hiddenTexts(this.anchor, texts);
            if (hidden.length) {
                throw new Error(`${what} not readable: ${hidden.join(", ")}`);
            }
        },
    };
}

registry.category("web_tour.tours").add("sales_funnel_forecast_phone_plans_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_target_plan_action",
    steps: () => [
        {trigger: ".o_content:contains('SFF Phone Plan of New Accounts in the North')"},
        readWhole(".o_content", "Plans", [
            "SFF Phone Plan of New Accounts in the North",
            "SFF Phone Team of the Northern Region",
            "$ 120,000.00",
        ]),
    ],
});

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_phone_plan_months_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_target_plan_period_action",
        steps: () => [
            {
                trigger:
                    ".o_content:contains('SFF Phone Plan of New Accounts in the North')",
            },
            readWhole(".o_content", "Months of the plan", [
                "SFF Phone Plan of New Accounts in the North",
                "January 2027",
                "December 2027",
                "$ 10,000.00",
            ]),
        ],
    });

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_phone_submissions_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_forecast_submission_action",
        steps: () => [
            {trigger: ".o_content:contains('$ 12,500.00')"},
            readWhole(".o_content", "Submissions", [
                "Rita Phone-Representative",
                "SFF Phone Team of the Northern Region",
                "$ 12,500.00",
                "$ 18,000.00",
            ]),
        ],
    });

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_phone_dashboard_forecast_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
        steps: () => [
            {
                trigger: ".o_sff_dashboard select.o_sff_team",
                run: "selectByLabel SFF Screens Team",
            },
            {trigger: ".o_sff_period_label:contains('SFF Screens Team')"},
            {trigger: ".o_sff_dashboard .o_sff_forecast:contains('S-Proposal')"},
            readWhole(".o_sff_dashboard .o_sff_forecast", "Revenue forecast", [
                "S-Proposal",
                "$ 7,407,406.80",
                "$ 0.00",
                "Best Case",
                "$ 12,345,678.00",
            ]),
        ],
    });

// a computer keeps the lists and tables

registry.category("web_tour.tours").add("sales_funnel_forecast_computer_plans_tour", {
    url: "/odoo/action-sales_funnel_forecast.crm_target_plan_action",
    steps: () => [
        {
            trigger:
                ".o_list_view .o_data_row:contains('SFF Phone Plan of New Accounts in the North'):contains('$ 120,000.00')",
        },
    ],
});

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_computer_plan_months_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_target_plan_period_action",
        steps: () => [
            {
                trigger:
                    ".o_pivot_view th:contains('SFF Phone Plan of New Accounts in the North')",
            },
        ],
    });

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_computer_submissions_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_forecast_submission_action",
        steps: () => [
            {
                trigger:
                    ".o_list_view .o_data_row:contains('Rita Phone-Representative'):contains('$ 12,500.00'):contains('$ 18,000.00')",
            },
        ],
    });

registry
    .category("web_tour.tours")
    .add("sales_funnel_forecast_computer_dashboard_tour", {
        url: "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
        steps: () => [
            {
                trigger: ".o_sff_dashboard select.o_sff_team",
                run: "selectByLabel SFF Screens Team",
            },
            {trigger: ".o_sff_period_label:contains('SFF Screens Team')"},
            {
                trigger:
                    ".o_sff_dashboard table.o_sff_forecast_table tr:contains('S-Proposal'):has(td:contains(/^1$/)):contains('$ 941,520.00')",
            },
            {
                trigger:
                    ".o_sff_dashboard table.o_sff_forecast_categories tr:contains('Best Case'):contains('$ 1,569,200.00')",
            },
            {
                content: "No card on a computer",
                trigger: ".o_sff_dashboard:not(:has(.o_sff_forecast_cards))",
            },
        ],
    });
