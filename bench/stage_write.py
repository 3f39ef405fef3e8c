# Run with `env` by bench/run (scripts/odoo_exec.py): times stage writes on
# open deals as users make them, each in its own committed transaction
# (chatter tracking, the module's history and PostgreSQL's commit included):
#   - batch: one write moving 1,000 deals (median of 9 writes);
#   - drag: one deal moved per write, as a kanban drag and drop (median of
#     the writes of 5 rounds of 200).
# BENCH_MODE=vanilla (Odoo alone) or module (writes without and with the
# history logging alternate). Deals go back and forth between the second and
# third stages, so that every write is a real move.
import itertools
import os
import statistics
import time

RUNS = 9
DRAGS = 200
ROUNDS = 5
Lead = env["crm.lead"]  # noqa: F821 (odoo_exec)
stages = env["crm.stage"].search([], order="sequence, id", limit=4)  # noqa: F821
deals = Lead.search([("stage_id", "=", stages[0].id), ("active", "=", True)], limit=1000)
assert len(deals) == 1000, f"only {len(deals)} open deals in the first stage: generate at least 3,000 deals"
targets = itertools.cycle([stages[1], stages[2]])
drag_targets = {deal.id: itertools.cycle([stages[1], stages[2]]) for deal in deals[:DRAGS]}


def timed(function):
    start = time.perf_counter()
    function()
    env.cr.commit()  # noqa: F821 (flush, pre-commit hooks, commit)
    elapsed = time.perf_counter() - start
    env.invalidate_all()  # noqa: F821
    return elapsed


def batch_write():
    target = next(targets)
    return timed(lambda: deals.write({"stage_id": target.id}))


def drags(switch=None):
    """Times of single-deal writes; with ``switch``, writes alternate
    between the two settings it switches."""
    times = {True: [], False: []}
    for index, deal in enumerate(deals[:DRAGS]):
        on = index % 2 == 0
        if switch:
            switch(on)
        target = next(drag_targets[deal.id])
        times[on].append(timed(lambda deal=deal, target=target: deal.write({"stage_id": target.id})))
    return times


if os.environ.get("BENCH_MODE") == "vanilla":
    batch_write()  # warm-up
    batch = [batch_write() for _run in range(RUNS)]
    drag = []
    for _round in range(ROUNDS):
        drag += [value for values in drags().values() for value in values]
    print(f"vanilla batch_s={statistics.median(batch):.3f} drag_ms={1000 * statistics.median(drag):.2f}")
else:
    History = type(env["crm.lead.stage.history"])  # noqa: F821
    writers = {name: getattr(History, name)
               for name in ("_sff_record_moves", "_sff_close_stays", "_sff_sync_owner")}

    def logging(on):
        for name, method in writers.items():
            setattr(History, name, method if on else (lambda self, *args, **kwargs: None))

    batch_write()  # warm-up
    batch = {True: [], False: []}
    drag = {True: [], False: []}
    for _run in range(RUNS):
        for on in (False, True):
            logging(on)
            batch[on].append(batch_write())
    for _round in range(ROUNDS):
        for on, values in drags(logging).items():
            drag[on] += values
    logging(True)
    print(
        f"module nolog_batch_s={statistics.median(batch[False]):.3f} "
        f"log_batch_s={statistics.median(batch[True]):.3f} "
        f"nolog_drag_ms={1000 * statistics.median(drag[False]):.2f} "
        f"log_drag_ms={1000 * statistics.median(drag[True]):.2f}"
    )
