/** @odoo-module **/

import {registry} from "@web/core/registry";

const column = (name) => `.o_kanban_group:has(.o_column_title:contains('${name}'))`;
const card = (name) => `.o_kanban_record:contains('${name}')`;

/** A salesperson's day in the pipeline kanban: a deal quick created, deals
 *  dragged on (into a folded column, to Won), one lost from its form, a
 *  call scheduled on a card and marked done from it. */
registry.category("web_tour.tours").add("sales_funnel_forecast_rep_day_tour", {
    steps: () => [
        {
            trigger: `${column("Prospecting")} ${card("Day Deal A")}`,
            content: "The rep's pipeline shows the team's own stages",
        },
        {
            trigger: `${column("Prospecting")} .o_kanban_quick_add`,
            content: "Quick create a deal in the first stage",
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit Day Quick Deal",
        },
        {
            trigger:
                ".o_kanban_quick_create .o_field_widget[name=expected_revenue] input",
            run: "edit 4000",
        },
        {
            trigger: ".o_kanban_quick_create .o_kanban_add",
            run: "click",
        },
        {
            trigger: `${column("Prospecting")} ${card("Day Quick Deal")} .o_sff_probability:contains('10')`,
            content: "The new card shows its stage's 10 %",
        },
        {
            trigger: ".o_kanban_quick_create .o_kanban_cancel",
            run: "click",
        },
        {
            trigger: `${column("Prospecting")} ${card("Day Deal A")}`,
            content: "Drag a deal to the next stage",
            run: `drag_and_drop (${column("Qualification")})`,
        },
        {
            trigger: `${column("Qualification")} ${card("Day Deal A")} .o_sff_probability:contains('25')`,
            content: "The card takes the stage's percentage",
        },
        {
            trigger: `${column("Qualification")} ${card("Day Deal C")}`,
            content: "Drag a deal into the folded Closing column",
            run: `drag_and_drop (.o_kanban_group.o_column_folded:contains('Closing'))`,
        },
        {
            trigger: `${column("Qualification")}:not(:has(${card("Day Deal C")}))`,
            content: "The deal left its column",
        },
        {
            trigger: `${column("Proposal")} ${card("Day Deal B")}`,
            content: "Drag a deal to Won",
            run: `drag_and_drop (${column("Won")})`,
        },
        {
            trigger: `${column("Proposal")}:not(:has(${card("Day Deal B")}))`,
            content: "The deal left for the folded Won column",
        },
        {
            trigger: `${column("Qualification")} ${card("Day Deal A")} .o-mail-ActivityButton`,
            content: "Open the deal's activities from its card",
            run: "click",
        },
        {
            trigger:
                ".o-mail-ActivityListPopover .o-mail-ActivityListPopoverItem-markAsDone",
            content: "Mark the call done",
            run: "click",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone textarea",
            run: "edit voicemail, will call back",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label='Done']",
            run: "click",
        },
        {
            trigger: `${card("Day Deal A")} .o-mail-ActivityButton:not(:has(.text-danger,.text-warning,.text-success))`,
            content: "The card has no activity left",
        },
        {
            trigger: `${card("Day Quick Deal")} .o-mail-ActivityButton`,
            content: "Schedule an activity from a card",
            run: "click",
        },
        {
            trigger:
                ".o-mail-ActivityListPopover button:contains('Schedule an activity')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=summary] input",
            run: "edit Send the brochure",
        },
        {
            trigger: ".modal button[name=action_schedule_activities]",
            run: "click",
        },
        {
            trigger: `body:not(:has(.modal)) ${card("Day Quick Deal")} .o-mail-ActivityButton i.text-warning, body:not(:has(.modal)) ${card("Day Quick Deal")} .o-mail-ActivityButton i.text-success`,
            content: "The card shows the activity planned",
        },
        {
            trigger: card("Day Deal A"),
            content: "Open a deal",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Lost')",
            content: "Mark it lost",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=lost_reason_id] input",
            content: "The reason is required: save without one",
        },
        {
            trigger: ".modal button[name=action_lost_reason_apply]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=lost_reason_id].o_field_invalid",
            content: "The dialog asks for the reason",
        },
        {
            trigger: ".modal .o_field_widget[name=lost_reason_id] input",
            run: "edit Too expensive",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Too expensive')",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_lost_reason_apply]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_form_view .ribbon:contains('Lost')",
            content: "The deal is lost",
        },
        {
            trigger: ".o_notebook a.nav-link:contains('Stage History')",
            run: "click",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=lost_stage_id]:contains('Qualification')",
            content: "It was lost at Qualification",
        },
    ],
});

/** Odoo's Forecast kanban (a column per expected closing month): a deal
 *  dragged to next month, then given a forecast category by hand. */
/** A month's column title, as the Forecast kanban writes it. */
const month = (months) => luxon.DateTime.now().plus({months}).toFormat("MMMM yyyy");

registry.category("web_tour.tours").add("sales_funnel_forecast_forecast_kanban_tour", {
    steps: () => [
        {
            trigger: `${column(month(0))} ${card("Forecast Day Deal")}`,
            content: "The deal closes this month",
            run: `drag_and_drop (${column(month(1))})`,
        },
        {
            trigger: `${column(month(1))} ${card("Forecast Day Deal")}`,
            content: "It moved to next month",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=forecast_category] select",
            content: "Choose Commit by hand",
            run: 'select "commit"',
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view small:contains('chosen by hand'):visible",
            content: "The form says the category is the rep's",
        },
        {
            trigger: ".o-mail-Message:contains('Forecast category chosen: Commit')",
            content: "The chatter notes the choice",
        },
    ],
});

/** A manager reads the dashboard of a team and period, opens the deals of a
 *  stage and comes back to the same funnel. */
registry.category("web_tour.tours").add("sales_funnel_forecast_dashboard_back_tour", {
    steps: () => [
        {
            trigger: ".o_sff_dashboard select.o_sff_team",
            content: "Choose the team",
            run: "selectByLabel Day Team",
        },
        {
            trigger: ".o_sff_period_label:contains('Day Team')",
        },
        {
            trigger: ".o_sff_dashboard select.o_sff_period",
            content: "Choose this month",
            run: "selectByLabel This month",
        },
        {
            trigger:
                ".o_sff_stage:contains('Qualification') .o_sff_reached:contains(/^3$/)",
            content: "The three deals reached Qualification this month: open them",
            run: "click",
        },
        {
            trigger:
                ".o_list_view tbody:has(.o_data_row:contains('Day Deal A')):has(.o_data_row:contains('Day Deal B')):has(.o_data_row:contains('Day Deal C')):not(:has(.o_data_row:eq(3)))",
            content: "The three deals behind the stage are listed",
        },
        {
            trigger: ".o_breadcrumb .o_back_button",
            content: "Back to the dashboard",
            run: "click",
        },
        {
            trigger: ".o_sff_period_label:contains('Day Team')",
            content: "The dashboard shows the funnel it showed: the team's",
        },
        {
            trigger:
                ".o_sff_dashboard select.o_sff_period:has(option[value=this_month]:selected)",
            content: "... of this month",
        },
    ],
});

/** A manager reads the Forecast screen of a team by quarter, opens a
 *  salesperson's submissions and comes back to the same quarter. */
registry.category("web_tour.tours").add("sales_funnel_forecast_forecast_back_tour", {
    steps: () => [
        {
            trigger: ".o_sff_forecast select.o_sff_team",
            content: "Choose the team",
            run: "selectByLabel Day Team",
        },
        {
            trigger: ".o_sff_forecast select.o_sff_period_type",
            content: "By quarter",
            run: "selectByLabel Quarter",
        },
        {
            trigger:
                ".o_sff_forecast_line .o_sff_open_submissions:contains('Rita Rep')",
            content: "Open the rep's submissions",
            run: "click",
        },
        {
            trigger: ".o_list_view, .o_view_nocontent",
        },
        {
            trigger: ".o_breadcrumb .o_back_button",
            content: "Back to the Forecast screen",
            run: "click",
        },
        {
            trigger:
                ".o_sff_forecast select.o_sff_team:has(option:selected:contains('Day Team'))",
            content: "The screen shows the team it showed",
        },
        {
            trigger:
                ".o_sff_forecast select.o_sff_period_type:has(option[value=quarter]:selected)",
            content: "... by quarter",
        },
    ],
});

/** A lead converted into the opportunity of the same customer (the Convert
 *  dialog's merge), then two opportunities merged from the list. */
registry.category("web_tour.tours").add("sales_funnel_forecast_convert_merge_tour", {
    steps: () => [
        {
            trigger:
                ".o_form_view .o_statusbar_buttons button:contains('Convert to Opportunity')",
            content: "Convert the lead",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=name] input[data-value=merge]",
            content: "Merge it with the customer's opportunity",
            run: "click",
        },
        {
            trigger:
                ".modal .o_field_widget[name=duplicated_lead_ids] .o_data_row:contains('Day Deal B')",
        },
        {
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Proposal')",
            content: "The opportunity kept its stage",
        },
        {
            trigger:
                ".o_menu_sections a:contains('Sales'), .o_menu_sections button:contains('Sales')",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('My Pipeline')",
            run: "click",
        },
        {
            trigger: ".o_switch_view.o_list",
            content: "The pipeline as a list",
            run: "click",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains('Day Deal A') .o_list_record_selector input",
            content: "Select two deals",
            run: "click",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains('Day Deal C') .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains('Merge')",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_merge]",
            run: "click",
        },
        {
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Qualification')",
            content: "The deal kept is the furthest on",
        },
    ],
});
