# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from .crm_lead_calls import ACTIVITY_MESSAGE_TYPES


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        """A message, note or email on a deal, or an activity done, is the
        deal's last activity, however it is written: posted in the chatter,
        sent from the list's mass mailing, received by email."""
        messages = super().create(vals_list)
        last = {}
        for message in messages:
            if (
                message.model == "crm.lead"
                and message.res_id
                and (
                    message.message_type in ACTIVITY_MESSAGE_TYPES or message.mail_activity_type_id
                )
            ):
                last[message.res_id] = max(last.get(message.res_id, message.date), message.date)
        for when in set(last.values()):
            self.env["crm.lead"].browse(
                lead_id for lead_id, date in last.items() if date == when
            )._sff_touch_activity(when)
        return messages
