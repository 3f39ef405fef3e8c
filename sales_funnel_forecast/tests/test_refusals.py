# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deletions the database would refuse through a foreign key of the
module's tables: refused in the module's words, naming what holds the
record and what to do instead, and nothing lost."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestRefusals(FunnelCase):
    def test_stage_in_plan_conversions_is_not_deleted(self):
        """A stage no deal went through, named in a plan's stage conversions
        (Qualified 50 %, the extra stage 40 %: a win rate of 20 %): its
        deletion is refused naming the plan (Odoo said a database constraint
        of "crm.target.plan.stage"), the plan keeps its 2 lines; taken out
        of the plan, the stage goes."""
        extra = self.env["crm.stage"].create(
            {"name": "T-Extra", "sequence": 902, "team_id": self.team.id}
        )
        plan = make_plan(
            self.env,
            self.team,
            name="Conversions 2027",
            stage_line_ids=[
                (0, 0, {"stage_id": self.s_qualified.id, "conversion": 50}),
                (0, 0, {"stage_id": extra.id, "conversion": 40}),
            ],
        )
        self.assertEqual(plan.win_rate, 20.0)
        with self.assertRaises(UserError) as raised:
            extra.with_user(self.manager).unlink()
        self.assertEqual(
            str(raised.exception),
            "Stage “T-Extra” is in the stage conversions of target plans (Conversions 2027): "
            "take it out of the plans first, or archive the stage.",
        )
        self.assertEqual(len(plan.stage_line_ids), 2)
        self.assertEqual(plan.win_rate, 20.0)
        plan.stage_line_ids.filtered(lambda line: line.stage_id == extra).unlink()
        extra.with_user(self.manager).unlink()
        self.assertFalse(extra.exists())
        self.assertEqual(plan.win_rate, 50.0)

    def test_lost_reason_of_a_stall_rule_is_not_deleted(self):
        """Prospect closes deals stalled 5 days as lost for "Went silent":
        deleting that reason is refused naming the stage (Odoo said a
        database constraint of "crm.stage"), and the rule keeps it.
        Qualified's rule was changed from closing as lost to flagging, the
        reason it had left hidden behind: that reason goes, the stage's
        flag rule stays as it is, without it."""
        Reason = self.env["crm.lost.reason"]
        silent, stale = Reason.create([{"name": "Went silent"}, {"name": "Stale"}])
        self.s_new.write(
            {"stall_days": 5, "stall_action": "lose", "stall_lost_reason_id": silent.id}
        )
        self.s_qualified.write(
            {"stall_days": 7, "stall_action": "lose", "stall_lost_reason_id": stale.id}
        )
        self.s_qualified.stall_action = "flag"
        with self.assertRaises(UserError) as raised:
            silent.unlink()
        self.assertEqual(
            str(raised.exception),
            "Lost reason “Went silent” closes the stalled deals of stages (T-Prospect): "
            "choose another reason in their stall rules first, or archive the reason.",
        )
        self.assertEqual(self.s_new.stall_lost_reason_id, silent)
        stale.unlink()
        self.assertEqual(
            (self.s_qualified.stall_days, self.s_qualified.stall_action),
            (7, "flag"),
        )
        self.assertFalse(self.s_qualified.stall_lost_reason_id)
        silent.action_archive()
        self.assertEqual(self.s_new.stall_lost_reason_id, silent)
