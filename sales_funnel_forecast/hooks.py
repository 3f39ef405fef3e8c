# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time

from . import engine

_logger = logging.getLogger(__name__)


def post_init_hook(env):
    """Make the module right at once on an existing CRM database."""
    _set_initial_stage_percentages(env)
    Lead = env["crm.lead"]
    cr = env.cr
    cr.execute(
        """
        UPDATE crm_lead
           SET probability_is_manual = COALESCE(probability_is_manual, FALSE),
               forecast_excluded = COALESCE(forecast_excluded, FALSE),
               lost_stage_id = CASE WHEN NOT active AND COALESCE(probability, 0) = 0
                                    THEN stage_id END
        """
    )
    Lead.invalidate_model()
    # Deals whose probability differs from Odoo's automated one were typed by
    # a rep: they keep it. The others take their stage percentage.
    Lead._sff_align_probability_to_stage(include_automated=True)
    start = time.perf_counter()
    rows = env["crm.lead.stage.history"]._sff_backfill_from_tracking()
    seconds = time.perf_counter() - start
    env["ir.config_parameter"].sudo().set_param(
        "sales_funnel_forecast.last_backfill_seconds", f"{seconds:.1f}"
    )
    _logger.info(
        "sales_funnel_forecast: %s stage history rows rebuilt from the chatter in %.1f s",
        rows, seconds,
    )


def _set_initial_stage_percentages(env):
    """Odoo's default stages get 10 / 30 / 60 / 100; other stages without a
    percentage are spread by sequence; won stages get 100."""
    env.cr.execute("SELECT id FROM crm_stage WHERE forecast_probability IS NULL")
    missing = {row[0] for row in env.cr.fetchall()}
    if not missing:
        return
    known = {}
    for xmlid, percentage in engine.ODOO_DEFAULT_STAGE_PERCENTAGES.items():
        stage = env.ref(xmlid, raise_if_not_found=False)
        if stage:
            known[stage.id] = percentage
    all_stages = env["crm.stage"].search([("id", "in", list(missing))], order="sequence, id")
    # each team's own stages are spread along that team's pipeline; stages
    # shared by every team along theirs
    for stages in all_stages.grouped("team_id").values():
        _spread_stages(env, stages, known)


def _spread_stages(env, stages, known):
    spread = engine.spread_percentages(stages.mapped("is_won"))
    for stage, percentage in zip(stages, spread):
        # SQL: through the ORM the deals of the stage would follow at once,
        # before the hook has told typed probabilities apart
        env.cr.execute(
            "UPDATE crm_stage SET forecast_probability = %s WHERE id = %s",
            [100.0 if stage.is_won else known.get(stage.id, percentage), stage.id],
        )
    stages.invalidate_recordset(["forecast_probability"])
