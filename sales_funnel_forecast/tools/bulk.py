# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Filling tables in bulk (installation, upgrades)."""

from contextlib import contextmanager

from odoo.tools import SQL


@contextmanager
def without_indexes(cr, table, own_table=False):
    """Run the statements of the block on ``table`` without its indexes
    (those that back no constraint; unique ones only in the module's
    ``own_table``, as another module's unique index may carry more than an
    index), and in its ``own_table`` without its foreign keys too; they are
    all built again at the end in one pass each.

    For the installation and upgrades only: dropping or adding a foreign
    key locks the table it points to (the deals, users, companies...)
    until the transaction ends, which would stop every user of a live
    server.

    For statements that write most rows of a large table: PostgreSQL then
    adds an entry to every index for every row written, and checks every
    key of every row, which costs far more than building them again. The
    table is locked until the transaction ends (as the installation's
    ``ALTER TABLE`` locks it anyway), and if the transaction fails, the
    indexes and keys come back with it.

    The foreign keys come back ``NOT VALID``: PostgreSQL enforces them on
    every row written from then on, without reading the whole table at
    once; the job that ``bulk_load`` triggers
    (``crm.lead.stage.history._cron_validate_foreign_keys``) checks the rows
    already there afterwards, without keeping anyone from working."""
    cr.execute(SQL("LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", SQL.identifier(table)))
    keys = []
    if own_table:
        cr.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f'""",
            [table],
        )
        keys = cr.fetchall()
    cr.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
             JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass AND i.indisvalid
              AND (%s OR NOT i.indisunique)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY c.relname""",
        [table, own_table],
    )
    indexes = cr.fetchall()
    for name, _definition in keys:
        cr.execute(
            SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(table), SQL.identifier(name))
        )
    for name, _definition in indexes:
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    with index_build_memory(cr):
        # definitions read from the catalog, not from user input
        for _name, definition in indexes:
            cr.execute(SQL(definition))
        for name, definition in keys:
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID",
                    SQL.identifier(table),
                    SQL.identifier(name),
                    SQL(definition),
                )
            )


@contextmanager
def index_build_memory(cr):
    """Room for PostgreSQL to sort in memory while the block builds indexes
    over a large table."""
    cr.execute("SET LOCAL maintenance_work_mem = '256MB'")
    yield
    cr.execute("RESET maintenance_work_mem")


def foreign_keys_to_validate(cr, tables):
    """The foreign keys of ``tables`` that ``without_indexes`` added back
    unchecked: (table, constraint) pairs."""
    cr.execute(
        """SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
            WHERE c.contype = 'f' AND NOT c.convalidated
              AND c.conrelid = ANY(ARRAY(SELECT to_regclass(t) FROM unnest(%s::text[]) AS t))
         ORDER BY 1, 2""",
        [list(tables)],
    )
    return cr.fetchall()


def validate_foreign_key(cr, table, name):
    """Check the rows already in ``table`` against its foreign key ``name``.
    PostgreSQL reads the table without locking out writes to it or to the
    table it points to (SHARE UPDATE EXCLUSIVE), and fails if a row points
    to nothing."""
    # names read from the catalog, not from user input
    cr.execute(
        SQL("ALTER TABLE %s VALIDATE CONSTRAINT %s", SQL.identifier(table), SQL.identifier(name))
    )


# the module's tables that ``bulk_load`` fills, whose foreign keys the
# validation job checks
BULK_TABLES = ("crm_lead_stage_history", "crm_lead_stage_reach", "crm_lead_forecast_version")


@contextmanager
def bulk_load(env, table, rebuild_indexes):
    """Fill ``table`` (one of ``BULK_TABLES``) in one long statement:
    without just-in-time compilation and with room to sort in memory; with
    ``rebuild_indexes`` (an empty table, as on install, or most of its rows
    written again), without its indexes and foreign keys
    (``without_indexes``: the table stays locked until the transaction
    ends), and the job that checks the keys is triggered. The table's
    planner statistics are gathered at the end."""
    cr = env.cr
    cr.execute("SET LOCAL jit = off; SET LOCAL work_mem = '256MB'")
    if rebuild_indexes:
        with without_indexes(cr, table, own_table=True):
            yield
        job = env.ref(
            "sales_funnel_forecast.ir_cron_validate_foreign_keys", raise_if_not_found=False
        )
        if job:
            job._trigger()
    else:
        yield
    cr.execute("RESET jit; RESET work_mem")
    # statistics for the planner right away: reports group these rows by
    # hashing only when it knows how many there are
    cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
