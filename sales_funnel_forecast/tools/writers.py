# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One writer at a time, without a table lock."""

from odoo import fields


def claim_writer_row(cr, key):
    """Write the system parameter ``key`` with this transaction's time,
    first thing in a job that replaces stored rows (the pipeline
    snapshots, the accuracy lines). A second writer at once waits on that
    row, then fails to serialise (repeatable read): a request is run again
    by Odoo on fresh data, a job's batch a minute later (``jobs.run_batch``).
    It never writes its rows beside the first one's, which it could not
    see to replace. A row lock, no table lock."""
    cr.execute(
        """INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value""",
        [key, fields.Datetime.to_string(cr.now())],
    )


def claimed_on(cr, key):
    """When ``claim_writer_row`` last wrote ``key`` (False: never), read in
    SQL as it is written (Odoo's cache of the parameters does not see it);
    the second, as Odoo writes a date and time."""
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [key])
    row = cr.fetchone()
    # (18.0.1.11.0 wrote the accuracy's time with its microseconds)
    return fields.Datetime.to_datetime(row[0][:19]) if row and row[0] else False
