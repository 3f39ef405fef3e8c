/** @odoo-module **/

import {Component, onWillStart, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {KeepLast} from "@web/core/utils/concurrency";
import {
    deserializeDate,
    deserializeDateTime,
    formatDate,
    formatDateTime,
} from "@web/core/l10n/dates";
import {formatFloat} from "@web/core/utils/numbers";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {useSetupAction} from "@web/search/action_hook";
import {formatInteger, formatMonetary} from "@web/views/fields/formatters";
import {Layout} from "@web/search/layout";
import {loadTeams} from "../common/teams";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";

/**
 * The Forecast screen of a team and a month or quarter: per salesperson, the
 * quota, what was won, the Commit and Best Case forecasts, the open pipeline,
 * the last submission and adjustment, the gap to quota and the coverage; the
 * salespeople who have not submitted lately are marked. Below, how the
 * period's pipeline changed since it started, drawn as a waterfall.
 */
export class ForecastScreen extends Component {
    static template = "sales_funnel_forecast.ForecastScreen";
    static components = {Layout};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        // a phone lists each line's figures in a card (reactive: turning the
        // phone sideways may bring the table back)
        this.ui = useState(useService("ui"));
        this.env.config.setDisplayName(this.props.action.name || _t("Forecast"));
        this.state = useState({
            teams: [],
            // back from a line's submissions or a step's deals (the
            // breadcrumbs): the team and period that were shown
            params: this.props.state?.params || {
                team_id: null,
                period_type: "month",
                date_from: null,
            },
            data: null,
        });
        this.periodTypes = [
            ["month", _t("Month")],
            ["quarter", _t("Quarter")],
        ];
        this.keepLast = new KeepLast();
        useSetupAction({getLocalState: () => ({params: {...this.state.params}})});
        onWillStart(async () => {
            this.state.teams = await loadTeams(this.orm);
            await this.load();
        });
    }

    get display() {
        return {controlPanel: {}};
    }

    async load() {
        // the answer to the last choice only (see the funnel dashboard)
        this.state.data = await this.keepLast.add(
            this.orm.call("crm.forecast.submission", "get_forecast_screen", [
                this.state.params,
            ])
        );
        this.state.params.team_id = this.state.data.team_id;
        this.state.params.date_from = this.state.data.date_from;
    }

    async onParamChange(key, ev) {
        let value = ev.target.value;
        if (key === "team_id") {
            value = parseInt(value, 10);
        }
        if (key === "period_type") {
            this.state.params.date_from = null;
        }
        this.state.params[key] = value;
        await this.load();
    }

    formatAmount(value) {
        if (value === null || value === undefined) {
            return "";
        }
        return formatMonetary(value, {currencyId: this.state.data.currency_id});
    }

    /** A count as the user's language writes numbers (1,000; 1.000 in German). */
    formatCount(value) {
        return formatInteger(value || 0);
    }

    formatCoverage(value) {
        return value === null || value === undefined
            ? ""
            : `${formatFloat(value, {digits: [16, 2]})}x`;
    }

    /** A line's figures, in the table's order: its cells, or a phone's card. */
    figureRows(line) {
        const coverage = line.quota_met
            ? _t("Quota met")
            : this.formatCoverage(line.coverage);
        return [
            {label: _t("Quota"), value: this.formatAmount(line.quota)},
            {label: _t("Won"), value: this.formatAmount(line.won)},
            {label: _t("Commit"), value: this.formatAmount(line.commit)},
            {label: _t("Best Case"), value: this.formatAmount(line.best_case)},
            {label: _t("Open Pipeline"), value: this.formatAmount(line.pipeline)},
            {
                label: _t("Submitted"),
                value: line.submission ? this.formatAmount(line.submission.commit) : "",
                note: line.submission ? this.formatMoment(line.submission.date) : "",
            },
            {
                label: _t("Adjusted"),
                value: line.adjustment ? this.formatAmount(line.adjustment.commit) : "",
                note: line.adjustment ? line.adjustment.reason : "",
            },
            {label: _t("Gap to Quota"), value: this.formatAmount(line.gap)},
            {label: _t("Coverage"), value: coverage},
        ];
    }

    /** A day sent as YYYY-MM-DD, written as the user's language writes dates. */
    formatDay(day) {
        return day ? formatDate(deserializeDate(day)) : "";
    }

    /** A moment sent in UTC, in the user's time zone and language. */
    formatMoment(moment) {
        return moment ? formatDateTime(deserializeDateTime(moment)) : "";
    }

    /** The waterfall's bars: each floats from the running total before it to
     *  the one after it; the two pipelines stand on the axis. */
    get waterfall() {
        const steps = (this.state.data && this.state.data.flow) || [];
        let running = 0;
        const bars = steps.map((step) => {
            let low, high;
            if (step.step === "start" || step.step === "end") {
                low = 0;
                high = step.amount;
                running = step.amount;
            } else {
                const next = running + step.sign * step.amount;
                low = Math.min(running, next);
                high = Math.max(running, next);
                running = next;
            }
            return {...step, low, high};
        });
        const top = Math.max(1, ...bars.map((bar) => bar.high));
        return bars.map((bar) => ({
            ...bar,
            bottom: (100 * bar.low) / top,
            height: Math.max(0.5, (100 * (bar.high - bar.low)) / top),
        }));
    }

    async submit() {
        await this.actionService.doAction(
            {
                type: "ir.actions.act_window",
                name: _t("Submit Forecast"),
                res_model: "crm.forecast.submission",
                views: [[false, "form"]],
                target: "new",
                context: {
                    default_team_id: this.state.data.team_id,
                    default_period_type: this.state.data.period_type,
                    default_date_from: this.state.data.date_from,
                },
            },
            {onClose: () => this.load()}
        );
    }

    /** Run the action a method of the screen returns for its parameters. */
    async callAction(method, ...args) {
        const action = await this.orm.call("crm.forecast.submission", method, [
            this.state.params,
            ...args,
        ]);
        await this.actionService.doAction(action);
    }

    async export(kind) {
        await this.callAction("action_forecast_export", kind);
    }

    /** The deals of a bar of the waterfall, in the Deal Flow report. */
    async openFlowStep(step) {
        await this.callAction("action_forecast_flow_step", step);
    }

    /** Enter or Space on a step the keyboard reached opens it, as a click. */
    async onFlowStepKeydown(ev, step) {
        if (ev.key === "Enter" || ev.key === " ") {
            ev.preventDefault();
            await this.openFlowStep(step);
        }
    }

    /** The submissions behind a line: the latest is the one it shows. */
    async openSubmissions(line) {
        await this.callAction("action_forecast_submissions", line.user_id);
    }
}

registry
    .category("actions")
    .add("sales_funnel_forecast.forecast_screen", ForecastScreen);
