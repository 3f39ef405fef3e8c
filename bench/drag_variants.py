"""Single-deal stage writes (kanban drags) timed on several copies of one
database in one process, the copies taking turns drag by drag (which one
goes first rotating), so that the machine's drift and the other work on it
fall on every copy alike. Each drag as bench/stage_write.py times it: the
connection reset as Odoo's pool resets it for a request (DISCARD ALL), at
repeatable read, the write, the flush, the pre-commit hooks and the commit.

Run by bench/drags NAME=DATABASE:MODE [NAME=DATABASE:MODE ...] (Odoo's
options, then ``--``, then the copies). Each copy first moves its DRAGS
deals of the first stage to the second, third and second stages (as
bench/stage_write.py's writes of 1,000 deals before its drags), then each
drag moves one of them between the second and third stages. MODE:
vanilla (Odoo alone), on (the module as shipped), off (the module with the
stays and funnel rows of its queue switched off, as bench/run's "logging
off": for a copy whose own triggers write them).
Environment: DRAGS (per copy, default 400), ROUND (drags a round, default
50). Prints each copy's median, each round's, and the ratio to the first
copy.
"""

import os
import statistics
import sys
import time

from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

import odoo
from odoo.tools import config

DRAGS = int(os.environ.get("DRAGS", "400"))
ROUND = int(os.environ.get("ROUND", "50"))
QUEUE_WRITERS = ("_sff_record_moves", "_sff_close_stays", "_sff_sync_owner", "_sff_refresh_reach")


def main():
    split = sys.argv.index("--")
    config.parse_config(sys.argv[1:split], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    copies = []
    for spec in sys.argv[split + 1 :]:
        name, rest = spec.split("=", 1)
        database, mode = rest.rsplit(":", 1)
        registry = odoo.modules.registry.Registry(database)
        cr = registry.cursor()
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if mode == "off":
            History = type(env["crm.lead.stage.history"])
            for method in QUEUE_WRITERS:
                setattr(History, method, lambda self, *args, **kwargs: None)
        stages = env["crm.stage"].search([], order="sequence, id", limit=3)
        deals = env["crm.lead"].search(
            [("stage_id", "=", stages[0].id), ("active", "=", True)], limit=DRAGS, order="id"
        )
        assert len(deals) == DRAGS, f"{database}: {len(deals)} open deals in the first stage"
        # as bench/stage_write.py's writes of the 1,000 deals before its
        # drags: every deal has been in the second and third stages
        for stage in (stages[1], stages[2], stages[1]):
            deals.write({"stage_id": stage.id})
            cr.commit()
        copies.append({"name": name, "env": env, "deals": deals, "stages": stages, "times": []})
    ids = {tuple(copy["deals"].ids) for copy in copies}
    assert len(ids) == 1, "the copies do not drag the same deals"

    def drag(copy, index):
        env, stages = copy["env"], copy["stages"]
        deal = copy["deals"][index]
        target = stages[2] if deal.stage_id == stages[1] else stages[1]
        connection = env.cr.connection
        connection.reset()
        connection.set_isolation_level(ISOLATION_LEVEL_REPEATABLE_READ)
        connection.set_session(readonly=False)
        start = time.perf_counter()
        deal.write({"stage_id": target.id})
        env.cr.commit()
        copy["times"].append(time.perf_counter() - start)
        env.invalidate_all()

    for index in range(DRAGS):
        shift = index % len(copies)
        for copy in copies[shift:] + copies[:shift]:
            drag(copy, index)

    base = statistics.median(copies[0]["times"])
    print(f"{DRAGS} drags per copy, taking turns drag by drag; medians in ms")
    print("| copy | median | ratio to " + copies[0]["name"] + " | rounds of " + str(ROUND) + " |")
    print("|---|---|---|---|")
    for copy in copies:
        times = copy["times"]
        median = statistics.median(times)
        rounds = " / ".join(
            f"{statistics.median(times[start : start + ROUND]) * 1000:.2f}"
            for start in range(0, len(times), ROUND)
        )
        print(f"| {copy['name']} | {median * 1000:.2f} | x{median / base:.3f} | {rounds} |")
    for copy in copies:
        copy["env"].cr.close()


if __name__ == "__main__":
    main()
