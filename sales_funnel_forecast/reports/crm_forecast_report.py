# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from .. import engine_sql
from ..const import DEAL_DEPENDS, FORECAST_CATEGORY_SELECTION
from ..tools.formats import minute_text
from .common import in_won_stage


class CrmForecastReport(models.Model):
    """Revenue forecast: one row per open deal (active, neither won nor
    lost), weighted by its stage percentage and by its stage's win rate of
    the last 12 months. Deals out of the forecast count 0 in both, and show
    apart with the amount they leave out."""

    _name = "crm.forecast.report"
    _inherit = ["crm.funnel.report.deal.mixin"]
    _description = "Revenue Forecast Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date_deadline, lead_id"
    _depends = {
        "crm.lead": [
            *DEAL_DEPENDS,
            "is_stalled",
            "forecast_category",
        ],
        "crm.stage": [
            "is_won",
            "forecast_probability",
            "history_win_rate",
            "history_fallback",
            "history_weight",
        ],
        "res.partner": ["industry_id"],
    }

    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    date_deadline = fields.Date(string="Expected Closing", readonly=True)
    lead_create_date = fields.Datetime(string="Deal Created On", readonly=True)
    deal_count = fields.Integer(string="Deals", readonly=True)
    expected_revenue = fields.Monetary(readonly=True, currency_field="currency_id")
    probability = fields.Float(readonly=True, aggregator="avg", digits=(16, 1))
    forecast_revenue = fields.Monetary(
        string="Stage-weighted Forecast",
        readonly=True,
        currency_field="currency_id",
        help="Expected revenue x the deal's probability (its stage percentage "
        "unless typed by hand); 0 when out of the forecast.",
    )
    history_probability = fields.Float(
        string="Stage Win Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Of the deals that reached the deal's stage and closed in the last "
        "365 days, the share won; the stage percentage when fewer than 10 closed.",
    )
    history_fallback = fields.Boolean(
        string="Win Rate from Stage Percentage",
        readonly=True,
        help="Fewer than 10 deals that reached the stage closed in the last "
        "year: the stage percentage stands in for its win rate.",
    )
    history_forecast_revenue = fields.Monetary(
        string="History-weighted Forecast",
        readonly=True,
        currency_field="currency_id",
        help="Expected revenue x the stage's win rate of the last 12 months; 0 "
        "when out of the forecast. Summed unrounded, rounded once in the total.",
    )
    history_base_revenue = fields.Monetary(
        string="Amount in the Forecast",
        readonly=True,
        currency_field="currency_id",
        help="Expected revenue of the deals in the forecast (0 for those out of it): what the "
        "stage's win rate weighs.",
    )
    forecast_category = fields.Selection(FORECAST_CATEGORY_SELECTION, readonly=True)
    forecast_excluded = fields.Boolean(string="Out of Forecast", readonly=True)
    is_stalled = fields.Boolean(string="Stalled", readonly=True)
    stalled_count = fields.Integer(string="Stalled Deals", readonly=True)
    stalled_amount = fields.Monetary(
        string="Stalled (at probability)",
        readonly=True,
        currency_field="currency_id",
        help="What stalled deals count at their probability, in the forecast or not.",
    )
    excluded_amount = fields.Monetary(
        string="Left Out of Forecast",
        readonly=True,
        currency_field="currency_id",
        help="What deals taken out of the forecast would count at their probability.",
    )

    def _select(self):
        expected = SQL.identifier("l", "expected_revenue")
        history_probability = SQL(
            "(CASE WHEN s.history_fallback OR s.history_fallback IS NULL "
            "THEN COALESCE(s.forecast_probability, 0) ELSE s.history_win_rate END)"
        )
        history_base = SQL(
            "(CASE WHEN COALESCE(l.forecast_excluded, FALSE) THEN 0 ELSE COALESCE(%s, 0) END)",
            expected,
        )
        return SQL(
            """l.id, l.id AS lead_id, l.stage_id, l.user_id, l.team_id, l.company_id,
               l.partner_id, p.industry_id, l.source_id, l.medium_id, l.campaign_id,
               l.origin_type, l.date_deadline, l.create_date AS lead_create_date,
               1 AS deal_count, l.expected_revenue, l.probability,
               l.forecast_revenue,
               %(history_probability)s AS history_probability,
               COALESCE(s.history_fallback, TRUE) AS history_fallback,
               %(history_forecast)s AS history_forecast_revenue,
               %(history_base)s AS history_base_revenue,
               COALESCE(l.forecast_excluded, FALSE) AS forecast_excluded,
               l.forecast_category,
               COALESCE(l.is_stalled, FALSE) AS is_stalled,
               COALESCE(l.is_stalled, FALSE)::int AS stalled_count,
               CASE WHEN l.is_stalled THEN %(left_out)s ELSE 0 END AS stalled_amount,
               CASE WHEN l.forecast_excluded THEN %(left_out)s ELSE 0 END AS excluded_amount""",
            history_probability=history_probability,
            # the stage's stored weight: one exact multiplication per deal
            history_forecast=SQL("%s * COALESCE(s.history_weight, 0)", history_base),
            history_base=history_base,
            left_out=engine_sql.weighted_amount(expected, SQL.identifier("l", "probability")),
        )

    def _from(self):
        return SQL("crm_lead l")

    def _join(self):
        # the open deals' stage, left out of the queries that read none of
        # its columns (the pivots' sums)
        return SQL(
            """LEFT JOIN crm_stage s ON s.id = l.stage_id
               LEFT JOIN res_partner p ON p.id = l.partner_id"""
        )

    def _where(self):
        return SQL(
            "l.active AND l.type = 'opportunity' AND l.stage_id IS NOT NULL AND NOT %s",
            in_won_stage(SQL.identifier("l", "stage_id")),
        )

    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """The history-weighted forecast summed per stage: its stage's win
        rate times the amount of its deals in the forecast, rather than the
        product worked out on every deal (which costs a pivot over a million
        deals a third of its time). Reads of sums in the default order of
        their groups are grouped by stage too, then added up over the stages."""
        history = "history_forecast_revenue:sum"
        # the order the public read_group gives when asked for none: its groups'
        default_order = not order or [term.strip() for term in order.split(",")] == list(groupby)
        if (
            history not in aggregates
            or having
            or offset
            or limit
            or not default_order
            or not all(spec == "__count" or spec.endswith(":sum") for spec in aggregates)
        ):
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        by_stage = list(groupby) if "stage_id" in groupby else [*groupby, "stage_id"]
        asked = ["history_base_revenue:sum" if spec == history else spec for spec in aggregates]
        # the stages added on top are not ordered: ordering groups by stage
        # joins every deal to its stage for the stages' order
        rows = super()._read_group(domain, by_stage, asked, order=",".join(groupby) or "__count")
        self.env["crm.stage"].flush_model(["history_weight"])
        stage_at = by_stage.index("stage_id")
        history_at = [
            len(by_stage) + index for index, spec in enumerate(aggregates) if spec == history
        ]
        groups = {}
        for position, row in enumerate(rows):
            row = list(row)
            for index in history_at:
                row[index] = (row[index] or 0.0) * (row[stage_at].history_weight or 0.0)
            # grouped by stage on top of the groups asked: the stages' rows of a
            # group add up (in the order the groups came)
            key = tuple(row[: len(groupby)]) if "stage_id" not in groupby else position
            values = row[len(by_stage) :]
            if key in groups:
                groups[key] = [_add(total, value) for total, value in zip(groups[key], values)]
            else:
                groups[key] = values
        if not groupby and not groups:
            return [tuple(self._read_group_empty_value(spec) for spec in aggregates)]
        if "stage_id" in groupby:
            return [(*row[: len(groupby)], *groups[position]) for position, row in enumerate(rows)]
        return [(*key, *values) for key, values in groups.items()]

    @api.model
    def _sff_forecast_categories(self, domain):
        """The open deals of ``domain`` by forecast category, in the order
        of their certainty (Commit first), each with its deals, amount and
        weighted forecast; categories without deals are left out."""
        groups = self._read_group(
            domain,
            ["forecast_category"],
            ["deal_count:sum", "expected_revenue:sum", "forecast_revenue:sum"],
        )
        found = {
            category: (count, amount, forecast) for category, count, amount, forecast in groups
        }
        labels = dict(self._fields["forecast_category"]._description_selection(self.env))
        return [
            {
                "category": category,
                "label": labels[category],
                "count": found[category][0],
                "amount": found[category][1],
                "forecast": found[category][2],
            }
            for category in ("commit", "best_case", "pipeline", "omitted")
            if category in found
        ]

    @api.model
    def _sff_forecast_table(self, team_id=False, user_id=False, domain=None):
        """Open deals (of ``domain`` too, when given) by stage and expected
        closing month (None: no date), both forecasts, and what deals out of
        the forecast leave out."""
        domain = list(domain or [])
        if team_id:
            domain.append(("team_id", "=", team_id))
        if user_id:
            domain.append(("user_id", "=", user_id))
        # one grouped read; the stalled deals are measures of their own
        groups = self._read_group(
            domain,
            ["stage_id", "date_deadline:month"],
            [
                "forecast_revenue:sum",
                "history_forecast_revenue:sum",
                "excluded_amount:sum",
                "deal_count:sum",
                "stalled_count:sum",
                "stalled_amount:sum",
            ],
        )
        cells, stalled_count, stalled_amount = {}, 0, 0.0
        for stage, month, forecast, history, excluded, count, stalled, stalled_left in groups:
            cells[stage.id, month] = (forecast, history, excluded, count)
            stalled_count += stalled
            stalled_amount += stalled_left
        months = sorted({month for _stage, month in cells if month})
        stages = self.env["crm.stage"].union(*(stage for stage, *_rest in groups))._sff_sorted()
        fallback = {stage.id: stage.history_fallback for stage in stages}
        rows = []
        for stage in stages:
            by_month = []
            for month in [*months, False]:
                forecast, history, excluded, count = cells.get(
                    (stage.id, month), (0.0, 0.0, 0.0, 0)
                )
                by_month.append(
                    {"forecast": forecast, "history": history, "excluded": excluded, "count": count}
                )
            rows.append(
                {
                    "stage_id": stage.id,
                    "stage_name": stage.name,
                    "history_fallback": fallback[stage.id],
                    "history_win_rate": stage.history_win_rate,
                    "stage_percentage": stage.forecast_probability,
                    "months": by_month,
                    "forecast": sum(cell["forecast"] for cell in by_month),
                    "history": sum(cell["history"] for cell in by_month),
                    "excluded": sum(cell["excluded"] for cell in by_month),
                    "count": sum(cell["count"] for cell in by_month),
                }
            )
        return {
            "months": [month.isoformat() for month in months] + [False],
            "rows": rows,
            "categories": self._sff_forecast_categories(domain),
            "forecast": sum(row["forecast"] for row in rows),
            "history": sum(row["history"] for row in rows),
            "excluded": sum(row["excluded"] for row in rows),
            "stalled_count": stalled_count,
            "stalled_amount": stalled_amount,
        }

    # ------------------------------------------------------------------
    # The report as the menu opens it: its name says when the win rates of
    # its History-weighted figures were last worked out
    # ------------------------------------------------------------------
    @api.model
    def action_sff_open(self):
        """The report, named with the time the stages' win rates were last
        worked out."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_funnel_forecast.crm_forecast_report_action"
        )
        refreshed_on = self.env["crm.stage"]._sff_win_rates_refreshed_on()
        # the web client shows display_name before name
        action["name"] = action["display_name"] = (
            self.env._(
                "Revenue Forecast (win rates worked out %(when)s)",
                when=minute_text(self.env, refreshed_on),
            )
            if refreshed_on
            else self.env._("Revenue Forecast (win rates not worked out yet)")
        )
        return action

    def action_sff_refresh_win_rates(self):
        """Refresh Win Rates (managers, in the list): every stage's win rate
        worked out again now, then the report opened anew (its name says
        when)."""
        self.env["crm.stage"].action_sff_refresh_win_rates()
        return self.action_sff_open()


def _add(total, value):
    """Two sums of a grouped read added up: False (no value) counts for
    nothing, and stays False when both are."""
    if total is False and value is False:
        return False
    return (total or 0) + (value or 0)
