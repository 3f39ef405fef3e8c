# ruff: noqa: F821 (env comes from scripts/odoo_exec.py; pivot, timed_rounds, manager, rep,
# print_ratios and ODOO_PIVOT from bench/pivots.py, read first)
# Run with `env` by bench/reports (scripts/odoo_exec.py): times each report's
# main pivot, the dashboard's data call and the spreadsheet export against
# Odoo's own Pipeline Analysis pivot (stage x expected closing month), on the
# same database, as a manager and as a salesperson restricted to own
# documents (record rules apply). A pivot asks for its totals, its row
# groups, its column groups and the cells: four grouped reads, timed
# together; the measures take turns, round after round, and each figure is
# the median of RUNS rounds (bench/pivots.py, read first).
# a target plan per team over the last year, so that the conversion pivot
# finds each stage's target conversion
from datetime import date

from dateutil.relativedelta import relativedelta

open_stages = env["crm.stage"].search(
    [("team_id", "=", False), ("is_won", "=", False)], order="sequence, id"
)
for team in env["crm.team"].search([], order="id", limit=2):
    # (a database kept from an earlier run has them)
    if env["crm.target.plan"].search_count([("name", "=", f"Bench plan {team.name}")]):
        continue
    env["crm.target.plan"].create(
        {
            "name": f"Bench plan {team.name}",
            "company_id": team.company_id.id or env.company.id,
            "team_id": team.id,
            "date_from": date.today().replace(day=1) - relativedelta(months=11),
            "date_to": date.today().replace(day=1) + relativedelta(months=1, days=-1),
            "revenue_target": 10000000,
            "average_deal_value": 5000,
            "sales_cycle_days": 0,
            "stage_line_ids": [
                (0, 0, {"stage_id": stage.id, "conversion": 60}) for stage in open_stages
            ],
        }
    )
env.cr.commit()

CONVERSION_MEASURES = [
    "conversion_rate:avg",
    "target_conversion_rate:avg",
    "entered_conversion_rate:avg",
    "reached:sum",
    "moved_on:sum",
]
PIVOTS = [
    ODOO_PIVOT,  # noqa: F821 (bench/pivots.py)
    (
        "Funnel pivot (stage x month reached)",
        "crm.funnel.report",
        [],
        "stage_id",
        "date_in:month",
        ["reached:sum", "won:sum", "lost_here:sum", "open_here:sum", "reached_amount:sum"],
    ),
    (
        "Funnel pivot as it opens (this month)",
        "crm.funnel.report",
        [("date_in", ">=", date.today().replace(day=1))],
        "stage_id",
        "date_in:month",
        ["reached:sum", "won:sum", "lost_here:sum", "open_here:sum", "reached_amount:sum"],
    ),
    (
        "Funnel pivot over the last 12 months (stage x month reached)",
        "crm.funnel.report",
        [("date_in", ">=", date.today().replace(day=1) - relativedelta(months=11))],
        "stage_id",
        "date_in:month",
        ["reached:sum", "won:sum", "lost_here:sum", "open_here:sum", "reached_amount:sum"],
    ),
    (
        "Funnel pivot (salesperson x stage)",
        "crm.funnel.report",
        [],
        "user_id",
        "stage_id",
        ["reached:sum", "won:sum", "lost_here:sum", "open_here:sum", "reached_amount:sum"],
    ),
    (
        "Conversion pivot (team and stage x month reached, with the target conversion)",
        "crm.funnel.report",
        [],
        "stage_id",
        "date_in:month",
        CONVERSION_MEASURES,
    ),
    (
        "Conversion pivot as it opens (this month), with the target conversion",
        "crm.funnel.report",
        [("date_in", ">=", date.today().replace(day=1))],
        "stage_id",
        "date_in:month",
        CONVERSION_MEASURES,
    ),
    (
        "Revenue forecast pivot (stage x expected closing month)",
        "crm.forecast.report",
        [],
        "stage_id",
        "date_deadline:month",
        ["forecast_revenue:sum", "history_forecast_revenue:sum"],
    ),
    (
        "New leads by source pivot (source x month created)",
        "crm.lead.source.report",
        [],
        "source_id",
        "create_date:month",
        ["new_count:sum", "opportunity_count:sum", "won_count:sum"],
    ),
]


SIX_MONTHS_AGO = date.today() - relativedelta(months=6)
QUARTER_START = date.today().replace(day=1, month=(date.today().month - 1) // 3 * 3 + 1)
THIS_QUARTER = (QUARTER_START, QUARTER_START + relativedelta(months=3))
AT_LABEL = "Pipeline as it stood 6 months ago (sff_pipeline_at, every open deal)"
FLOW_LABEL = "Deal flow of this quarter so far (sff_deal_flow)"
FLOW_OPEN_LABEL = "Deal flow of this quarter so far opened in its report (rows written)"
FLOW_PIVOT_LABEL = "Deal flow pivot of this quarter so far (step x team, on the rows written)"
ACCURACY_LABEL = "Forecast accuracy pivot, 24 months at each month's start (team x method)"

# the weekly snapshots of the last 24 months, as the job writes them after
# the install (the accuracy report reads them)
import time  # noqa: E402

started = time.perf_counter()
Snapshot = env["crm.pipeline.snapshot"]  # noqa: F821
weeks = len(Snapshot._sff_days_missing())
while Snapshot._cron_take_snapshots():
    env.cr.commit()  # noqa: F821
env.cr.commit()  # noqa: F821
backfill_seconds = time.perf_counter() - started

results = {}
for role, user in (("manager", manager), ("rep", rep)):
    measures = {}
    for label, model, domain, row, col, measures_asked in PIVOTS:
        Model = env[model].with_user(user)  # noqa: F821
        measures[label] = (
            lambda Model=Model, domain=domain, row=row, col=col, asked=measures_asked: pivot(
                Model, domain, row, col, asked
            )
        )
    Report = env["crm.funnel.dashboard"].with_user(user)  # noqa: F821
    measures["Dashboard data call (last 12 months, all teams)"] = lambda Report=Report: (
        Report.get_funnel_dashboard({"period": "last_12_months"})
    )
    Export = env["crm.funnel.export"].with_user(user)  # noqa: F821

    def export(Export=Export):
        params = Export.create({"period": "last_12_months"})._sff_params()
        Export.env["crm.funnel.dashboard"]._sff_xlsx(params)
        env.cr.rollback()  # noqa: F821

    measures["Spreadsheet export (last 12 months, all teams)"] = export
    # the deals' past, from their forecast versions
    Lead = env["crm.lead"].with_user(user)  # noqa: F821
    measures[AT_LABEL] = lambda Lead=Lead: Lead.sff_pipeline_at(SIX_MONTHS_AGO)
    measures[FLOW_LABEL] = lambda Lead=Lead: Lead.sff_deal_flow(*THIS_QUARTER)
    # the deal flow report's rows, as the wizard writes them when it opens
    # the report (then rolled back), and the pivot's reads of rows written once
    Wizard = env["crm.deal.flow.wizard"].with_user(user)  # noqa: F821

    def open_flow(Wizard=Wizard):
        Wizard.create(
            {"date_from": THIS_QUARTER[0], "date_to": THIS_QUARTER[1]}
        ).action_open_report()
        env.cr.rollback()  # noqa: F821

    measures[FLOW_OPEN_LABEL] = open_flow
    flow_wizard = Wizard.create({"date_from": THIS_QUARTER[0], "date_to": THIS_QUARTER[1]})
    flow_domain = flow_wizard.action_open_report()["domain"]
    env.cr.commit()  # noqa: F821
    Flow = env["crm.deal.flow.report"].with_user(user)  # noqa: F821
    measures[FLOW_PIVOT_LABEL] = lambda Flow=Flow, flow_domain=flow_domain: pivot(  # noqa: F821
        Flow, flow_domain, "step", "team_id", ["deal_count:sum", "amount:sum"]
    )
    Accuracy = env["crm.forecast.accuracy.report"].with_user(user)  # noqa: F821
    measures[ACCURACY_LABEL] = lambda Accuracy=Accuracy: pivot(  # noqa: F821
        Accuracy,
        [("period_type", "=", "month"), ("lead_days", "=", 0)],
        "team_id",
        "method",
        ["accuracy:avg", "optimism:avg", "error_amount:sum"],
    )
    for label, seconds in timed_rounds(measures).items():  # noqa: F821 (bench/pivots.py)
        results[role, label] = seconds

print_ratios(
    results,
    [pivot[0] for pivot in PIVOTS]  # noqa: F821 (bench/pivots.py)
    + [
        "Dashboard data call (last 12 months, all teams)",
        "Spreadsheet export (last 12 months, all teams)",
        AT_LABEL,
        FLOW_LABEL,
        FLOW_OPEN_LABEL,
        FLOW_PIVOT_LABEL,
        ACCURACY_LABEL,
    ],
)

print(
    f"| Pipeline snapshots of the last 24 months ({weeks} days: weekly, and the months' first days and lead time for the accuracy; the job after the install) "
    f"| | {backfill_seconds:.1f} s | |"
)
# one weekly snapshot of the whole pipeline, as the job writes it

env.cr.execute(
    "SELECT count(*) FROM crm_lead_forecast_version WHERE valid_to IS NULL AND deal_state = 'open'"
)  # noqa: F821
open_deals = env.cr.fetchone()[0]  # noqa: F821
started = time.perf_counter()
snapshot_rows = env["crm.pipeline.snapshot"]._sff_take([date.today()])  # noqa: F821
snapshot_seconds = time.perf_counter() - started
env.cr.execute("SELECT pg_total_relation_size('crm_pipeline_snapshot')")  # noqa: F821
snapshot_bytes = env.cr.fetchone()[0]  # noqa: F821
env.cr.commit()  # noqa: F821
print(
    f"| One pipeline snapshot of {open_deals} open deals | {snapshot_rows} rows "
    f"| {snapshot_seconds:.2f} s | {snapshot_bytes / 1e6:.2f} MB on disk |"
)
# the accuracy lines worked out again, as the snapshots' job does each day
started = time.perf_counter()
accuracy_lines = env["crm.forecast.accuracy.report"]._sff_refresh()  # noqa: F821
accuracy_seconds = time.perf_counter() - started
env.cr.commit()  # noqa: F821
print(
    f"| Forecast accuracy lines worked out again (the daily refresh) | {accuracy_lines} lines "
    f"| {accuracy_seconds:.2f} s | |"
)
