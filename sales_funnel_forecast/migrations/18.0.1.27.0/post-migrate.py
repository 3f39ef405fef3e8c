# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""-> 18.0.1.27.0: the shipped catalogues' names count every step, the won
one too, as their Steps Count column does: "Simple sales (4 steps)" (four
steps, then Won) is "Simple sales (5 steps)". Its record is noupdate: a
database that still has the old name, in English, gets the new one; its
translations still as shipped give way to the new ones, which the upgrade
loads after this script (it keeps the names a user gave).

The statement and the names are this migration's own (frozen)."""

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
