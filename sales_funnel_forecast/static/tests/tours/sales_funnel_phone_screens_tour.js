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
        const text = el.textContent.trim();
        if (
            !found.has(text) ||
            [...el.children].some((c) => c.textContent.trim() === text)
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
