# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the module posts, mails and schedules, as its readers get it: who
is told, how often, and how it reads."""

from datetime import date

from markupsafe import escape

from odoo import Command
from odoo.addons.mail.tests.common import MailCase
from odoo.tests import tagged

from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestMessages(FunnelCase, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        for user, email in ((cls.rep, "rita@example.com"), (cls.other_rep, "otto@example.com")):
            user.write({"email": email, "notification_type": "email"})

    def assigned_mails(self, user):
        """The "You have been assigned" emails ``user`` was sent."""
        return [
            mail
            for mail in self._mails
            if mail["subject"].startswith("You have been assigned")
            and any(user.email in to for to in mail["email_to"])
        ]

    def test_team_plan_edited_does_not_assign_its_members_again(self):
        """Mona splits the team's plan between Rita and Otto: each is told
        once of the plan they are given. Then she raises the team's target
        twice: their shares follow (180,000 each), in the plans they were
        told of (the mail's link still opens them), and nobody is told
        again."""
        self.team.member_ids = [Command.set((self.rep | self.other_rep).ids)]
        plan = make_plan(self.env, self.team)
        with self.mock_mail_gateway():
            self.env["crm.target.plan.split"].create({"plan_id": plan.id}).action_split()
        self.assertEqual(len(self.assigned_mails(self.rep)), 1)
        self.assertEqual(len(self.assigned_mails(self.other_rep)), 1)
        members = plan.child_ids
        with self.mock_mail_gateway():
            plan.revenue_target = 240000
            plan.revenue_target = 360000
        self.assertEqual(plan.child_ids, members)
        self.assertEqual(sorted(members.mapped("revenue_target")), [180000.0, 180000.0])
        self.assertEqual(len(self.assigned_mails(self.rep)), 0)
        self.assertEqual(len(self.assigned_mails(self.other_rep)), 0)

    def stall_note(self, deal):
        return deal.message_ids.filtered(lambda message: "Stalled" in (message.body or "")).body

    def test_stall_note_counts_one_day_and_thousands_of_days_as_written(self):
        """A stage that allows 1 day: the deal in it for a day and an hour
        is stalled "1 day", not "1 days". A deal that sat 1,234 days in a
        stage that allows 10 (the first run after the install, on years of
        deals) reads 1,234 as the other counts of the module write it."""
        self.s_new.write({"stall_days": 1, "stall_action": "flag"})
        self.s_qualified.write({"stall_days": 10, "stall_action": "flag"})
        self.set_now(self.day(0))
        quick = self.make_deal("A day", self.s_new, 1000)
        self.set_now(self.day(-1234, -1))
        old = self.make_deal("Years", self.s_qualified, 1000)
        self.set_now(self.day(1, 1))
        self.run_job()
        self.assertIn(
            "Stalled: 1 day without moving on (the stage allows 1).", self.stall_note(quick)
        )
        self.assertIn(
            "Stalled: 1,235 days without moving on (the stage allows 10).", self.stall_note(old)
        )

    def test_stall_todo_goes_to_who_may_open_the_deal(self):
        """Rita moved to the sister company: she no longer works in the
        deal's company, and cannot open it. Her stalled deal's to-do goes to
        the team's leader, Mona, as for a salesperson gone; Rita does not
        follow the deal she cannot read."""
        sister = self.env["res.company"].create({"name": "Sister Co"})
        self.team.user_id = self.manager
        self.s_new.write({"stall_days": 10, "stall_action": "flag"})
        self.set_now(self.day(0))
        deal = self.make_deal("Left behind", self.s_new, 1000)
        deal.message_unsubscribe(partner_ids=self.rep.partner_id.ids)
        self.rep.write({"company_ids": [Command.set(sister.ids)], "company_id": sister.id})
        self.assertFalse(deal.with_user(self.rep).has_access("read"))
        self.set_now(self.day(11))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.assertEqual(deal.activity_ids.user_id, self.manager)
        self.assertNotIn(self.rep.partner_id, deal.message_partner_ids)
        self.assertIn(self.manager.partner_id, deal.message_partner_ids)

    def test_stall_note_in_the_language_of_the_deals_salesperson(self):
        """The scheduler runs the stall job with no language (as Odoo's
        ir.cron does): Rita reads French, her stalled deal's note says in
        French what the job did and names her planned call's date as French
        writes dates; Otto's deal, moved back, reads in English, with the
        stages' names."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["mail", "crm", "sales_funnel_forecast"], ["fr_FR"], overwrite=True
        )
        self.rep.lang = "fr_FR"
        self.s_new.write({"stall_days": 10, "stall_action": "flag"})
        self.s_qualified.write({"stall_days": 10, "stall_action": "move_back"})
        self.set_now(self.day(0))
        french = self.make_deal("Rita's", self.s_new, 1000)
        french.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=date(2026, 4, 30),
            summary="Appeler le client",
            user_id=self.rep.id,
        )
        english = self.make_deal("Otto's", self.s_qualified, 1000, user_id=self.other_rep.id)
        self.set_now(self.day(11))
        self.env["crm.lead"].with_context(lang=None)._cron_apply_stall_rules()
        self.env.invalidate_all()
        French = self.env["crm.lead"].with_context(lang="fr_FR").env
        expected = French._(
            "Stalled: %(days)s days without moving on (the stage allows %(limit)s).",
            days=11,
            limit=10,
        )
        self.assertNotIn("Stalled", expected, "the module's French terms are loaded")
        note = self.stall_note(english)
        self.assertIn(
            "Stalled: 11 days without moving on (the stage allows 10). "
            "Moved back from T-Qualified to T-Prospect.",
            note,
        )
        note = french.message_ids.filtered(
            lambda message: escape(expected) in (message.body or "")
        ).body
        self.assertTrue(note, "the note reads in French")
        self.assertIn(French._("Flagged as stalled."), note)
        self.assertIn("30/04/2026", note)
