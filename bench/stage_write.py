# Run with `env` by bench/run (scripts/odoo_exec.py): one round of stage
# writes on open deals as users make them, each in its own committed
# transaction (chatter tracking, the module's history and PostgreSQL's
# commit included):
#   - batch: one write moving 1,000 deals (BENCH_BATCHES writes, after a
#     warm-up write);
#   - drag: one deal moved per write, as a kanban drag and drop (BENCH_DRAGS
#     writes).
# Before each write the connection is reset as Odoo's pool resets it when a
# request borrows it (DISCARD ALL), so that each write plans its statements
# and its triggers' as it does on a server.
# BENCH_MODE=vanilla (Odoo alone) or module (writes without and with the
# logging alternate: the history's stays and the funnel rows, which the
# module writes at the end of each transaction). Each round takes 1,000 deals still in the first
# stage and moves them back and forth between the second and third stages,
# so that every write is a real move. Prints the times of every write (one
# line, seconds) for bench/run, which alternates rounds of Odoo alone and of
# the module on two copies of one database and takes the medians.
import os
import time

from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

BATCHES = int(os.environ.get("BENCH_BATCHES", "2"))
DRAGS = int(os.environ.get("BENCH_DRAGS", "200"))
Lead = env["crm.lead"]  # noqa: F821 (odoo_exec)
stages = env["crm.stage"].search([], order="sequence, id", limit=4)  # noqa: F821
deals = Lead.search(
    [("stage_id", "=", stages[0].id), ("active", "=", True)], limit=1000, order="id"
)
assert len(deals) == 1000, (
    f"only {len(deals)} open deals left in the first stage: generate more deals"
)
batch_targets = iter([stages[1], stages[2]] * (BATCHES + 1))


def timed(function):
    # as a request borrows its connection from Odoo's pool: psycopg2's reset
    # (DISCARD ALL), which drops the plans PostgreSQL kept for the
    # connection, the triggers' and foreign keys' among them, and leaves
    # the connection at the server's defaults; then, as Odoo's cursor does
    # on a borrowed connection, repeatable read and writes allowed
    connection = env.cr.connection  # noqa: F821
    connection.reset()
    connection.set_isolation_level(ISOLATION_LEVEL_REPEATABLE_READ)
    connection.set_session(readonly=False)
    start = time.perf_counter()
    function()
    env.cr.commit()  # noqa: F821 (flush, pre-commit hooks, commit)
    elapsed = time.perf_counter() - start
    env.invalidate_all()  # noqa: F821
    return elapsed


def batch_write():
    target = next(batch_targets)
    return timed(lambda: deals.write({"stage_id": target.id}))


def drags(switch=None):
    """Times of single-deal writes, each deal to the other of the second and
    third stages; with ``switch``, writes alternate between the two settings
    it switches."""
    times = {True: [], False: []}
    for index, deal in enumerate(deals[:DRAGS]):
        on = index % 2 == 0
        if switch:
            switch(on)
        target = stages[2] if deal.stage_id == stages[1] else stages[1]
        times[on].append(
            timed(lambda deal=deal, target=target: deal.write({"stage_id": target.id}))
        )
    return times


def line(mode, values):
    return " ".join(
        [mode]
        + [f"{key}={','.join(f'{value:.5f}' for value in times)}" for key, times in values.items()]
    )


if os.environ.get("BENCH_MODE") == "vanilla":
    batch_write()  # warm-up
    batch = [batch_write() for _run in range(BATCHES)]
    drag = [value for values in drags().values() for value in values]
    print(line("vanilla", {"batch": batch, "drag": drag}))
else:
    History = type(env["crm.lead.stage.history"])  # noqa: F821
    # every write the module queues for the end of the transaction: the
    # stays, the owners of the stays, the funnel rows
    writers = {
        name: getattr(History, name)
        for name in (
            "_sff_record_moves",
            "_sff_close_stays",
            "_sff_sync_owner",
            "_sff_refresh_reach",
        )
    }

    def logging(on):
        for name, method in writers.items():
            setattr(History, name, method if on else (lambda self, *args, **kwargs: None))

    batch_write()  # warm-up
    batch = {True: [], False: []}
    for _run in range(BATCHES):
        for on in (False, True):
            logging(on)
            batch[on].append(batch_write())
    drag = drags(logging)
    logging(True)
    print(
        line(
            "module",
            {
                "nolog_batch": batch[False],
                "log_batch": batch[True],
                "nolog_drag": drag[False],
                "log_drag": drag[True],
            },
        )
    )
