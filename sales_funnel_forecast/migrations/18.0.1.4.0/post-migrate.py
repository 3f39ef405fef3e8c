# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0 -> 18.0.1.4.0: invoices linked to deals. Customer invoices and
credit notes take the deal of the orders they invoice (as on a first
install), deals their invoiced, paid and overdue amounts, and the funnel rows
the invoiced amount."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["account.move"]._sff_link_existing_invoices()
    env["crm.lead"]._sff_fill_invoice_amounts()
    # the catalogue's data is not updated on upgrade: its order, invoice and
    # payment steps take their triggers unless someone set them already
    for xmlid, trigger in (
        ("catalogue_project_sales_step_14", "order"),
        ("catalogue_project_sales_step_16", "invoice"),
        ("catalogue_project_sales_step_17", "payment"),
    ):
        line = env.ref(f"sales_funnel_forecast.{xmlid}", raise_if_not_found=False)
        if line and not line.document_trigger:
            line.document_trigger = trigger
