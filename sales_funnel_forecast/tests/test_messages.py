# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the module posts, mails and schedules, as its readers get it: who
is told, how often, and how it reads."""

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
