# Run with `env` by bench/run (scripts/odoo_exec.py): times stage writes on
# open deals, chatter tracking and the module's history included, each run
# rolled back.
#   - batch: one write moving 1,000 deals (median of 9 runs);
#   - drag: one deal moved per write, as a kanban drag and drop, 200 writes
#     a run (median per write);
# BENCH_MODE=vanilla (Odoo alone) or module (without, then with the history
# logging, runs alternating).
import os
import statistics
import time

RUNS = 9
DRAGS = 200
Lead = env["crm.lead"]  # noqa: F821 (odoo_exec)
stages = env["crm.stage"].search([], order="sequence, id", limit=4)  # noqa: F821
deals = Lead.search([("stage_id", "=", stages[0].id), ("active", "=", True)], limit=1000)
assert len(deals) == 1000, f"only {len(deals)} open deals in the first stage: generate at least 3,000 deals"


def commit_like():
    """What a request does before committing: flush, then pre-commit hooks
    (chatter tracking, the module's queued history)."""
    env.flush_all()  # noqa: F821
    env.cr.flush()  # noqa: F821


def batch_write(run):
    target = stages[1 + run % 2]
    start = time.perf_counter()
    deals.write({"stage_id": target.id})
    commit_like()
    elapsed = time.perf_counter() - start
    env.cr.rollback()  # noqa: F821
    env.invalidate_all()  # noqa: F821
    return elapsed


def drags(run, switch=None):
    """Median time of one deal's write; with ``switch``, writes alternate
    between the two settings it switches (median of each)."""
    times = {True: [], False: []}
    for index, deal in enumerate(deals[:DRAGS]):
        on = index % 2 == 0
        if switch:
            switch(on)
        target = stages[1 + (run + index) % 2]
        start = time.perf_counter()
        deal.write({"stage_id": target.id})
        commit_like()
        times[on].append(time.perf_counter() - start)
    env.cr.rollback()  # noqa: F821
    env.invalidate_all()  # noqa: F821
    return {on: statistics.median(values) for on, values in times.items()}


def measure():
    batch_write(0)  # warm-up
    drags(0)
    batch = [batch_write(run) for run in range(RUNS)]
    drag = [value for run in range(3) for value in drags(run).values()]
    return batch, drag


if os.environ.get("BENCH_MODE") == "vanilla":
    batch, drag = measure()
    print(f"vanilla batch_s={statistics.median(batch):.3f} drag_ms={1000 * statistics.median(drag):.2f}")
else:
    # Runs with and without the history logging alternate (whole batch
    # writes, and single-deal writes one by one), so that a slower or faster
    # moment of the machine weighs on both alike.
    History = type(env["crm.lead.stage.history"])  # noqa: F821
    writers = {name: getattr(History, name)
               for name in ("_sff_record_moves", "_sff_close_stays", "_sff_sync_owner")}

    def logging(on):
        for name, method in writers.items():
            setattr(History, name, method if on else (lambda self, *args, **kwargs: None))

    batch_write(0)
    drags(0, logging)
    batch = {True: [], False: []}
    drag = {True: [], False: []}
    for run in range(RUNS):
        for on in (False, True):
            logging(on)
            batch[on].append(batch_write(run))
        if run < 5:
            for on, value in drags(run, logging).items():
                drag[on].append(value)
    logging(True)
    print(
        f"module nolog_batch_s={statistics.median(batch[False]):.3f} "
        f"log_batch_s={statistics.median(batch[True]):.3f} "
        f"nolog_drag_ms={1000 * statistics.median(drag[False]):.2f} "
        f"log_drag_ms={1000 * statistics.median(drag[True]):.2f}"
    )
