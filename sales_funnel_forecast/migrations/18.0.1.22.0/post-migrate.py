# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.21.0 -> 18.0.1.22.0: a quotation counts in the sales process when
it was first sent, which its order keeps (Odoo's order date becomes the
confirmation's when it is confirmed). The orders of before the upgrade are
dated as an install dates them (at the end of the upgrade)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "quotations_sent")
