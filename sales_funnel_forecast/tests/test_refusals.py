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
