# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an upgrade works out again from the data, as a first install does.

A migration script changes the data of its own version with the SQL of its
time, and names here what its version changed that the module works out
from the data (funnel rows, win rates, forecast versions...): ``request``.
Once every script of the upgrade has run, ``migrations/0.0.0`` runs the
parts requested, each once, in the order an install runs them, with the
code being installed (``run_requested``), whatever the version upgraded
from. The scripts thus carry no call to the models' methods, which keep
changing; the names of ``STEPS`` and ``request`` are their contract."""

import logging
import time

from odoo.tools import SQL

from ..hooks import deal_lookups, initial_contact_status_sql
from .forecast_versions import mark_lost_periods
from .stage_history import split_lost_periods, tracked_field_ids

_logger = logging.getLogger(__name__)
PARAM = "sales_funnel_forecast.upgrade_rebuild"


def _contact_status(env):
    # the deals the contact status was new to, as a first install sets it
    look = deal_lookups(env)
    env.cr.execute(
        SQL(
            """UPDATE crm_lead SET contact_status = %s
                WHERE contact_status = 'not_attempted' AND type = 'opportunity'""",
            initial_contact_status_sql(look["won"], look["disqualified"]),
        )
    )
    env["crm.lead"].invalidate_model(["contact_status"])


def _stall_days(env):
    env.cr.execute("SELECT id FROM crm_stage WHERE stall_days > 0")
    env["crm.lead.stage.history"]._sff_stage_rule_changed([row[0] for row in env.cr.fetchall()])


def _invoices(env):
    """Returns the invoices linked and the deals given invoice amounts."""
    linked = env["account.move"]._sff_link_existing_invoices()
    return linked, env["crm.lead"]._sff_fill_invoice_amounts()


def _lost_periods(env):
    """Deals lost and restored before the install, as the chatter tracked
    it, were out of the pipeline in between: their stays, versions, funnel
    rows and the snapshots of those days, for a database installed before
    the stays knew those times. Returns the (deal, lost at, restored at)
    times cut."""
    History = env["crm.lead.stage.history"]
    History._sff_flush_pending()
    env.flush_all()
    cuts = split_lost_periods(env, tracked_field_ids(env))
    if not cuts:
        return cuts
    History.invalidate_model()
    mark_lost_periods(env, cuts)
    History._sff_refresh_reach(sorted({cut[0] for cut in cuts}))
    # the snapshots of those days read the deals as open: their job takes
    # those of its 24 months again (and the accuracy lines after them), the
    # upgrade takes the older ones now (the job would not)
    env.cr.execute(
        """DELETE FROM crm_pipeline_snapshot s
            USING unnest(%s::timestamp[], %s::timestamp[]) AS c(lost_at, restored_at)
            WHERE s.date_snapshot::timestamp >= c.lost_at
              AND s.date_snapshot::timestamp < c.restored_at
        RETURNING s.date_snapshot""",
        [[cut[1] for cut in cuts], [cut[2] for cut in cuts]],
    )
    days = {row[0] for row in env.cr.fetchall()}
    if days:
        Snapshot = env["crm.pipeline.snapshot"]
        Snapshot.invalidate_model()
        older = sorted(days - set(Snapshot._sff_days_missing()))
        if older:
            Snapshot._sff_take(older)
        env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots")._trigger()
    return cuts


# in the order an install runs them (hooks.post_init_hook runs them by name
# here, around its own set-up of the deals and the history)
STEPS = {
    "loss_categories": lambda env: env["crm.lost.reason"]._sff_guess_categories(),
    "contact_status": _contact_status,
    "weighted_amounts": lambda env: env["crm.lead"]._sff_refresh_weighted_amounts(),
    "forecast_categories": lambda env: env["crm.lead"]._sff_align_forecast_category(),
    "stall_days": _stall_days,
    # (the install cuts the stays as it rebuilds them, before the versions)
    "lost_periods": _lost_periods,
    "forecast_versions": lambda env: env["crm.lead.forecast.version"]._sff_rebuild(),
    # the weekly snapshots: written by their job, a batch per run, after
    "snapshots": lambda env: env.ref(
        "sales_funnel_forecast.ir_cron_take_pipeline_snapshots"
    )._trigger(),
    # the job's days taken again (their days start at another hour)
    "snapshots_again": lambda env: env["crm.pipeline.snapshot"]._sff_take_again(),
    "invoices": _invoices,
    # the deals' invoiced and paid amounts only (their funnel rows' too)
    "invoice_amounts": lambda env: env["crm.lead"]._sff_fill_invoice_amounts(),
    "quotations_sent": lambda env: env["sale.order"]._sff_fill_quotation_sent_dates(),
    "calls": lambda env: env["crm.lead"]._sff_backfill_calls(),
    "funnel_rows": lambda env: env["crm.lead.stage.reach"]._sff_fill(),
    "win_rates": lambda env: env["crm.stage"]._sff_refresh_history_win_rates(),
    # the split team plans' members' monthly figures, rounded together
    "split_plans": lambda env: (
        env["crm.target.plan"].search([("parent_id", "!=", False)])._sff_rebuild_periods()
    ),
    # the target plans' actuals, ended plans' too
    "plan_actuals": lambda env: env["crm.target.plan"]._sff_refresh_all_actuals(),
    # the forecast accuracy lines, from the snapshots and the won deals;
    # while the job takes the snapshots again, its end does (worked out
    # now, the lines would find none and be no more)
    "accuracy_lines": lambda env: (
        env["crm.pipeline.snapshot"]._sff_retaking()
        or env["crm.forecast.accuracy.report"]._sff_refresh()
    ),
}


def request(cr, *steps):
    """Names parts of ``STEPS`` to run at the end of the upgrade."""
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"unknown rebuild steps: {sorted(unknown)}")
    cr.execute(
        """INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)
           ON CONFLICT (key) DO UPDATE
           SET value = ir_config_parameter.value || ',' || EXCLUDED.value""",
        [PARAM, ",".join(steps)],
    )


def run_requested(env):
    """Runs the parts the upgrade's scripts requested, each once."""
    env.cr.execute("DELETE FROM ir_config_parameter WHERE key = %s RETURNING value", [PARAM])
    row = env.cr.fetchone()
    requested = set(row[0].split(",")) if row else set()
    for name, step in STEPS.items():
        if name in requested:
            start = time.perf_counter()
            step(env)
            env.flush_all()
            _logger.info(
                "sales_funnel_forecast: upgrade: %s worked out again in %.1f s",
                name,
                time.perf_counter() - start,
            )
    return [name for name in STEPS if name in requested]
