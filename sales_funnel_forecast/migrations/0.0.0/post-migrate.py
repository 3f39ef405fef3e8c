# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Any upgrade, last: what the scripts of the versions crossed asked to be
worked out again from the data (install/rebuild.py), each part once, with
the code being installed."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sales_funnel_forecast.install.rebuild import run_requested


def migrate(cr, version):
    if not version:
        return
    run_requested(api.Environment(cr, SUPERUSER_ID, {}))
