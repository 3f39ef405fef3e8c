# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time
from collections import defaultdict

import psycopg2
from lxml import etree

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.tools import SQL, file_open

from . import engine, engine_sql
from .const import DISQUALIFYING_CATEGORIES
from .install.stage_history import backfill_from_tracking
from .models.crm_lead import LIVECHAT_SOURCE, SYNC_REFRESH_LIMIT
from .tools.bulk import index_build_memory, without_indexes

_logger = logging.getLogger(__name__)


def post_init_hook(env):
    """Make the module right at once on an existing CRM database: stage
    percentages, the deals' new fields in one set-based statement, Odoo's
    prorated amounts of the deals whose probability moved, and the stage
    history rebuilt from the chatter, invoices linked to the deals of their
    orders."""
    # the steps an upgrade can run again too (install.rebuild imports this
    # module's SQL helpers, hence here)
    from .install.rebuild import STEPS

    start = time.perf_counter()
    # the forecast versions are rebuilt once the deals are set up; until
    # then the database writes none (their triggers would write one per deal
    # set up here, and keep PostgreSQL from writing the deals' table again)
    env["crm.lead.forecast.version"]._sff_drop_triggers()
    # they point to the stages (restrict): the archived stages removed below
    # would be kept by the versions of the deals that went through them
    env.cr.execute("DELETE FROM crm_lead_forecast_version")
    _set_initial_stage_percentages(env)
    STEPS["loss_categories"](env)
    changed, moved = _initialise_deals(env)
    Lead = env["crm.lead"]
    if changed is not None:
        Lead._sff_compute_odoo_amounts(changed)
    else:
        # Odoo's own computation of its prorated amounts runs at about 4,000
        # deals a second: on a large database, the refresh job does it in
        # batches right after the installation
        env.ref("sales_funnel_forecast.ir_cron_refresh_prorated_revenue")._trigger()
    deals_seconds = time.perf_counter() - start
    start = time.perf_counter()
    rows = backfill_from_tracking(env)
    history_seconds = time.perf_counter() - start
    start = time.perf_counter()
    versions = STEPS["forecast_versions"](env)
    versions_seconds = time.perf_counter() - start
    # the weekly snapshots of the past 24 months: written by their job, a
    # batch per run, right after the install
    STEPS["snapshots"](env)
    start = time.perf_counter()
    linked, with_invoices = STEPS["invoices"](env)
    STEPS["quotations_sent"](env)
    invoices_seconds = time.perf_counter() - start
    start = time.perf_counter()
    calls = STEPS["calls"](env)
    reached = STEPS["funnel_rows"](env)
    STEPS["win_rates"](env)
    _logger.info(
        "sales_funnel_forecast: deals initialised in %.1f s (%s probabilities "
        "moved to their stage); %s stage history rows rebuilt from the chatter "
        "in %.1f s; %s forecast versions in %.1f s; %s invoices linked to %s deals in %.1f s; calls of %s deals and %s funnel "
        "rows in %.1f s",
        deals_seconds,
        moved,
        rows,
        history_seconds,
        versions,
        versions_seconds,
        linked,
        with_invoices,
        invoices_seconds,
        calls,
        reached,
        time.perf_counter() - start,
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
    known.update(_catalogue_step_percentages(env, Stage.browse(missing)))
    values = {}

    def current(stage):
        if stage.id in values:
            return values[stage.id]
        if stage.id in known:
            return known[stage.id]
        return None if stage.id in missing else stage.forecast_probability

    def fill(stages):
        ordered = stages._sff_sorted()
        pairs = [(current(stage), stage.is_won) for stage in ordered]
        for stage, percentage in zip(ordered, engine.fill_percentages(pairs)):
            if stage.id in missing:
                values.setdefault(stage.id, percentage)

    fill(Stage.search([("team_id", "=", False)]))
    for team in Stage.search([("team_id", "!=", False)]).team_id:
        fill(Stage.search(Stage._sff_pipeline_domain(team.id)))
    # SQL: through the ORM the deals of each stage would follow at once,
    # before the deals' typed probabilities are told apart
    # and the category of each new percentage (the stages' categories were
    # worked out when the column was added, before they had one)
    env.cr.execute(
        SQL(
            """UPDATE crm_stage s SET forecast_probability = v.percentage, forecast_category = %s
             FROM unnest(%s::int[], %s::numeric[]) AS v(id, percentage)
            WHERE s.id = v.id""",
            engine_sql.stage_forecast_category(SQL("v.percentage"), SQL("s.is_won")),
            list(values),
            list(values.values()),
        )
    )
    Stage.invalidate_model(["forecast_probability", "forecast_category"])


def _catalogue_step_percentages(env, stages):
    """The percentages of the catalogue steps that a team's stages are
    named after (in English), from the catalogue that names most of the
    team's stages (two at least): a team that ran one of the catalogues
    before the module was uninstalled gets its percentages back. Maps stage
    ids to percentages."""
    steps = defaultdict(dict)
    for line in env["crm.stage.catalogue.line"].with_context(lang="en_US").search([]):
        steps[line.catalogue_id.id][line.name] = line.forecast_probability
    found = {}
    for team_id in set(stages.mapped("team_id").ids):
        named = {
            stage.id: stage.with_context(lang="en_US").name
            for stage in stages.filtered(lambda stage, team_id=team_id: stage.team_id.id == team_id)
        }
        matches = {
            catalogue_id: sum(name in names for name in named.values())
            for catalogue_id, names in steps.items()
        }
        best = max(
            matches, key=lambda catalogue_id: (matches[catalogue_id], -catalogue_id), default=None
        )
        if best is None or matches[best] < 2:
            continue
        for stage_id, name in named.items():
            if name in steps[best]:
                found[stage_id] = steps[best][name]
    return found


def _initialise_deals(env):
    """Fill the deals' new columns, and move the probabilities that follow
    the stage, in one pass over crm_lead (``initial_deal_columns``):

    - a probability that differs from both Odoo's automated one and the stage
      percentage was typed by a rep: it holds and is flagged as typed;
    - other open deals of companies that let stages drive probabilities take
      their stage percentage, and wait for Odoo's prorated amounts;
    - lost (archived) deals remember the stage they are in as the stage
      they were lost in, whatever probability an older Odoo left them at
      (as archiving one does live); nothing is out of the forecast yet (but the demo's deals its
      stall rules took out); weighted amounts follow.

    Most deals change: rather than updating them (which leaves the old
    version of every row behind, and every index to build over twice the
    rows), PostgreSQL writes the table again with the new values
    (``ALTER TABLE ... ALTER COLUMN ... TYPE`` to the same type ``USING``
    them) and builds its indexes once over the new rows. The module's own
    report views that read these columns are made again after; where
    another module's view reads them, the deals whose values differ are
    updated instead.

    Returns the ids of the deals whose probability changed (None when more
    than ``SYNC_REFRESH_LIMIT`` did, which the refresh job takes in
    batches), and how many did.
    """
    cr = env.cr
    env.flush_all()
    # one long statement: compiling it just in time costs more than it saves
    cr.execute("SET LOCAL jit = off")
    columns = initial_deal_columns(env)
    if not _rewrite_deals(env, columns):
        with without_indexes(cr, "crm_lead"):
            cr.execute(
                SQL(
                    "UPDATE crm_lead SET %s WHERE %s",
                    SQL(", ").join(
                        SQL("%s = %s", SQL.identifier(name), value)
                        for name, value in columns.items()
                    ),
                    SQL(" OR ").join(
                        SQL("(%s) IS DISTINCT FROM %s", value, SQL.identifier(name))
                        for name, value in columns.items()
                    ),
                )
            )
    cr.execute("RESET jit")
    env["crm.lead"].invalidate_model()
    # the ids go to Python only when they are few enough to compute at once
    cr.execute("SELECT id FROM crm_lead WHERE prorated_pending LIMIT %s", [SYNC_REFRESH_LIMIT + 1])
    changed = [row[0] for row in cr.fetchall()]
    if len(changed) <= SYNC_REFRESH_LIMIT:
        return changed, len(changed)
    cr.execute("SELECT count(*) FROM crm_lead WHERE prorated_pending")
    return None, cr.fetchone()[0]


def _rewrite_deals(env, columns):
    """Write crm_lead again with ``columns`` (name: value over the deal's
    own columns) in one ``ALTER TABLE``; False, with nothing changed, when
    a view that is not the module's reads one of them or PostgreSQL refuses."""
    cr = env.cr
    cr.execute(
        """SELECT DISTINCT v.relname FROM pg_depend d
             JOIN pg_rewrite r ON r.oid = d.objid
             JOIN pg_class v ON v.oid = r.ev_class
             JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.refobjid = 'crm_lead'::regclass AND v.relname <> 'crm_lead'
              AND a.attname = ANY(%s)""",
        [list(columns)],
    )
    views = {row[0] for row in cr.fetchall()}
    reports = [
        model
        for model in env.registry.values()
        if not model._auto
        and not model._abstract
        and model._table in views
        and model._original_module == "sales_funnel_forecast"
    ]
    if views - {model._table for model in reports}:
        _logger.info(
            "sales_funnel_forecast: views of other modules read the deals' columns %s: "
            "the deals are updated instead of written again",
            sorted(views),
        )
        return False
    cr.execute(
        """SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = 'crm_lead'::regclass AND attname = ANY(%s) AND NOT attisdropped""",
        [list(columns)],
    )
    # the columns keep the types the catalog gives them
    types = dict(cr.fetchall())
    try:
        with cr.savepoint():
            for model in reports:
                cr.execute(SQL("DROP VIEW %s", SQL.identifier(model._table)))
            # the rewrite builds every index of the table again
            with index_build_memory(cr):
                cr.execute(
                    SQL(
                        "ALTER TABLE crm_lead %s",
                        SQL(", ").join(
                            SQL(
                                "ALTER COLUMN %s TYPE %s USING %s",
                                SQL.identifier(name),
                                SQL(types[name]),
                                value,
                            )
                            for name, value in columns.items()
                        ),
                    )
                )
            for model in reports:
                env[model._name].init()
    except psycopg2.Error as error:
        _logger.warning(
            "sales_funnel_forecast: the deals are updated instead of written again: %s", error
        )
        return False
    # the planner's statistics of the columns written went with them (the
    # other columns' stay: gathering only these reads the same sample of
    # rows, without working out the statistics of Odoo's hundred columns)
    cr.execute(
        SQL("ANALYZE crm_lead (%s)", SQL(", ").join(SQL.identifier(name) for name in columns))
    )
    return True


def initial_deal_columns(env):
    """The deals' new columns (and their probability) as they are on
    install: name: value over the deal's own columns, the few stages,
    companies, sources and lost reasons looked up by id, so that each value
    reads the deal's row alone (as ``ALTER TABLE ... USING`` requires)."""
    look = deal_lookups(env)
    won, stage_probability = look["won"], look["stage_probability"]
    follows = SQL("(active AND NOT %s AND stage_id IS NOT NULL AND %s)", won, look["follows_stage"])
    typed = SQL(
        "(%s AND probability IS NOT NULL AND probability IS DISTINCT FROM automated_probability "
        "AND probability <> %s)",
        follows,
        stage_probability,
    )
    new_probability = SQL(
        "(CASE WHEN %s AND NOT %s THEN %s ELSE probability END)", follows, typed, stage_probability
    )
    # nothing is out of the forecast on a database the module arrives on;
    # the demo's deals are made, and its stall rules run, before this step:
    # those a rule took out stay out
    excluded = SQL("COALESCE(forecast_excluded, FALSE)")
    amounts = [
        SQL.identifier("expected_revenue"),
        new_probability,
        SQL.identifier("active"),
        won,
        excluded,
        env["crm.lead"]._sff_decimals_sql(SQL.identifier("company_id")),
    ]
    return {
        "probability": new_probability,
        "probability_is_manual": typed,
        "forecast_excluded": excluded,
        "lost_stage_id": SQL("COALESCE(lost_stage_id, CASE WHEN NOT active THEN stage_id END)"),
        "forecast_revenue": engine_sql.weighted_revenue(*amounts),
        "pipeline_amount": engine_sql.pipeline_amount(*amounts),
        # Odoo's prorated amounts wait for the deals whose probability moves
        "prorated_pending": SQL(
            "(COALESCE(prorated_pending, FALSE) OR %s IS DISTINCT FROM probability)",
            new_probability,
        ),
        # as crm.lead._compute_origin_type: the source's type, else inbound
        # for Odoo's own channels (which write into Referred By), else a
        # referral when someone is named there
        "origin_type": SQL(
            "COALESCE(origin_type, %s, CASE WHEN %s THEN 'net' "
            "WHEN COALESCE(referred, '') <> '' THEN 'seed' END)",
            look["source_origin_type"],
            look["inbound_by_odoo"],
        ),
        "contact_status": initial_contact_status_sql(won, look["disqualified"]),
        # no category chosen by hand yet
        "forecast_category": engine_sql.deal_forecast_category(
            SQL.identifier("active"),
            won,
            excluded,
            SQL("NULL::varchar"),
            look["stage_category"],
        ),
        "forecast_category_is_manual": SQL("FALSE"),
    }


def _case_of_ids(column, groups, default):
    """``column`` (the id of a row in a small table) mapped to a value:
    ``groups`` maps each value to its ids."""
    if not groups:
        return default
    return SQL(
        "(CASE %s ELSE %s END)",
        SQL(" ").join(
            SQL("WHEN %s = ANY(%s::int[]) THEN %s", SQL.identifier(column), ids, value)
            for value, ids in groups.items()
        ),
        default,
    )


def deal_lookups(env):
    """What a deal's stage, company, source and lost reason say, as values
    over the deal's own columns: whether its stage is won, the stage's
    probability (``engine.stage_probability``), whether its company lets
    stages drive probabilities, its source's origin type, whether its lost
    reason disqualifies."""
    cr = env.cr
    cr.execute("SELECT id, COALESCE(is_won, FALSE), forecast_probability FROM crm_stage")
    stages = cr.fetchall()
    probabilities = {}
    for stage_id, is_won, percentage in stages:
        probabilities.setdefault(engine.stage_probability(percentage, is_won), []).append(stage_id)
    cr.execute("SELECT id, forecast_category FROM crm_stage WHERE forecast_category IS NOT NULL")
    categories = {}
    for stage_id, category in cr.fetchall():
        categories.setdefault(category, []).append(stage_id)
    cr.execute(
        "SELECT id, crm_probability_from_stage FROM res_company "
        "WHERE crm_probability_from_stage IS NOT NULL"
    )
    companies = {}
    for company_id, follows in cr.fetchall():
        companies.setdefault(follows, []).append(company_id)
    cr.execute("SELECT id, origin_type FROM utm_source WHERE origin_type IS NOT NULL")
    sources = {}
    for source_id, origin_type in cr.fetchall():
        sources.setdefault(origin_type, []).append(source_id)
    cr.execute(
        "SELECT id FROM crm_lost_reason WHERE category = ANY(%s)", [list(DISQUALIFYING_CATEGORIES)]
    )
    disqualifying = [row[0] for row in cr.fetchall()]
    return {
        "won": SQL(
            "COALESCE(stage_id = ANY(%s::int[]), FALSE)",
            [stage_id for stage_id, is_won, _percentage in stages if is_won],
        ),
        "stage_probability": SQL(
            "(%s)::float8", _case_of_ids("stage_id", probabilities, SQL("0.0"))
        ),
        "stage_category": _case_of_ids("stage_id", categories, SQL("NULL::varchar")),
        "follows_stage": _case_of_ids(
            "company_id", companies, SQL("%s", env.company.crm_probability_from_stage)
        ),
        "source_origin_type": _case_of_ids("source_id", sources, SQL("NULL")),
        "disqualified": SQL("COALESCE(lost_reason_id = ANY(%s::int[]), FALSE)", disqualifying),
        "inbound_by_odoo": _inbound_by_odoo_sql(env),
    }


def _inbound_by_odoo_sql(env):
    """Whether a deal came through one of Odoo's inbound channels that
    write into Referred By (``crm.lead._sff_inbound_by_odoo``), over the
    deal's own columns: the live chat's source, an event's registration."""
    livechat = env["ir.model.data"]._xmlid_to_res_id(LIVECHAT_SOURCE, raise_if_not_found=False)
    channels = [SQL("COALESCE(source_id = %s, FALSE)", livechat or 0)]
    if "event_id" in env["crm.lead"]._fields:
        channels.append(SQL("event_id IS NOT NULL"))
    return SQL("(%s)", SQL(" OR ").join(channels))


def initial_contact_status_sql(won, disqualified):
    """Contact status of deals that exist before the module, over the
    deal's own columns (``won``: whether its stage is won, ``disqualified``:
    whether its lost reason disqualifies): leads not attempted yet, won
    deals qualified, deals lost for a disqualifying reason disqualified,
    other opportunities contacted."""
    return SQL(
        """(CASE WHEN type = 'lead' THEN COALESCE(contact_status, 'not_attempted')
                 WHEN active AND %s THEN 'qualified'
                 WHEN NOT active AND %s THEN 'disqualified'
                 ELSE 'contacted' END)""",
        won,
        disqualified,
    )


# The records of Odoo's models that the module's data files add, by model:
# its table, the data file, whether the name is translated. They outlive
# the module where they are used, and a database may have them already.
SHARED_DATA = {
    "crm.lost.reason": ("crm_lost_reason", "data/crm_lost_reason_data.xml", True),
    "utm.source": ("utm_source", "data/utm_source_data.xml", False),
}


def pre_init_hook(env):
    """A lost reason or a source of the module's data files that the
    database has already, under the same name (typed by its users, or kept
    by an earlier uninstall because deals use it), is the module's record:
    the install fills in what the module adds to it (a category, an origin
    type) instead of adding a second one beside it ("Referral [2]")."""
    Data = env["ir.model.data"]
    for model, (_table, path, _translated) in SHARED_DATA.items():
        with file_open(f"sales_funnel_forecast/{path}", "rb") as data_file:
            records = etree.parse(data_file).iterfind(f"record[@model='{model}']")
            shipped = [
                (record.get("id"), record.findtext("field[@name='name']"))
                for record in records
                if "." not in record.get("id")
            ]
        Records = env[model].with_context(active_test=False, lang="en_US")
        for name, label in shipped:
            if not label or Data._xmlid_to_res_id(f"sales_funnel_forecast.{name}"):
                continue
            existing = Records.search([("name", "=", label)], order="id", limit=1)
            if existing:
                Data._update_xmlids(
                    [
                        {
                            "xml_id": f"sales_funnel_forecast.{name}",
                            "record": existing,
                            "noupdate": True,
                        }
                    ]
                )


def _module_tables(env):
    """The tables of the models the module defines, dropped with it (every
    module that extends a model names it too: those of no other module)."""
    env.cr.execute(
        """SELECT m.model FROM ir_model m
             JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id
            WHERE d.module = 'sales_funnel_forecast'
              AND NOT EXISTS (SELECT 1 FROM ir_model_data o
                               WHERE o.model = 'ir.model' AND o.res_id = m.id
                                 AND o.module <> 'sales_funnel_forecast')"""
    )
    models = [env[model] for (model,) in env.cr.fetchall() if model in env]
    return [model._table for model in models if not model._abstract and model._auto]


def _foreign_keys(env, table, module_tables, own):
    """The (table, column) of the foreign keys to ``table``: from the
    module's tables ``module_tables`` (``own``), or from every other table."""
    env.cr.execute(
        """SELECT c.conrelid::regclass::text, a.attname
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.contype = 'f' AND c.confrelid = %s::regclass
              AND (c.conrelid::regclass::text = ANY(%s)) = %s""",
        [table, module_tables, own],
    )
    return env.cr.fetchall()


def _release_used(env, model, table, module_tables):
    """The module's records of ``model`` that records outliving the module
    point to (deals lost for a reason, orders from a source) stay, as the
    company's own: they are no longer the module's to remove."""
    keys = _foreign_keys(env, table, module_tables, own=False)
    if not keys:
        return
    used = SQL(" OR ").join(
        SQL(
            "EXISTS (SELECT 1 FROM %s r WHERE r.%s = d.res_id)",
            SQL.identifier(ref_table),
            SQL.identifier(column),
        )
        for ref_table, column in keys
    )
    env.cr.execute(
        SQL(
            """DELETE FROM ir_model_data d
                WHERE d.module = 'sales_funnel_forecast' AND d.model = %s AND (%s)""",
            model,
            used,
        )
    )
    # the xml ids' lookups are cached
    env.registry.clear_cache()


def uninstall_hook(env):
    """Archived stages are a notion of this module: once it is gone they
    would show again in every pipeline. Those that no deal is in are the ones
    users wanted to delete (or stages restored from the chatter): they go.
    The lost reasons and the sources the module shipped that deals, orders
    or invoices use stay, as the company's own. The deals' buying roles go
    with their table, before Odoo removes the role types they point to."""
    module_tables = _module_tables(env)
    for model, (table, _path, _translated) in SHARED_DATA.items():
        _release_used(env, model, table, module_tables)
    env.cr.execute("DELETE FROM crm_lead_buying_role")
    # the funnel's monthly totals are a table and a trigger function of
    # PostgreSQL's that no model of Odoo's owns (the triggers go with the
    # funnel rows' table, the totals' view with the table)
    env.cr.execute("DROP TABLE IF EXISTS crm_funnel_summary_delta CASCADE")
    # the deals' table outlives the module: its triggers that write the
    # forecast versions go before the versions' table does
    env["crm.lead.forecast.version"]._sff_drop_triggers()
    env.cr.execute("DROP FUNCTION IF EXISTS sff_funnel_summary_delta() CASCADE")
    env.cr.execute("DROP FUNCTION IF EXISTS sff_funnel_summary_truncate() CASCADE")
    # the module's settings and bookkeeping rows (the totals' time zone, the
    # snapshots' and the accuracy lines' last writing...)
    env.cr.execute(
        "DELETE FROM ir_config_parameter WHERE starts_with(key, %s)", ["sales_funnel_forecast."]
    )
    # the calls and logins go with the module: they would hold on to the demo
    # salespeople that the uninstall deletes before it drops their tables
    env.cr.execute("DELETE FROM crm_lead_call")
    env.cr.execute("DELETE FROM crm_user_login")
    # the stall to-dos still open stay, as to-dos: their type goes
    stalled = env.ref("sales_funnel_forecast.mail_activity_type_stalled", raise_if_not_found=False)
    todo = env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
    if stalled and todo:
        env.cr.execute(
            "UPDATE mail_activity SET activity_type_id = %s WHERE activity_type_id = %s",
            [todo.id, stalled.id],
        )
    Stage = env["crm.stage"].with_context(active_test=False, **{MODULE_UNINSTALL_FLAG: True})
    env.cr.execute(
        """SELECT s.id FROM crm_stage s
            WHERE NOT s.active
              AND NOT EXISTS (SELECT 1 FROM crm_lead l WHERE l.stage_id = s.id)"""
    )
    archived = Stage.browse(row[0] for row in env.cr.fetchall())
    if archived:
        # the module's rows that name them (stays, versions, plan lines...):
        # their tables are dropped with the module right after
        for table, column in _foreign_keys(env, "crm_stage", module_tables, own=True):
            env.cr.execute(
                SQL(
                    "DELETE FROM %s WHERE %s = ANY(%s)",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    archived.ids,
                )
            )
        archived.unlink()
