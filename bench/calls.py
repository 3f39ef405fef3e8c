# ruff: noqa: F821 (env comes from scripts/odoo_exec.py; pivot, timed, timed_rounds, manager, rep,
# print_ratios and ODOO_PIVOT from bench/pivots.py, read first)
# Run with `env` by bench/calls (scripts/odoo_exec.py): the calls report
# pivot (salesperson x week), the call log and adoption pivots against Odoo's
# own Pipeline Analysis pivot (stage x expected closing month), as a manager
# and as a salesperson restricted to own documents; then logging a call
# through the dialog. A pivot asks for its totals, its row groups, its column
# groups and the cells: four grouped reads, timed together; the pivots and
# the list take turns, round after round, and each figure is the median of
# RUNS rounds after a first round that warms the caches.
from datetime import datetime, timedelta

PIVOTS = [
    ODOO_PIVOT,  # noqa: F821 (bench/pivots.py)
    (
        "Calls report pivot (salesperson x week, calls against targets)",
        "crm.call.report",
        [],
        "user_id",
        "date:week",
        ["call_count:sum", "target_daily:sum", "target_weekly:sum", "conversation_count:sum"],
    ),
    (
        "Call log pivot, all calls (salesperson x outcome)",
        "crm.lead.call",
        [],
        "user_id",
        "outcome",
        ["__count", "duration_minutes:sum"],
    ),
    (
        "Call log pivot, last 30 days (salesperson x stage at call)",
        "crm.lead.call",
        [("date", ">=", datetime.now() - timedelta(days=30))],
        "user_id",
        "stage_id",
        ["__count", "duration_minutes:sum"],
    ),
    (
        "Adoption pivot (salesperson x week)",
        "crm.adoption.report",
        [],
        "user_id",
        "date:week",
        ["login_count:sum", "call_count:sum", "move_count:sum"],
    ),
]


results = {}
for role, user in (("manager", manager), ("rep", rep)):
    measures = {}
    for label, model, domain, row, col, asked in PIVOTS:
        if model == "crm.adoption.report" and role == "rep":
            continue  # the managers' view
        Model = env[model].with_user(user)  # noqa: F821
        measures[label] = lambda Model=Model, domain=domain, row=row, col=col, asked=asked: pivot(
            Model, domain, row, col, asked
        )
    Calls = env["crm.lead.call"].with_user(user)
    measures["Call log list, first page (80 newest calls)"] = lambda Calls=Calls: (
        Calls.web_search_read(
            [],
            {
                "date": {},
                "lead_id": {"fields": {"display_name": {}}},
                "user_id": {"fields": {"display_name": {}}},
                "outcome": {},
                "duration_minutes": {},
            },
            limit=80,
        )
    )
    for label, seconds in timed_rounds(measures).items():
        results[role, label] = seconds
print_ratios(
    results, [pivot[0] for pivot in PIVOTS] + ["Call log list, first page (80 newest calls)"]
)

# logging a call: the dialog created, one outcome clicked; on the deal with
# the most calls and on one without any
env.cr.execute(
    "SELECT id FROM crm_lead WHERE user_id = %s ORDER BY call_count DESC LIMIT 1", [rep.id]
)  # noqa: F821
busy = env["crm.lead"].browse(env.cr.fetchone()[0])  # noqa: F821
quiet = env["crm.lead"].create(
    {
        "name": "Bench quiet deal",
        "type": "opportunity",  # noqa: F821
        "user_id": rep.id,
    }
)
env.cr.commit()  # noqa: F821


def log_call(deal):
    before = env.cr.sql_log_count  # noqa: F821
    wizard = env["crm.lead.call.log"].with_user(rep).create({"lead_id": deal.id})  # noqa: F821
    wizard.with_context(sff_call_outcome="no_answer").action_log()
    env.flush_all()  # noqa: F821
    log_call.queries = env.cr.sql_log_count - before  # noqa: F821


for label, deal in (
    (f"Logging a call on a deal with {busy.call_count:,} calls", busy),
    ("Logging a call on a deal without calls", quiet),
):
    seconds = timed(lambda deal=deal: log_call(deal), runs=9)
    print(f"| {label} | {seconds * 1000:.1f} ms | {log_call.queries} queries | - | - |")
env.cr.rollback()  # noqa: F821
