# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.0.0 -> 18.0.1.1.0: the pipeline value is new, and the weighted
forecast now rounds half-cents the same way in Python and SQL (worked out
again at the end of the upgrade)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "weighted_amounts")
    # teams to which a catalogue was applied have, from now on, exactly its
    # stages: recognise them by their own stages carrying every step's name
    # (in English), the first catalogue in their order that fits
    cr.execute("""
        UPDATE crm_team t SET stage_catalogue_id = fit.catalogue_id
          FROM (SELECT DISTINCT ON (team.id) team.id AS team_id, c.id AS catalogue_id
                  FROM crm_team team
            CROSS JOIN crm_stage_catalogue c
                 WHERE team.stage_catalogue_id IS NULL AND c.active
                   AND EXISTS (SELECT 1 FROM crm_stage_catalogue_line l WHERE l.catalogue_id = c.id)
                   AND NOT EXISTS (
                       SELECT 1 FROM crm_stage_catalogue_line l
                        WHERE l.catalogue_id = c.id
                          AND NOT EXISTS (SELECT 1 FROM crm_stage s
                                           WHERE s.team_id = team.id AND s.active
                                             AND s.name->>'en_US' = l.name->>'en_US'))
              ORDER BY team.id, c.sequence, c.id) fit
         WHERE fit.team_id = t.id
    """)
