# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The chatter's paths into a deal's activity figures: a call counted once
whichever way it is logged, a text message sent from the deal, an email
dated by a wrong clock."""

from odoo import fields
from odoo.addons.mail.tests.common import MailCase
from odoo.tests import tagged

from .common import FunnelCase

# an incoming email, dated by its Date header as Odoo's gateway dates it
INCOMING = """Return-Path: {return_path}
To: {to}
cc: {cc}
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Date: {date}
Message-ID: {msg_id}
{extra}
Content-Type: text/plain; charset=utf-8

Thanks, we will look at your offer.
"""


@tagged("post_install", "-at_install")
class TestMailPaths(FunnelCase, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        cls.team.alias_name = "sff-mail-paths"

    def schedule_call(self, deal, user):
        return (
            self.env["mail.activity"]
            .with_user(user)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": deal.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "user_id": user.id,
                }
            )
        )

    def test_a_call_is_one_activity_whichever_way_it_is_logged(self):
        """Rita calls two prospects: one through the phone call activity she
        had planned (Mark Done), the other with the module's Log a Call
        dialog. Same work, same outcome: the Salesperson Comparison and the
        Sales Process reports count each as one activity (the dialog's note
        is a system note of the chatter, the activity's a done activity)."""
        self.set_now(self.t0)
        by_activity = self.make_deal("Called via activity", self.s_new, 100)
        by_dialog = self.make_deal("Called via dialog", self.s_new, 100)
        self.end_request()
        self.schedule_call(by_activity, self.rep).action_feedback(feedback="Talked to the buyer")
        self.env["crm.lead.call.log"].with_user(self.rep).create(
            {"lead_id": by_dialog.id, "note": "Talked to the buyer"}
        ).with_context(sff_call_outcome="conversation").action_log()
        self.end_request()
        self.assertEqual((by_activity | by_dialog).mapped("call_count"), [1, 1])
        for report in ("crm.rep.comparison.report", "crm.sales.process.report"):
            counts = {
                lead.name: total
                for lead, total in self.env[report]._read_group(
                    [("lead_id", "in", (by_activity | by_dialog).ids)],
                    ["lead_id"],
                    ["activity_count:sum"],
                )
            }
            self.assertEqual(
                counts,
                {"Called via activity": 1, "Called via dialog": 1},
                f"{report}: one call, one activity",
            )

    def test_sms_sent_from_the_deal_is_its_last_activity(self):
        """Rita texts the prospect from the deal (the SMS button of crm_sms,
        which Odoo's CRM installs with it): the text is the deal's Last
        Activity, and an activity in the Sales Process report."""
        deal = self.make_deal("Texted", self.s_new, 100, phone="+32456001122")
        self.end_request()
        self.assertFalse(deal.date_last_activity)
        composer = (
            self.env["sms.composer"]
            .with_user(self.rep)
            .with_context(active_model="crm.lead", active_id=deal.id)
            .create({"body": "Hello, can we talk tomorrow at 10?"})
        )
        composer.action_send_sms()
        self.end_request()
        sms = deal.message_ids.filtered(lambda message: message.message_type == "sms")
        self.assertEqual(len(sms), 1, "the SMS is in the deal's chatter")
        self.assertEqual(deal.date_last_activity, sms.date)
        [(count,)] = self.env["crm.sales.process.report"]._read_group(
            [("lead_id", "=", deal.id), ("kind", "=", "activity")], [], ["activity_count:sum"]
        )
        self.assertEqual(count, 1)

    def test_email_dated_in_the_future_does_not_freeze_last_activity(self):
        """A customer whose computer clock is wrong replies to the deal's
        thread; Odoo dates the message from its Date header (2032). The
        deal's Last Activity is when it came, never in the future, and the
        call logged afterwards is its last activity, also when the deal's
        figures are counted again."""
        self.set_now(self.t0)
        deal = self.make_deal("Clock", self.s_new, 100, email_from="paula@example.com")
        offer = deal.message_post(body="Our offer", message_type="comment")
        self.end_request()
        self.format_and_process(
            INCOMING,
            "Paula <paula@example.com>",
            self.team.alias_email,
            subject="Re: Our offer",
            target_model="crm.lead",
            date="Tue, 02 Mar 2032 10:00:00 +0000",
            extra=f"In-Reply-To: {offer.message_id}",
        )
        self.end_request()
        email = deal.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(email), 1)
        self.assertEqual(email.date.year, 2032)
        self.assertEqual(deal.date_last_activity, email.create_date, "as it came")
        self.assertLessEqual(deal.date_last_activity, fields.Datetime.now())
        call = (
            self.env["crm.lead.call"]
            .with_user(self.rep)
            .create({"lead_id": deal.id, "outcome": "conversation"})
        )
        self.end_request()
        self.assertEqual(deal.date_last_activity, call.date, "the call is the last activity")
        self.env["crm.lead"]._sff_fill_last_activity(deal.ids)
        self.assertEqual(deal.date_last_activity, call.date, "and after a recount")
        deal._sff_recount_calls(deal.ids)
        self.assertEqual(deal.date_last_activity, call.date, "and after a recount of calls")

    def test_call_note_minutes_in_the_users_notation(self):
        """A French salesperson logs a call of three and a half minutes: the
        chatter note reads "3,5 min" (and "12 min" for twelve), while its
        classes keep the minutes in figures a reinstall reads back."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["sales_funnel_forecast"], ["fr_FR"])
        self.rep.lang = "fr_FR"
        deal = self.make_deal("Minutes", self.s_new, 100)
        self.end_request()
        Call = self.env["crm.lead.call"].with_user(self.rep).with_context(lang="fr_FR")
        short = Call.create(
            {"lead_id": deal.id, "outcome": "conversation", "duration_minutes": 3.5}
        )
        long = Call.create({"lead_id": deal.id, "outcome": "conversation", "duration_minutes": 12})
        self.end_request()
        self.assertIn("3,5 min", str(short.message_id.body))
        self.assertIn("o_sff_min_3.5", str(short.message_id.body))
        self.assertIn("12 min", str(long.message_id.body))

    def test_a_call_note_counts_for_who_made_the_call(self):
        """A sales manager calls Rita's prospect and logs it with the Log a
        Call dialog: the call, and its note as an activity, count for the
        manager in the Sales Process report, not for Rita."""
        deal = self.make_deal("Called by the manager", self.s_new, 100)
        self.end_request()
        self.env["crm.lead.call.log"].with_user(self.manager).create(
            {"lead_id": deal.id, "note": "Talked to the buyer"}
        ).with_context(sff_call_outcome="conversation").action_log()
        self.end_request()
        rows = self.env["crm.sales.process.report"].search(
            [("lead_id", "=", deal.id), ("kind", "in", ("call", "activity"))]
        )
        self.assertEqual(
            sorted((row.kind, row.user_id.login) for row in rows),
            [("activity", self.manager.login), ("call", self.manager.login)],
        )
