# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.9.0 -> 18.0.1.10.0: forecast categories. The stages took the
category of their percentage when the column was added; every deal takes
its stage's (Closed when won, Omitted when lost or out of the forecast),
none chosen by hand yet: worked out at the end of the upgrade."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "forecast_categories")
