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

    For statements that write most rows of a large table: PostgreSQL then
    adds an entry to every index for every row written, and checks every
    key of every row, which costs far more than building them again. The
    table is locked until the transaction ends (as the installation's
    ``ALTER TABLE`` locks it anyway), and if the transaction fails, the
    indexes and keys come back with it."""
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
        cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(table),
                       SQL.identifier(name)))
    for name, _definition in indexes:
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    cr.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # definitions read from the catalog, not from user input
    for _name, definition in indexes:
        cr.execute(SQL(definition))
    for name, definition in keys:
        cr.execute(SQL("ALTER TABLE %s ADD CONSTRAINT %s %s", SQL.identifier(table),
                       SQL.identifier(name), SQL(definition)))
    cr.execute("RESET maintenance_work_mem")


@contextmanager
def bulk_load(cr, table, empty):
    """Fill ``table`` in one long statement: without just-in-time
    compilation and with room to sort in memory; when the table is empty
    (the module is being installed), without its indexes and foreign keys
    (``without_indexes``). The table's planner statistics are gathered at
    the end."""
    cr.execute("SET LOCAL jit = off; SET LOCAL work_mem = '256MB'")
    if empty:
        with without_indexes(cr, table, own_table=True):
            yield
    else:
        yield
    cr.execute("RESET jit; RESET work_mem")
    # statistics for the planner right away: reports group these rows by
    # hashing only when it knows how many there are
    cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
