# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.0.0 -> 18.0.1.1.0: the history holds at most one open stay per
opportunity (a unique index now says so), none for leads and lost deals."""


def migrate(cr, version):
    if not version:
        return
    # leads (Odoo's lead type) have no stays
    cr.execute("""
        DELETE FROM crm_lead_stage_history h USING crm_lead l
         WHERE l.id = h.lead_id AND l.type = 'lead'
    """)
    # several open stays of one deal: each ends where the next one began
    cr.execute("""
        UPDATE crm_lead_stage_history h SET date_out = n.next_in
          FROM (SELECT id, LEAD(date_in) OVER (PARTITION BY lead_id ORDER BY date_in, id) AS next_in
                  FROM crm_lead_stage_history WHERE date_out IS NULL) n
         WHERE n.id = h.id AND n.next_in IS NOT NULL
    """)
    # a lost deal's stay ended when it was lost
    cr.execute("""
        UPDATE crm_lead_stage_history h
           SET date_out = GREATEST(h.date_in, COALESCE(l.date_closed, l.write_date))
          FROM crm_lead l
         WHERE l.id = h.lead_id AND h.date_out IS NULL AND NOT l.active
    """)
    # one rule for every closed stay (a won stay used to count no days)
    cr.execute("""
        UPDATE crm_lead_stage_history h
           SET duration_days = CASE WHEN h.date_out IS NOT NULL
                                    THEN GREATEST(date_part('epoch', h.date_out - h.date_in), 0) / 86400.0
                               END
    """)
    # the benchmark's parameter of the first version is no longer written
    cr.execute(
        "DELETE FROM ir_config_parameter WHERE key = 'sales_funnel_forecast.last_backfill_seconds'"
    )
