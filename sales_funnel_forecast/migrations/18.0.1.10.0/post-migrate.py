# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.9.0 -> 18.0.1.10.0: forecast categories. The stages took the
category of their percentage when the column was added; every deal takes
its stage's now (Closed when won, Omitted when lost or out of the
forecast), none chosen by hand yet."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"]._sff_align_forecast_category()
