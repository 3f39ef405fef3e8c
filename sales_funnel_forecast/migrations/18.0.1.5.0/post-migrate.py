# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.4.0 -> 18.0.1.5.0: calls. Phone calls marked done on deals become
calls (as on a first install), the deals their call counters, contact
status and last activity: worked out at the end of the upgrade."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "calls")
