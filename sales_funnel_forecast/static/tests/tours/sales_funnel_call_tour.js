/** @odoo-module **/

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("sales_funnel_forecast_call_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            content: "Open the CRM pipeline",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('SFF Call Deal') .o_sff_log_call",
            content: "The card's phone button logs a call",
            run: "click",
        },
        {
            trigger:
                ".modal .o_sff_call_dialog .o_field_widget[name=duration_minutes] input",
            content: "A duration, if you want one",
            run: "edit 3",
        },
        {
            trigger: ".modal .o_sff_call_dialog .o_field_widget[name=note] textarea",
            content: "A note, if you want one",
            run: "edit Left a message with the assistant",
        },
        {
            trigger: ".modal footer button.o_sff_outcome_voicemail",
            content: "One click on the outcome saves the call",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal .o_sff_call_dialog))",
            content: "The dialog closes",
        },
        {
            trigger:
                ".o_kanban_record:contains('SFF Call Deal') .o_sff_log_call:contains('1')",
            content: "The card counts the call",
        },
    ],
});
