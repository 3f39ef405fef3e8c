# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.23.0 -> 18.0.1.24.0: leads that came through Odoo's live chat or
an event registration before the module was installed were given "seed"
(a referral) by the install, since Odoo writes the operator's or the
event's name into Referred By; a lead of those channels made since the
install is "net" (inbound). They become "net" where nobody chose their
origin type since (no change of it in the chatter) and their source has
no type of its own. Their funnel rows, which carry the origin type, are
worked out again at the end of the upgrade.

The statements are this migration's own (frozen)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request
from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """SELECT res_id FROM ir_model_data
            WHERE module = 'crm_livechat' AND name = 'utm_source_livechat'"""
    )
    livechat = cr.fetchone()
    channels = [SQL("l.source_id = %s", livechat[0] if livechat else 0)]
    cr.execute(
        """SELECT 1 FROM information_schema.columns
            WHERE table_name = 'crm_lead' AND column_name = 'event_id'"""
    )
    if cr.fetchone():
        channels.append(SQL("l.event_id IS NOT NULL"))
    cr.execute(
        SQL(
            """UPDATE crm_lead l SET origin_type = 'net'
                WHERE l.origin_type = 'seed' AND (%s)
                  AND NOT EXISTS (SELECT 1 FROM utm_source s
                                   WHERE s.id = l.source_id AND s.origin_type IS NOT NULL)
                  AND NOT EXISTS (
                      SELECT 1 FROM mail_message m
                        JOIN mail_tracking_value v ON v.mail_message_id = m.id
                        JOIN ir_model_fields f ON f.id = v.field_id
                       WHERE m.model = 'crm.lead' AND m.res_id = l.id
                         AND f.model = 'crm.lead' AND f.name = 'origin_type')""",
            SQL(" OR ").join(channels),
        )
    )
    if cr.rowcount:
        request(cr, "funnel_rows")
