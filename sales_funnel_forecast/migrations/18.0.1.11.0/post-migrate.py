# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.10.0 -> 18.0.1.11.0: forecast versions. The deals' versions of
the past are rebuilt from their stage history and the chatter, then the
database keeps them. The weekly snapshots of the past 24 months are
written by their job right after."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead.forecast.version"]._sff_rebuild()
    env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots")._trigger()
