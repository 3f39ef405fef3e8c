# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.22.0 -> 18.0.1.23.0: what the install now does on years-old data,
done on the databases installed before.

- A deal archived at a probability above 0 (a won deal archived, a lost
  deal an older Odoo left at 40 %) was given no stage it was lost in: the
  funnel counted it lost nowhere. It takes the stage it is in, as
  archiving one does.
- A stage deleted before the install, which the install brought back
  (archived, folded, at sequence 1000) for the stays the chatter kept in
  it, came last in the stage order: a deal that went through it counted
  as having reached every stage of its pipeline. It comes first.

The funnel rows and the stages' win rates are worked out again at the
end of the upgrade where anything changed.

The statements are this migration's own (frozen)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE crm_lead SET lost_stage_id = stage_id
            WHERE NOT active AND lost_stage_id IS NULL AND stage_id IS NOT NULL"""
    )
    changed = cr.rowcount
    # the install's restored stages: archived, folded, at 1000, of no team
    # and no catalogue, at 0 %, with the stays the install rebuilt in them
    cr.execute(
        """UPDATE crm_stage
              SET sequence = (SELECT COALESCE(MIN(sequence), 0) - 1 FROM crm_stage)
            WHERE sequence = 1000 AND NOT active AND fold AND NOT is_won
              AND team_id IS NULL AND catalogue_line_id IS NULL AND forecast_probability = 0
              AND EXISTS (SELECT 1 FROM crm_lead_stage_history h
                           WHERE h.stage_id = crm_stage.id AND h.reason = 'backfill')"""
    )
    changed += cr.rowcount
    if changed:
        request(cr, "funnel_rows", "win_rates")
