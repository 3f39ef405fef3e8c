# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One batch of a scheduled job, safe beside the users and the other jobs
of a multi-worker server."""

import logging
import threading
from datetime import timedelta

import psycopg2

from odoo import fields

_logger = logging.getLogger(__name__)

# what a batch may meet from another transaction: a change committed after
# its snapshot, a lock it may not wait for, a deadlock
CONFLICTS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.LockNotAvailable,
    psycopg2.errors.DeadlockDetected,
)
# a job that met one, or whose work was all being saved by users, runs
# again this much later
RETRY_AFTER = timedelta(minutes=1)


def new_transaction(cr):
    """End the scheduler's transaction, so that what follows starts another
    (its first statement takes its snapshot): the scheduler has read the
    job's row already. Not in a test's transaction, which a test rolls back
    (Odoo's jobs leave theirs the same way)."""
    if not getattr(threading.current_thread(), "testing", False):
        cr.commit()  # pylint: disable=invalid-commit


def run_batch(env, job_xmlid, batch, left, flush=True):
    """Run ``batch`` (returns (done, remaining)) in a transaction of its
    own and report the job's progress. The scheduler has read in its
    transaction already, which took its snapshot: the batch starts another,
    so that it sees every change committed before it. A batch that meets a
    change committed meanwhile is undone and left for a run a minute later
    (``left()`` counts the work then remaining): Odoo retries requests
    that fail to serialise, not jobs, which it would mark as failed, leaving
    the rest of their work to the next day. Returns the work remaining."""
    cr = env.cr
    new_transaction(cr)
    try:
        with cr.savepoint(flush=flush):
            done, remaining = batch()
    except CONFLICTS as error:
        _logger.info(
            "sales_funnel_forecast: a batch of %s met a concurrent change (%s), "
            "left for a run in a minute",
            job_xmlid,
            error.pgcode,
        )
        env.invalidate_all()
        done, remaining = 0, left()
    if remaining and not done:
        # a conflict, or every item being saved by users: the scheduler
        # would take the run as finished
        env.ref(job_xmlid).sudo()._trigger(fields.Datetime.now() + RETRY_AFTER)
    env["ir.cron"]._notify_progress(done=done, remaining=remaining)
    return remaining
