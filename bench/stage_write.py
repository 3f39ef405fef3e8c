# Run through `odoo-bin shell` by bench/run: times a stage write on 1,000
# open deals, tracking included, each run rolled back. BENCH_MODE=vanilla
# (Odoo alone) or module (without, then with the history logging).
import os
import statistics
import time

RUNS = 9
Lead = env["crm.lead"]  # noqa: F821 (odoo shell)
stages = env["crm.stage"].search([], order="sequence, id", limit=4)  # noqa: F821
deals = Lead.search([("stage_id", "=", stages[0].id), ("active", "=", True)], limit=1000)
assert len(deals) == 1000, f"only {len(deals)} open deals in the first stage: generate at least 3,000 deals"


def one_write(run):
    target = stages[1 + run % 2]
    start = time.perf_counter()
    deals.write({"stage_id": target.id})
    env.flush_all()  # noqa: F821
    env.cr.precommit.run()  # noqa: F821  (chatter tracking)
    env.flush_all()  # noqa: F821
    elapsed = time.perf_counter() - start
    env.cr.rollback()  # noqa: F821
    env.invalidate_all()  # noqa: F821
    return elapsed


if os.environ.get("BENCH_MODE") == "vanilla":
    times = [one_write(run) for run in range(RUNS + 1)][1:]
    print(f"vanilla median_s={statistics.median(times):.3f}")
else:
    # Runs with and without the history logging alternate, so that a slower
    # or faster moment of the machine weighs on both alike.
    History = type(env["crm.lead.stage.history"])  # noqa: F821
    logger = History._sff_record_moves
    one_write(0)  # warm-up
    with_log, without_log = [], []
    for run in range(RUNS):
        History._sff_record_moves = lambda self, *args, **kwargs: None
        without_log.append(one_write(run))
        History._sff_record_moves = logger
        with_log.append(one_write(run))
    print(f"module nolog_median_s={statistics.median(without_log):.3f} "
          f"log_median_s={statistics.median(with_log):.3f}")
