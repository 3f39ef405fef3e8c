/** @odoo-module **/

import {Component, onWillStart, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {KeepLast} from "@web/core/utils/concurrency";
import {deserializeDate, formatDate} from "@web/core/l10n/dates";
import {formatFloat} from "@web/core/utils/numbers";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {useSetupAction} from "@web/search/action_hook";
import {formatInteger, formatMonetary} from "@web/views/fields/formatters";
import {Layout} from "@web/search/layout";
import {loadTeams} from "../common/teams";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";

/**
 * The sales funnel of a team and period, drawn: one bar per stage, as wide
 * as the deals that reached it, with the deals won, lost there and still open
 * there in their own colours, the conversion between steps, counts and
 * amounts. A click on a stage opens the deals behind it.
 */
export class FunnelDashboard extends Component {
    static template = "sales_funnel_forecast.FunnelDashboard";
    static components = {Layout};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        // a phone reads the revenue forecast as cards (reactive: turning
        // the phone sideways may bring the tables back)
        this.ui = useState(useService("ui"));
        this.env.config.setDisplayName(
            this.props.action.name || _t("Funnel Dashboard")
        );
        const context = this.props.action.context || {};
        this.state = useState({
            teams: [],
            // back from the deals of a stage (the breadcrumbs): the funnel
            // that was shown
            params: this.props.state?.params || {
                // null: the user's own team, chosen by the server
                team_id: context.default_team_id || null,
                period: context.default_period || "this_year",
                mode: context.default_mode || "flow",
                compare: context.default_compare || "none",
            },
            data: null,
            loading: true,
            refreshing: false,
        });
        this.periods = [
            ["this_month", _t("This month")],
            ["last_month", _t("Last month")],
            ["this_quarter", _t("This quarter")],
            ["last_quarter", _t("Last quarter")],
            ["this_year", _t("This year")],
            ["last_year", _t("Last year")],
            ["last_12_months", _t("Last 12 months")],
            ["all", _t("All time")],
        ];
        this.modes = [
            ["flow", _t("Stages reached in the period")],
            ["cohort", _t("Deals created in the period")],
        ];
        this.comparisons = [
            ["none", _t("No comparison")],
            ["previous", _t("Previous period")],
            ["last_year", _t("Same period last year")],
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
        this.state.loading = true;
        // the answer to the last choice only: an earlier, slower one (all
        // time on a large database) does not overwrite it
        this.state.data = await this.keepLast.add(
            this.orm.call("crm.funnel.dashboard", "get_funnel_dashboard", [
                this.state.params,
            ])
        );
        this.state.params.team_id = this.state.data.team_id;
        this.state.loading = false;
    }

    /** Refresh (managers): the stages' win rates worked out again on the
     *  server, then the dashboard read again (the new time under the
     *  forecast). */
    async refreshWinRates() {
        this.state.refreshing = true;
        try {
            await this.orm.call("crm.stage", "action_sff_refresh_win_rates", []);
        } finally {
            this.state.refreshing = false;
        }
        await this.load();
    }

    async onParamChange(key, ev) {
        let value = ev.target.value;
        if (key === "team_id") {
            value = value ? parseInt(value, 10) : false;
        }
        this.state.params[key] = value;
        await this.load();
    }

    /** The funnels (one per team), their bars in stage order with their
     *  drawn widths (%). */
    get funnels() {
        const funnels = (this.state.data && this.state.data.funnels) || [];
        return funnels.map((funnel) => {
            const stages = funnel.stages;
            const widest = Math.max(0, ...stages.map((stage) => stage.reached));
            const bars = stages.map((stage, index) => {
                const share = (count) =>
                    stage.reached ? (100 * count) / stage.reached : 0;
                return {
                    ...stage,
                    width: widest ? (100 * stage.reached) / widest : 0,
                    planWidth:
                        widest &&
                        stage.plan_reached !== null &&
                        stage.plan_reached !== undefined
                            ? Math.min(100, (100 * stage.plan_reached) / widest)
                            : null,
                    wonShare: share(stage.won),
                    lostShare: share(stage.lost_here),
                    openShare: share(stage.open_here),
                    isLast: index === stages.length - 1,
                    // labels before their count: one wording for one and
                    // for several, in every language
                    wonLabel: _t("Won: %(count)s", {count: formatInteger(stage.won)}),
                    lostLabel: _t("Lost here: %(count)s", {
                        count: formatInteger(stage.lost_here),
                    }),
                    openLabel: _t("Open here: %(count)s", {
                        count: formatInteger(stage.open_here),
                    }),
                    stalledLabel: _t("Stalled: %(count)s", {
                        count: formatInteger(stage.stalled_here),
                    }),
                    planLabel:
                        stage.plan_reached === null || stage.plan_reached === undefined
                            ? ""
                            : _t("Plan: %(count)s reached", {
                                  count: formatFloat(stage.plan_reached, {
                                      digits: [false, 1],
                                  }),
                              }),
                };
            });
            return {...funnel, bars};
        });
    }

    formatAmount(value) {
        return formatMonetary(value, {currencyId: this.state.data.currency_id});
    }

    /** A stage's line (or the total, without a count) of the revenue
     *  forecast, in the table's order, for a phone's card. */
    forecastFigures(line) {
        const figures = [];
        if (line.count !== undefined) {
            figures.push({
                label: _t("Open deals"),
                value: this.formatCount(line.count),
            });
        }
        return [
            ...figures,
            {label: _t("Stage-weighted"), value: this.formatAmount(line.forecast)},
            {label: _t("History-weighted"), value: this.formatAmount(line.history)},
            {label: _t("Left out"), value: this.formatAmount(line.excluded)},
        ];
    }

    /** A forecast category's line, in the table's order, for a phone's card. */
    categoryFigures(line) {
        return [
            {label: _t("Open deals"), value: this.formatCount(line.count)},
            {label: _t("Amount"), value: this.formatAmount(line.amount)},
            {label: _t("Stage-weighted"), value: this.formatAmount(line.forecast)},
        ];
    }

    /** A count as the user's language writes numbers (1,000; 1.000 in German). */
    formatCount(value) {
        return formatInteger(value || 0);
    }

    /** A rate with its % held to it (a no-break space): a narrow screen
     *  wraps the line before the figure, not between them. */
    formatRate(value) {
        return value === null || value === undefined
            ? ""
            : `${formatFloat(value, {digits: [16, 1]})}\u00a0%`;
    }

    /** A day sent as YYYY-MM-DD, written as the user's language writes dates. */
    formatDay(day) {
        return day ? formatDate(deserializeDate(day)) : "";
    }

    async openStage(stageId, teamId) {
        const action = await this.orm.call(
            "crm.funnel.dashboard",
            "get_stage_deals_action",
            [this.state.params, stageId, teamId]
        );
        await this.actionService.doAction(action);
    }

    /** Enter or Space on a stage the keyboard reached opens it, as a click. */
    async onStageKeydown(ev, stageId, teamId) {
        if (ev.key === "Enter" || ev.key === " ") {
            ev.preventDefault();
            await this.openStage(stageId, teamId);
        }
    }

    async export(kind) {
        const action = await this.orm.call("crm.funnel.dashboard", "action_export", [
            this.state.params,
            kind,
        ]);
        await this.actionService.doAction(action);
    }
}

registry
    .category("actions")
    .add("sales_funnel_forecast.funnel_dashboard", FunnelDashboard);
