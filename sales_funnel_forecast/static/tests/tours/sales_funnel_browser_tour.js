/** @odoo-module **/

import {registry} from "@web/core/registry";

/** The top of an element, to tell whether two of them share a line. */
function top(selector) {
    const element = document.querySelector(selector);
    if (!element) {
        throw new Error(`${selector} is not on the page`);
    }
    return Math.round(element.getBoundingClientRect().top);
}

function sameLine(first, second) {
    if (Math.abs(top(first) - top(second)) > 4) {
        throw new Error(`${first} and ${second} are not on one line`);
    }
}

registry.category("web_tour.tours").add("sales_funnel_forecast_deal_lines_tour", {
    steps: () => [
        {
            trigger:
                ".o_form_view .o_sff_stalled_banner .o_field_widget[name=stall_days_over]",
            content:
                "The stalled banner reads as one sentence, with the day it stalled",
            run() {
                const banner = document.querySelector(".o_sff_stalled_banner");
                const day = banner.querySelector(".o_field_widget[name=stalled_date]");
                if (day.textContent.includes(":")) {
                    throw new Error(`the banner shows a time: ${day.textContent}`);
                }
                sameLine(
                    ".o_sff_stalled_banner .o_field_widget[name=stalled_date]",
                    ".o_sff_stalled_banner .o_field_widget[name=stall_days_over]"
                );
                const words = banner.textContent.replace(/\s+/g, " ");
                const sentence =
                    ": 4 days past what this stage allows. It is out of the forecast";
                if (!words.includes(sentence)) {
                    throw new Error(`the banner reads: ${words}`);
                }
            },
        },
        {
            trigger: ".o_form_view .o_field_widget[name=date_last_activity]",
            content: "The last activity sits beside the call summary",
            run() {
                sameLine(
                    ".o_form_view .o_sff_call_summary",
                    ".o_form_view .o_field_widget[name=date_last_activity] > *"
                );
            },
        },
    ],
});

registry.category("web_tour.tours").add("sales_funnel_forecast_submit_dialog_tour", {
    steps: () => [
        {
            trigger: ".o_sff_submit",
            content: "Open the Submit Forecast dialog",
            run: "click",
        },
        {
            trigger: ".modal .o_form_view .oe_title span.text-muted",
            content:
                "The dialog opens on its explanation, with no empty title above it",
            run() {
                const title = document.querySelector(".modal .o_form_view .oe_title");
                for (const heading of title.querySelectorAll("h1")) {
                    if (!heading.textContent.trim() && heading.offsetHeight) {
                        throw new Error(
                            `an empty title ${heading.offsetHeight}px high tops the dialog`
                        );
                    }
                }
            },
        },
    ],
});
