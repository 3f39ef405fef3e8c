# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.10.0 -> 18.0.1.11.0: forecast versions. The deals' versions of
the past are rebuilt from their stage history and the chatter, then the
database keeps them; the weekly snapshots of the past 24 months are written
by their job right after (both at the end of the upgrade)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "forecast_versions", "snapshots")
