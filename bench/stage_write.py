# Run through `odoo-bin shell` by bench/run: times a stage write on 1,000
# open deals, tracking included, each run rolled back. BENCH_MODE=vanilla
# (Odoo alone) or module (without, then with the history logging).
import os
import statistics
import time

RUNS = 7
Lead = env["crm.lead"]  # noqa: F821 (odoo shell)
stages = env["crm.stage"].search([], order="sequence, id", limit=4)  # noqa: F821
deals = Lead.search([("stage_id", "=", stages[0].id), ("active", "=", True)], limit=1000)
assert len(deals) == 1000, f"only {len(deals)} open deals in the first stage: generate at least 3,000 deals"


def measure():
    times = []
    for run in range(RUNS):
        target = stages[1 + run % 2]
        start = time.perf_counter()
        deals.write({"stage_id": target.id})
        env.flush_all()  # noqa: F821
        env.cr.precommit.run()  # noqa: F821  (chatter tracking)
        env.flush_all()  # noqa: F821
        times.append(time.perf_counter() - start)
        env.cr.rollback()  # noqa: F821
        env.invalidate_all()  # noqa: F821
    return statistics.median(times[1:])


if os.environ.get("BENCH_MODE") == "vanilla":
    print(f"vanilla median_s={measure():.3f}")
else:
    History = type(env["crm.lead.stage.history"])  # noqa: F821
    logger = History._sff_record_moves
    History._sff_record_moves = lambda self, *args, **kwargs: None
    nolog = measure()
    History._sff_record_moves = logger
    with_log = measure()
    print(f"module nolog_median_s={nolog:.3f} log_median_s={with_log:.3f}")
