/** @odoo-module **/

import {PivotModel} from "@web/views/pivot/pivot_model";
import {pivotView} from "@web/views/pivot/pivot_view";
import {registry} from "@web/core/registry";

/**
 * The Slippage pivot: its Months and Quarters filters set the columns to
 * months or to quarters when one of them is switched on (their context's
 * pivot_column_groupby). Odoo applies that context at every search, which
 * put back the months' columns a user had changed (folded, flipped) as soon
 * as any other filter was ticked; the filters' columns are now applied only
 * when they change, kept with the pivot's state when switching views.
 */
export class SlippagePivotModel extends PivotModel {
    async load(searchParams) {
        const columns = JSON.stringify(
            searchParams.context.pivot_column_groupby || null
        );
        if (columns === this.metaData.sffFilterColumns) {
            const context = {...searchParams.context};
            delete context.pivot_column_groupby;
            searchParams = {...searchParams, context};
        }
        this.metaData.sffFilterColumns = columns;
        return super.load(searchParams);
    }
}

registry.category("views").add("sff_slippage_pivot", {
    ...pivotView,
    Model: SlippagePivotModel,
});
