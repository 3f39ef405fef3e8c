# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.tools import SQL

from . import engine, engine_sql
from .models.bulk import without_indexes
from .models.crm_lead import SYNC_REFRESH_LIMIT
from .models.crm_lost_reason import DISQUALIFYING_CATEGORIES

_logger = logging.getLogger(__name__)


def post_init_hook(env):
    """Make the module right at once on an existing CRM database: stage
    percentages, the deals' new fields in one set-based statement, Odoo's
    prorated amounts of the deals whose probability moved, and the stage
    history rebuilt from the chatter, invoices linked to the deals of their
    orders."""
    start = time.perf_counter()
    _set_initial_stage_percentages(env)
    env["crm.lost.reason"]._sff_guess_categories()
    changed = _initialise_deals(env)
    Lead = env["crm.lead"]
    if len(changed) <= SYNC_REFRESH_LIMIT:
        Lead._sff_compute_odoo_amounts(changed)
    else:
        # Odoo's own computation of its prorated amounts runs at about 4,000
        # deals a second: on a large database, the refresh job does it in
        # batches right after the installation
        env.ref("sales_funnel_forecast.ir_cron_refresh_prorated_revenue")._trigger()
    deals_seconds = time.perf_counter() - start
    start = time.perf_counter()
    rows = env["crm.lead.stage.history"]._sff_backfill_from_tracking()
    history_seconds = time.perf_counter() - start
    start = time.perf_counter()
    linked = env["account.move"]._sff_link_existing_invoices()
    with_invoices = Lead._sff_fill_invoice_amounts()
    invoices_seconds = time.perf_counter() - start
    start = time.perf_counter()
    calls = env["crm.lead"]._sff_backfill_calls()
    reached = env["crm.lead.stage.reach"]._sff_fill()
    env["crm.stage"]._cron_refresh_history_win_rates()
    _logger.info(
        "sales_funnel_forecast: deals initialised in %.1f s (%s probabilities "
        "moved to their stage); %s stage history rows rebuilt from the chatter "
        "in %.1f s; %s invoices linked to %s deals in %.1f s; calls of %s deals and %s funnel "
        "rows in %.1f s",
        deals_seconds, len(changed), rows, history_seconds,
        linked, with_invoices, invoices_seconds,
        calls, reached, time.perf_counter() - start,
    )


def _set_initial_stage_percentages(env):
    """Stages without a percentage get one: Odoo's default stages 10 / 30 /
    60 / 100, won stages 100, the others spread between their neighbours in
    each pipeline (shared stages first, then each team's)."""
    Stage = env["crm.stage"].with_context(active_test=False)
    env.cr.execute("SELECT id FROM crm_stage WHERE forecast_probability IS NULL")
    missing = {row[0] for row in env.cr.fetchall()}
    if not missing:
        return
    known = {}
    for xmlid, percentage in engine.ODOO_DEFAULT_STAGE_PERCENTAGES.items():
        stage = env.ref(xmlid, raise_if_not_found=False)
        if stage and stage.id in missing:
            known[stage.id] = percentage
    values = {}

    def current(stage):
        if stage.id in values:
            return values[stage.id]
        if stage.id in known:
            return known[stage.id]
        return None if stage.id in missing else stage.forecast_probability

    def fill(stages):
        ordered = stages.sorted(lambda s: engine.stage_order_key(s.sequence, s.id))
        pairs = [(current(stage), stage.is_won) for stage in ordered]
        for stage, percentage in zip(ordered, engine.fill_percentages(pairs)):
            if stage.id in missing:
                values.setdefault(stage.id, percentage)

    fill(Stage.search([("team_id", "=", False)]))
    for team in Stage.search([("team_id", "!=", False)]).team_id:
        fill(Stage.search(Stage._sff_pipeline_domain(team.id)))
    # SQL: through the ORM the deals of each stage would follow at once,
    # before the deals' typed probabilities are told apart
    env.cr.execute(
        """UPDATE crm_stage s SET forecast_probability = v.percentage
             FROM unnest(%s::int[], %s::numeric[]) AS v(id, percentage)
            WHERE s.id = v.id""",
        [list(values), list(values.values())],
    )
    Stage.invalidate_model(["forecast_probability"])


def _initialise_deals(env):
    """Fill the deals' new columns in one statement over crm_lead, writing
    only the deals whose values differ from the columns' defaults (a table
    rewrite is what makes installs slow on large databases):

    - a probability that differs from both Odoo's automated one and the stage
      percentage was typed by a rep: it holds and is flagged as typed;
    - other open deals of companies that let stages drive probabilities take
      their stage percentage, and wait for Odoo's prorated amounts;
    - lost deals remember the stage they are in as the stage they were lost
      in; nothing is out of the forecast yet; weighted amounts follow.

    Returns the ids of the deals whose probability changed.
    """
    cr = env.cr
    env.flush_all()
    # one long statement: compiling it just in time costs more than it saves
    cr.execute("SET LOCAL jit = off")
    follows_default = env.company.crm_probability_from_stage
    follows = SQL(
        "(l.active AND NOT COALESCE(s.is_won, FALSE) AND s.id IS NOT NULL "
        "AND COALESCE(c.crm_probability_from_stage, %s))", follows_default,
    )
    typed = SQL(
        "(%s AND l.probability IS NOT NULL "
        "AND l.probability IS DISTINCT FROM l.automated_probability "
        "AND l.probability <> %s)",
        follows, engine_sql.stage_probability("s"),
    )
    new_probability = SQL(
        "(CASE WHEN %s AND NOT %s THEN %s ELSE l.probability END)",
        follows, typed, engine_sql.stage_probability("s"),
    )
    amounts = [SQL.identifier("l", "expected_revenue"), new_probability,
               SQL.identifier("l", "active"), SQL.identifier("s", "is_won"), SQL("FALSE")]
    # most deals change: the deals' indexes are built again after the
    # statement rather than updated row by row
    with without_indexes(cr, "crm_lead"):
        cr.execute(_initialise_deals_sql(typed, new_probability, amounts))
        changed = [lead_id for lead_id, moved in cr.fetchall() if moved]
    cr.execute("RESET jit")
    env["crm.lead"].invalidate_model()
    return changed


def _initialise_deals_sql(typed, new_probability, amounts):
    return SQL(
        """
        WITH computed AS (
            SELECT l.id, %(typed)s AS typed, %(new_probability)s AS probability,
                   %(forecast)s AS forecast, %(pipeline)s AS pipeline,
                   COALESCE(l.lost_stage_id,
                            CASE WHEN NOT l.active AND COALESCE(l.probability, 0) = 0
                                 THEN l.stage_id END) AS lost_stage_id,
                   COALESCE(l.origin_type, src.origin_type,
                            CASE WHEN COALESCE(l.referred, '') <> '' THEN 'seed' END) AS origin_type,
                   %(contact_status)s AS contact_status
              FROM crm_lead l
         LEFT JOIN crm_stage s ON s.id = l.stage_id
         LEFT JOIN res_company c ON c.id = l.company_id
         LEFT JOIN utm_source src ON src.id = l.source_id
         LEFT JOIN crm_lost_reason lr ON lr.id = l.lost_reason_id
        )
        UPDATE crm_lead l
           SET probability = n.probability,
               probability_is_manual = n.typed,
               forecast_excluded = FALSE,
               lost_stage_id = n.lost_stage_id,
               forecast_revenue = n.forecast,
               pipeline_amount = n.pipeline,
               prorated_pending = n.probability IS DISTINCT FROM l.probability,
               origin_type = n.origin_type,
               contact_status = n.contact_status
          FROM computed n
         WHERE n.id = l.id
           AND (n.probability IS DISTINCT FROM l.probability
                OR n.typed IS DISTINCT FROM l.probability_is_manual
                OR l.forecast_excluded IS DISTINCT FROM FALSE
                OR n.lost_stage_id IS DISTINCT FROM l.lost_stage_id
                OR n.forecast IS DISTINCT FROM l.forecast_revenue
                OR n.pipeline IS DISTINCT FROM l.pipeline_amount
                OR n.origin_type IS DISTINCT FROM l.origin_type
                OR n.contact_status IS DISTINCT FROM l.contact_status)
     RETURNING l.id, l.prorated_pending
        """,
        typed=typed, new_probability=new_probability,
        contact_status=initial_contact_status_sql(),
        forecast=engine_sql.weighted_revenue(*amounts),
        pipeline=engine_sql.pipeline_amount(*amounts),
    )


def initial_contact_status_sql():
    """Contact status of deals that exist before the module (``l``: the deal,
    ``s`` its stage, ``lr`` its lost reason): leads not attempted yet, won
    deals qualified, deals lost for a disqualifying reason disqualified,
    other opportunities contacted."""
    return SQL(
        """(CASE WHEN l.type = 'lead' THEN COALESCE(l.contact_status, 'not_attempted')
                 WHEN l.active AND COALESCE(s.is_won, FALSE) THEN 'qualified'
                 WHEN NOT l.active AND lr.category = ANY(%s) THEN 'disqualified'
                 ELSE 'contacted' END)""",
        list(DISQUALIFYING_CATEGORIES),
    )


def uninstall_hook(env):
    """Archived stages are a notion of this module: once it is gone they
    would show again in every pipeline. Those that no deal is in are the ones
    users wanted to delete (or stages restored from the chatter): they go.
    The lost reasons the module shipped that deals were lost with stay, as
    the company's own: they are no longer the module's to remove. The deals'
    buying roles go with their table, before Odoo removes the role types
    they point to."""
    env.cr.execute(
        """DELETE FROM ir_model_data d
            WHERE d.module = 'sales_funnel_forecast' AND d.model = 'crm.lost.reason'
              AND EXISTS (SELECT 1 FROM crm_lead l WHERE l.lost_reason_id = d.res_id)"""
    )
    env.cr.execute("DELETE FROM crm_lead_buying_role")
    # the calls and logins go with the module: they would hold on to the demo
    # salespeople that the uninstall deletes before it drops their tables
    env.cr.execute("DELETE FROM crm_lead_call")
    env.cr.execute("DELETE FROM crm_user_login")
    Stage = env["crm.stage"].with_context(active_test=False, **{MODULE_UNINSTALL_FLAG: True})
    env.cr.execute(
        """SELECT s.id FROM crm_stage s
            WHERE NOT s.active
              AND NOT EXISTS (SELECT 1 FROM crm_lead l WHERE l.stage_id = s.id)"""
    )
    archived = Stage.browse(row[0] for row in env.cr.fetchall())
    if archived:
        # the history table is dropped with the module right after
        env.cr.execute(
            """DELETE FROM crm_lead_stage_history
                WHERE stage_id = ANY(%(ids)s) OR previous_stage_id = ANY(%(ids)s)""",
            {"ids": archived.ids},
        )
        archived.unlink()
