# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Filling the module's own tables in bulk (installation, upgrades)."""
from contextlib import contextmanager

from odoo.tools import SQL


@contextmanager
def bulk_load(cr, table, empty):
    """Fill ``table`` in one long statement: without just-in-time
    compilation and with room to sort in memory; when the table is empty
    (the module is being installed), without its indexes and foreign keys,
    which are built again at the end in one pass each: a check per row and
    per key costs more than the insert itself on large databases. The
    table's planner statistics are gathered at the end."""
    cr.execute("SET LOCAL jit = off; SET LOCAL work_mem = '256MB'")
    definitions = []
    if empty:
        cr.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f'""",
            [table],
        )
        foreign_keys = cr.fetchall()
        cr.execute(
            """SELECT indexname, indexdef FROM pg_indexes
                WHERE tablename = %s
                  AND indexname NOT IN (SELECT conname FROM pg_constraint
                                         WHERE conrelid = %s::regclass)""",
            [table, table],
        )
        indexes = cr.fetchall()
        for name, _definition in foreign_keys:
            cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(table),
                           SQL.identifier(name)))
        for name, _definition in indexes:
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
        definitions = [SQL(definition) for _name, definition in indexes] + [
            SQL("ALTER TABLE %s ADD CONSTRAINT %s %s", SQL.identifier(table),
                SQL.identifier(name), SQL(definition))
            for name, definition in foreign_keys
        ]
    yield
    for definition in definitions:
        cr.execute(definition)
    cr.execute("RESET jit; RESET work_mem")
    # statistics for the planner right away: reports group these rows by
    # hashing only when it knows how many there are
    cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
