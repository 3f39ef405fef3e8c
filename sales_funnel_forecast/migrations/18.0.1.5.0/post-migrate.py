# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.4.0 -> 18.0.1.5.0: calls. Phone calls marked done on deals become
calls (as on a first install), the deals their call counters, contact
status and last activity."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"]._sff_backfill_calls()
