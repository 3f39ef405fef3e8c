# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from .crm_lead_calls import ACTIVITY_MESSAGE_TYPES, message_activity_date


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        """A message, note or email on a deal, or an activity done, is the
        deal's last activity, however it is written: posted in the chatter,
        sent from the list's mass mailing, received by email."""
        messages = super().create(vals_list)
        last = {}
        # read from the values written (the records' fields would be read
        # again from the database, a query per message)
        for message, vals in zip(messages, vals_list):
            if (
                vals.get("model") == "crm.lead"
                and vals.get("res_id")
                and (
                    vals.get("message_type", "comment") in ACTIVITY_MESSAGE_TYPES
                    or vals.get("mail_activity_type_id")
                )
            ):
                res_id = vals["res_id"]
                # not long after it came
                date = message_activity_date(message)
                last[res_id] = max(last.get(res_id, date), date)
        for when in set(last.values()):
            self.env["crm.lead"].browse(
                lead_id for lead_id, date in last.items() if date == when
            )._sff_touch_activity(when)
        return messages
