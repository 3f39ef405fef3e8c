/** @odoo-module **/

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("sales_funnel_forecast_stage_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            content: "Open the CRM pipeline",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('SFF Tour Deal')",
            content: "The card shows the stage percentage",
        },
        {
            trigger:
                ".o_kanban_record:contains('SFF Tour Deal') .o_sff_probability:contains('10')",
            content: "Open the deal",
            run: "click",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=probability] input:value(10.00)",
            content: "The deal starts at its stage's 10 %",
        },
        {
            trigger:
                ".o_statusbar_status:has(button:contains('T-Proposal')):not(:has(button:contains('Proposition')))",
            content:
                "The status bar offers the team's own stages, not Odoo's shared ones",
        },
        {
            trigger: ".o_statusbar_status button:contains('T-Proposal')",
            content: "Move the deal to the proposal stage",
            run: "click",
        },
        {
            trigger:
                ".o_statusbar_status button.o_arrow_button_current:contains('T-Proposal')",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=probability] input:value(60.00)",
            content: "The probability follows the stage",
        },
        {
            trigger: ".o_notebook a.nav-link:contains('Stage History')",
            content: "Open the stage history",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=stage_history_ids] .o_data_row:contains('T-Proposal'):contains('T-Prospect')",
            content: "The move is recorded as a new stay",
        },
    ],
});
