/** @odoo-module **/

import {FormController} from "@web/views/form/form_controller";
import {formView} from "@web/views/form/form_view";
import {registry} from "@web/core/registry";

/**
 * A forecast submission is kept as it was saved: only its Save button
 * submits one. Odoo's form saves a new record on its own when the user
 * leaves it, hides the browser tab or closes the page; a new submission is
 * dropped instead, so that no forecast is filed that nobody confirmed.
 * Submissions already saved behave as any form (a manager's adjustments).
 */
export class ForecastSubmissionFormController extends FormController {
    beforeVisibilityChange() {
        if (!this.model.root.isNew) {
            return super.beforeVisibilityChange();
        }
    }

    async beforeLeave() {
        if (!this.model.root.isNew) {
            return super.beforeLeave();
        }
    }

    async beforeUnload(ev) {
        if (!this.model.root.isNew) {
            return super.beforeUnload(ev);
        }
    }
}

registry.category("views").add("sff_forecast_submission_form", {
    ...formView,
    Controller: ForecastSubmissionFormController,
});
