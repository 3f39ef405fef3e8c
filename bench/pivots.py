# Read before bench/reports.py and bench/calls.py (the shell scripts feed
# both files to scripts/odoo_exec.py, which gives them `env`): the timing
# rules the report benchmarks share. A pivot asks for its totals, its row
# groups, its column groups and the cells: four grouped reads, timed
# together, through the public read_group that the web client's pivot
# calls, with the order and the formatting it adds (runs before December
# 2026 called _read_group). Measures compared with each other are timed in
# rounds (each measure once per round, in turn), so that Odoo's own pivot and the
# module's see the same state of the machine; each figure is the median of
# RUNS rounds after a first round that warms the caches.
import statistics
import time

RUNS = 5
manager = env["res.users"].search([("login", "=", "bench.manager")])  # noqa: F821 (odoo_exec)
rep = env["res.users"].search([("login", "=", "bench.rep.01")])  # noqa: F821
ODOO_PIVOT = (
    "Odoo's Pipeline Analysis pivot (stage x expected closing month)",
    "crm.lead",
    [("type", "=", "opportunity")],
    "stage_id",
    "date_deadline:month",
    ["__count", "expected_revenue:sum", "prorated_revenue:sum"],
)


def pivot(Model, domain, row, col, measures):
    # through read_group, as the web client's pivot asks (it orders the
    # groups by themselves, and formats them)
    for groupby in ([], [row], [col], [row, col]):
        Model.read_group(domain, measures, groupby, lazy=False)


def timed(function, runs=RUNS):
    times = []
    for _run in range(runs + 1):
        env.invalidate_all()  # noqa: F821
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def timed_rounds(functions, runs=RUNS):
    """``functions`` maps labels to functions: each is run once per round,
    in turn; returns the median time of each over the rounds after the
    first."""
    times = {label: [] for label in functions}
    for _round in range(runs + 1):
        for label, function in functions.items():
            env.invalidate_all()  # noqa: F821
            start = time.perf_counter()
            function()
            times[label].append(time.perf_counter() - start)
    return {label: statistics.median(values[1:]) for label, values in times.items()}


def print_ratios(results, labels):
    """One row per measure: the manager's and the salesperson's times and
    their ratios to Odoo's pivot."""
    print("| measure | manager | ratio | salesperson (own deals) | ratio |")
    print("|---|---|---|---|---|")
    for label in labels:
        cells = []
        for role in ("manager", "rep"):
            if (role, label) not in results:
                cells += ["-", "-"]
                continue
            seconds = results[role, label]
            cells += [f"{seconds:.3f} s", f"x{seconds / results[role, ODOO_PIVOT[0]]:.2f}"]
        print(f"| {label} | " + " | ".join(cells) + " |")
