# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.15.0 -> 18.0.1.16.0: the forecast accuracy reads each period's
forecast at its first day, not at the weekly snapshot before it.

The snapshots' job now also writes the first day of every month of the
accuracy's periods and the lead time's day before each; the snapshots say
which are the weekly ones (the trend views show those by default, so that
a week is not added up twice). The rows written so far are weekly when
their day is the settings' weekday. The job is asked to run now: it writes
the missing days a batch at a time, then works the accuracy lines out
again.

A stay in another team's stage no longer reaches the stages of the deal's
pipeline placed before it (nor a won stage without a won stay): the funnel
rows, their monthly totals and the stages' win rates are worked out again
at the end of the upgrade."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "funnel_rows", "win_rates")
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.pipeline.snapshot"]._sff_mark_weekly()
    cron = env.ref(
        "sales_funnel_forecast.ir_cron_take_pipeline_snapshots", raise_if_not_found=False
    )
    if cron:
        cron._trigger()
