# Run with `env` by bench/reports (scripts/odoo_exec.py), in a process of its
# own: times the stall job over the open deals of the benchmark database, the
# way the scheduler runs it (one batch per call, a commit after each), with
# limits chosen so that about one open deal in ten is past its stage's limit:
# the first stage flags them, the second takes them out of the forecast, the
# third moves them back. Then runs the job again, which finds nothing to do.
# Prints the time, the deals acted on and the process's peak memory.
import math
import resource
import time

cr = env.cr  # noqa: F821 (odoo_exec)
Lead = env["crm.lead"]  # noqa: F821
stages = env["crm.stage"].search(
    [("team_id", "=", False), ("is_won", "=", False)], order="sequence, id"
)[:3]
cr.execute(
    """SELECT h.stage_id,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - h.date_in)) / 86400)
         FROM crm_lead_stage_history h JOIN crm_lead l ON l.id = h.lead_id
        WHERE h.date_out IS NULL AND l.active AND h.stage_id = ANY(%s)
     GROUP BY h.stage_id""",
    [stages.ids],
)
limits = {stage_id: max(1, math.ceil(days)) for stage_id, days in cr.fetchall()}
for stage, action in zip(stages, ("flag", "exclude", "move_back")):
    stage.write({"stall_days": limits.get(stage.id, 30), "stall_action": action})
cr.commit()
cr.execute(
    "SELECT count(*) FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id "
    "WHERE l.active AND l.type = 'opportunity' AND NOT COALESCE(s.is_won, FALSE)"
)
open_deals = cr.fetchone()[0]


def run():
    """The job's calls and the commits after them are timed; the count of
    the deals past their limit before each call, which tells how many the
    call acted on, is not part of the job and is left out of the time."""
    done_total = 0
    elapsed = 0.0
    while True:
        cr.execute(
            "SELECT count(*) FROM crm_lead_stage_history WHERE date_out IS NULL "
            "AND stall_due < now() AT TIME ZONE 'UTC'"
        )
        before = cr.fetchone()[0]
        start = time.perf_counter()
        remaining = Lead._cron_apply_stall_rules()
        cr.commit()
        elapsed += time.perf_counter() - start
        done_total += before - remaining if before >= remaining else 0
        env.invalidate_all()  # noqa: F821
        if not remaining:
            break
    return elapsed, done_total


first_s, first_done = run()
second_s, second_done = run()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(
    f"| stall job, first run: {first_done} of {open_deals} open deals acted on "
    f"(limits {sorted(limits.values())} days) | {first_s:.1f} s |"
)
print(f"| stall job, run again right after: {second_done} acted on | {second_s:.1f} s |")
print(f"| peak memory of the Odoo process running the job | {peak_mb:.0f} MB |")
