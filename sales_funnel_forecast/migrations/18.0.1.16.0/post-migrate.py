# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.15.0 -> 18.0.1.16.0: the forecast accuracy reads each period's
forecast at its first day, not at the weekly snapshot before it.

The snapshots' job now also writes the first day of every month of the
accuracy's periods and the lead time's day before each; the snapshots say
which are the weekly ones (the trend views show those by default, so that
a week is not added up twice). The rows written so far are weekly when
their day is the settings' weekday. The job is asked to run now: it writes
the missing days a batch at a time, then works the accuracy lines out
again."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.pipeline.snapshot"]._sff_mark_weekly()
    cron = env.ref(
        "sales_funnel_forecast.ir_cron_take_pipeline_snapshots", raise_if_not_found=False
    )
    if cron:
        cron._trigger()
