# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0 -> 18.0.1.2.0: the funnel reports. Deals get their origin type
from their source (or seed when someone referred them); the funnel rows and
the stages' win rates are worked out at the end of the upgrade."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    # Odoo's sources exist already: an update does not load the data file's
    # values onto them (it keeps what users may have changed), a first
    # update of this version sets the origin types nobody set (as in
    # data/utm_source_data.xml)
    cr.execute("""
        UPDATE utm_source s SET origin_type = v.origin_type
          FROM (VALUES ('utm_source_search_engine', 'net'), ('utm_source_newsletter', 'net'),
                       ('utm_source_facebook', 'net'), ('utm_source_twitter', 'net'),
                       ('utm_source_linkedin', 'net'), ('utm_source_mailing', 'spear'))
               AS v(name, origin_type)
          JOIN ir_model_data d ON d.module = 'utm' AND d.model = 'utm.source' AND d.name = v.name
         WHERE s.id = d.res_id AND s.origin_type IS NULL
    """)
    cr.execute("""
        UPDATE crm_lead l
           SET origin_type = COALESCE(s.origin_type, 'seed')
          FROM crm_lead d
     LEFT JOIN utm_source s ON s.id = d.source_id
         WHERE d.id = l.id AND l.origin_type IS NULL
           AND (s.origin_type IS NOT NULL OR COALESCE(d.referred, '') <> '')
    """)
    request(cr, "funnel_rows", "win_rates")
