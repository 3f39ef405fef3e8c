# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestStagePercentages(FunnelCase):

    def test_percentage_out_of_range_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.s_new.forecast_probability = 120
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.s_new.forecast_probability = -1

    def test_negative_stall_days_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.s_new.stall_days = -3

    def test_move_back_needs_a_step(self):
        with self.assertRaisesRegex(ValidationError, "at least one stage"):
            self.s_new.write({"stall_days": 10, "stall_action": "move_back", "stall_move_back_steps": 0})

    def test_won_stage_is_always_100(self):
        won = self.env["crm.stage"].create({"name": "Signed", "is_won": True})
        self.assertEqual(won.forecast_probability, 100.0)
        with self.assertRaisesRegex(ValidationError, "must be 100"):
            won.forecast_probability = 80
        self.s_proposal.is_won = True
        self.assertEqual(self.s_proposal.forecast_probability, 100.0)

    def test_only_a_won_stage_is_at_100(self):
        with self.assertRaisesRegex(ValidationError, "Only the stage where a deal is won"):
            self.s_proposal.forecast_probability = 100

    def test_stall_fields_defaults(self):
        self.assertEqual(self.s_new.stall_days, 0)
        self.assertEqual(self.s_new.stall_action, "flag")
        self.assertEqual(self.s_new.stall_move_back_steps, 1)

    def test_odoo_default_stages_got_percentages_on_install(self):
        expected = {"crm.stage_lead1": 10.0, "crm.stage_lead2": 30.0,
                    "crm.stage_lead3": 60.0, "crm.stage_lead4": 100.0}
        for xmlid, percentage in expected.items():
            stage = self.env.ref(xmlid, raise_if_not_found=False)
            if stage:
                self.assertEqual(stage.forecast_probability, percentage, xmlid)
