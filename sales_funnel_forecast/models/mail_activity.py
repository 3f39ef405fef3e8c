# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from .crm_lead_call import outcome_from_feedback
from .crm_lead_stall import STALL_ACTIVITY_TYPE


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A phone call marked done on a deal (from the chatter, the activity
        widget or the activity view) is a call: a conversation unless the
        feedback names another outcome ("no answer", "voicemail"...)."""
        phone = self.filtered(
            lambda activity: (
                activity.res_model == "crm.lead"
                and activity.activity_type_id.category == "phonecall"
            )
        )
        done = [(activity.res_id, activity.activity_type_id.id) for activity in phone]
        messages, next_activities = super()._action_done(
            feedback=feedback, attachment_ids=attachment_ids
        )
        if done:
            outcome = outcome_from_feedback(self.env, feedback)
            free = list(messages)
            calls = []
            for lead_id, type_id in done:
                message = next(
                    (
                        message
                        for message in free
                        if message.model == "crm.lead"
                        and message.res_id == lead_id
                        and message.mail_activity_type_id.id == type_id
                    ),
                    None,
                )
                if message:
                    free.remove(message)
                calls.append(
                    {
                        "lead_id": lead_id,
                        "outcome": outcome,
                        "user_id": self.env.user.id,
                        # the feedback is text, as typed (Odoo's chatter
                        # shows it so), unless a caller gave it as HTML
                        "note": (
                            html2plaintext(feedback)
                            if isinstance(feedback, Markup)
                            else feedback or False
                        ),
                        "message_id": message.id if message else False,
                        "date": message.date if message else fields.Datetime.now(),
                    }
                )
            # sudo: marking an activity done is allowed to its assignee even
            # without access to the deal (Odoo's rule); the call follows it
            self.env["crm.lead.call"].sudo().with_context(sff_call_from_activity=True).create(calls)
        return messages, next_activities


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_stall_type(self):
        stalled = self.env.ref(STALL_ACTIVITY_TYPE, raise_if_not_found=False)
        if stalled and stalled in self:
            raise UserError(
                self.env._(
                    "The stall rules give salespeople activities of the type “%(type)s”: "
                    "archive it instead.",
                    type=stalled.name,
                )
            )
