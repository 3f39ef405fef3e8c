# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""-> 18.0.1.27.0: the shipped catalogues' names count every step, the won
one too, as their Steps Count column does: "Simple sales (4 steps)" (four
steps, then Won) is "Simple sales (5 steps)". Its record is noupdate: a
database that still has the old name, in English, gets the new one; its
translations still as shipped give way to the new ones, which the upgrade
loads after this script (it keeps the names a user gave).

Invoiced revenue counts an invoice's product lines, as Odoo's Invoicing
Analysis does: a cash rounding's line (of no tax) is no revenue. Where
posted customer invoices or credit notes have one, the deals' invoiced and
paid amounts, the target plans' actuals and the forecast accuracy lines
are worked out again at the end of the upgrade.

The stages' win rates and the target plans' actuals say when they were
last worked out: the upgrade works them out again, which writes that time.

The statements and the names are this migration's own (frozen)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request

OLD_NAME = "Simple sales (4 steps)"
NEW_NAME = "Simple sales (5 steps)"
# the old name's translations, as the .po files of 18.0.1.26.0 had them
OLD_TRANSLATIONS = (
    OLD_NAME,
    "Vente simple (4 phases)",
    "Jednostavna prodaja (4 koraka)",
    "Sprzedaż prosta (4 kroki)",
    "Vânzări simple (4 pași)",
    "Enkel försäljning (4 steg)",
    "简单销售（4 个步骤）",
)


def migrate(cr, version):
    if not version:
        return
    # their times, written by the refreshes
    request(cr, "win_rates", "plan_actuals")
    cr.execute(
        """UPDATE crm_stage_catalogue c
              SET name = jsonb_build_object('en_US', %s::text)
                         || COALESCE((SELECT jsonb_object_agg(t.key, t.value)
                                        FROM jsonb_each(c.name) t
                                       WHERE t.key <> 'en_US'
                                         AND NOT t.value #>> '{}' = ANY(%s)), '{}'::jsonb)
             FROM ir_model_data d
            WHERE d.module = 'sales_funnel_forecast' AND d.name = 'catalogue_simple'
              AND d.model = 'crm.stage.catalogue' AND d.res_id = c.id
              AND c.name ->> 'en_US' = %s""",
        [NEW_NAME, list(OLD_TRANSLATIONS), OLD_NAME],
    )
    cr.execute(
        """SELECT 1 FROM account_move m
            WHERE m.invoice_cash_rounding_id IS NOT NULL AND m.state = 'posted'
              AND m.move_type IN ('out_invoice', 'out_refund')
              AND EXISTS (SELECT 1 FROM account_move_line r
                           WHERE r.move_id = m.id AND r.display_type = 'rounding'
                             AND r.tax_repartition_line_id IS NULL)
            LIMIT 1"""
    )
    if cr.fetchone():
        request(cr, "invoice_amounts", "plan_actuals", "accuracy_lines")
