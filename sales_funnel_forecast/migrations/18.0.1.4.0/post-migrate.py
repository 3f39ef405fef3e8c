# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0 -> 18.0.1.4.0: invoices linked to deals. Customer invoices and
credit notes take the deal of the orders they invoice, deals their
invoiced, paid and overdue amounts, and the funnel rows the invoiced amount
(worked out at the end of the upgrade)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "invoices", "funnel_rows")
    # the catalogue's data is not updated on upgrade: its order, invoice and
    # payment steps take their triggers unless someone set them already
    cr.execute("""
        UPDATE crm_stage_catalogue_line line SET document_trigger = v.document_trigger
          FROM (VALUES ('catalogue_project_sales_step_14', 'order'),
                       ('catalogue_project_sales_step_16', 'invoice'),
                       ('catalogue_project_sales_step_17', 'payment'))
               AS v(name, document_trigger)
          JOIN ir_model_data d ON d.module = 'sales_funnel_forecast'
                              AND d.model = 'crm.stage.catalogue.line' AND d.name = v.name
         WHERE line.id = d.res_id AND line.document_trigger IS NULL
    """)
