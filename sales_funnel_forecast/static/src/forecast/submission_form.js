/** @odoo-module **/

import {_t} from "@web/core/l10n/translation";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {FormController} from "@web/views/form/form_controller";
import {formView} from "@web/views/form/form_view";
import {registry} from "@web/core/registry";

/**
 * A forecast submission is kept as it was saved: only its Save button
 * submits one. Odoo's form saves a new record on its own when the user
 * leaves it, hides the browser tab or closes the page; a new submission is
 * dropped instead, so that no forecast is filed that nobody confirmed;
 * leaving one whose figures the user typed asks first.
 * Submissions already saved behave as any form (a manager's adjustments).
 */
export class ForecastSubmissionFormController extends FormController {
    beforeVisibilityChange() {
        if (!this.model.root.isNew) {
            return super.beforeVisibilityChange();
        }
    }

    async beforeLeave() {
        const record = this.model.root;
        if (!record.isNew) {
            return super.beforeLeave();
        }
        if (!record.dirty) {
            return true;
        }
        // false keeps the user on the form
        return new Promise((resolve) => {
            this.dialogService.add(
                ConfirmationDialog,
                {
                    title: _t("Forecast not submitted"),
                    body: _t(
                        "This forecast has not been submitted: only its Save button submits it. Leave it without submitting?"
                    ),
                    confirmLabel: _t("Leave without submitting"),
                    // what was typed goes: the action service may ask again
                    // before it leaves (a breadcrumb's virtual controller)
                    confirm: async () => {
                        await record.discard();
                        resolve(true);
                    },
                    cancelLabel: _t("Stay"),
                    cancel: () => resolve(false),
                },
                {onClose: () => resolve(false)}
            );
        });
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
