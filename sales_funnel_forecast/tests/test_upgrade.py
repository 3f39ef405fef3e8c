# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from ..install import rebuild


@tagged("post_install", "-at_install")
class TestUpgradeRebuild(TransactionCase):
    """The migration scripts name what their version changed that the module
    works out from the data; the end of the upgrade works each part out
    once, in the order an install does (scripts/lifecycle.sh upgrades real
    databases from each release)."""

    def test_parts_requested_run_once_in_install_order(self):
        done = []
        steps = {name: (lambda env, name=name: done.append(name)) for name in rebuild.STEPS}
        with patch.dict(rebuild.STEPS, steps):
            # 18.0.1.2.0's, then 18.0.1.3.0's and 18.0.1.11.0's scripts
            rebuild.request(self.env.cr, "funnel_rows", "win_rates")
            rebuild.request(self.env.cr, "loss_categories", "contact_status", "funnel_rows")
            rebuild.request(self.env.cr, "forecast_versions", "snapshots")
            ran = rebuild.run_requested(self.env)
        expected = [
            "loss_categories",
            "contact_status",
            "forecast_versions",
            "snapshots",
            "funnel_rows",
            "win_rates",
        ]
        self.assertEqual(done, expected)
        self.assertEqual(ran, expected)
        # asked for once: the next upgrade starts afresh
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param(rebuild.PARAM))
        with patch.dict(rebuild.STEPS, steps):
            self.assertEqual(rebuild.run_requested(self.env), [])

    def test_unknown_part_is_refused(self):
        with self.assertRaisesRegex(ValueError, "unknown rebuild steps"):
            rebuild.request(self.env.cr, "funnel_rows", "everything")
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param(rebuild.PARAM))

    def test_a_requested_part_works_the_data_out_again(self):
        """The win rates step, for real: a stage's rate stored wrong is
        worked out again."""
        stage = self.env["crm.stage"].search([("is_won", "=", False)], limit=1)
        self.env.cr.execute(
            "UPDATE crm_stage SET history_closed_count = -1 WHERE id = %s", [stage.id]
        )
        rebuild.request(self.env.cr, "win_rates")
        self.assertEqual(rebuild.run_requested(self.env), ["win_rates"])
        stage.invalidate_recordset()
        self.assertGreaterEqual(stage.history_closed_count, 0)
