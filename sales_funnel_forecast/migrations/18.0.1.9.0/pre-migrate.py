# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.8.0 -> 18.0.1.9.0: the module's scheduled jobs become
"noupdate": their schedule (interval, next run, active) belongs to the
administrator once installed. Odoo does not change the flag of a record it
already knows when the record moves into a noupdate block, so it is set
here, before the data files are loaded again, and this upgrade already
keeps the schedules as they are."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data SET noupdate = TRUE
            WHERE module = 'sales_funnel_forecast' AND model = 'ir.cron' AND NOT noupdate"""
    )
