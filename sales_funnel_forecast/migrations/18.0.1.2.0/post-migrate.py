# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0 -> 18.0.1.2.0: the funnel reports. Deals get their origin type
from their source (or seed when someone referred them), the funnel rows are
built from the stage history, and the stages' win rates computed."""

from odoo import SUPERUSER_ID, api

# as in data/utm_source_data.xml
STANDARD_SOURCES = {
    "utm.utm_source_search_engine": "net",
    "utm.utm_source_newsletter": "net",
    "utm.utm_source_facebook": "net",
    "utm.utm_source_twitter": "net",
    "utm.utm_source_linkedin": "net",
    "utm.utm_source_mailing": "spear",
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    # Odoo's sources exist already: an update does not load the data file's
    # values onto them (it keeps what users may have changed), a first
    # update of this version sets the origin types nobody set
    for xmlid, origin_type in STANDARD_SOURCES.items():
        source = env.ref(xmlid, raise_if_not_found=False)
        if source and not source.origin_type:
            source.origin_type = origin_type
    env.flush_all()
    cr.execute(
        """
        UPDATE crm_lead l
           SET origin_type = COALESCE(s.origin_type, 'seed')
          FROM crm_lead d
     LEFT JOIN utm_source s ON s.id = d.source_id
         WHERE d.id = l.id AND l.origin_type IS NULL
           AND (s.origin_type IS NOT NULL OR COALESCE(d.referred, '') <> '')
        """
    )
    env["crm.lead"].invalidate_model(["origin_type"])
    env["crm.lead.stage.reach"]._sff_fill()
    env["crm.stage"]._cron_refresh_history_win_rates()
