# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.8.0 -> 18.0.1.9.0: the module's scheduled jobs become
"noupdate": their schedule (interval, next run, active) belongs to the
administrator once installed. Odoo does not change the flag of a record it
already knows when the record moves into a noupdate block, so it is set
here, before the data files are loaded again, and this upgrade already
keeps the schedules as they are.

Only the jobs the module still has: one it no longer has (an earlier
release's) must stay updatable, so that the upgrade deletes it together
with its server action. The fold of the funnel's monthly totals runs every
hour instead of every day, unless an administrator changed its schedule."""

JOBS = (
    "ir_cron_apply_stall_rules",
    "ir_cron_compact_funnel_summary",
    "ir_cron_purge_user_logins",
    "ir_cron_rebuild_funnel_rows",
    "ir_cron_rebuild_funnel_summary",
    "ir_cron_refresh_history_win_rates",
    "ir_cron_refresh_overdue_amounts",
    "ir_cron_refresh_prorated_revenue",
    "ir_cron_refresh_target_plan_actuals",
    "ir_cron_validate_foreign_keys",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data SET noupdate = TRUE
            WHERE module = 'sales_funnel_forecast' AND model = 'ir.cron' AND NOT noupdate
              AND name = ANY(%s)""",
        [list(JOBS)],
    )
    cr.execute(
        """UPDATE ir_cron c SET interval_type = 'hours'
             FROM ir_model_data d
            WHERE d.res_id = c.id AND d.model = 'ir.cron' AND d.module = 'sales_funnel_forecast'
              AND d.name = 'ir_cron_compact_funnel_summary'
              AND c.interval_number = 1 AND c.interval_type = 'days'"""
    )
