# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0 -> 18.0.1.3.0: stall rules, loss categories, dispositions.
Lost reasons get a category from their name, deals a contact status from
what they are (as on a first install), the current stays in stages with a
stall limit the day they stall, and the funnel rows their new columns: all
worked out at the end of the upgrade."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "loss_categories", "contact_status", "stall_days", "funnel_rows")
