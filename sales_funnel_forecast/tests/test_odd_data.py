# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from ..hooks import post_init_hook
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestOddData(FunnelCase):
    """The install and the reports on the odd rows that years of CRM data
    hold: deals archived at a probability above 0, ..."""

    def test_deals_archived_above_zero_percent_are_lost_in_their_stage(self):
        """Before the install: a deal lost in Proposal (2,000) whose
        probability an older Odoo left at 40 %, and a deal won (700) then
        archived. Both are lost for the module (archived): the funnel
        counts each lost in its stage, as the live path does and as the
        Losses report does, 2 deals and 2,700 in all."""
        lost = self.make_deal("Lost at 40 %", self.s_proposal, 2000)
        lost.action_set_lost()
        won = self.make_deal("Won then archived", self.s_qualified, 700)
        won.action_set_won()
        self.end_request()
        self.env.cr.execute(
            "UPDATE crm_lead SET probability = 40, lost_stage_id = NULL WHERE id = %s", [lost.id]
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET active = FALSE, lost_stage_id = NULL WHERE id = %s", [won.id]
        )
        self.env.cr.execute(
            "DELETE FROM crm_lead_stage_history WHERE lead_id = ANY(%s)", [(lost | won).ids]
        )
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.assertEqual(lost.lost_stage_id, self.s_proposal)
        self.assertEqual(won.lost_stage_id, self.s_won)
        domain = [("lead_id", "in", (lost | won).ids)]
        funnel = self.env["crm.funnel.report"]._read_group(
            domain + [("lost_here", ">", 0)], ["stage_id"], ["lost_here:sum", "lost_amount:sum"]
        )
        self.assertEqual(
            sorted((stage.name, count, amount) for stage, count, amount in funnel),
            [("T-Proposal", 1, 2000.0), ("T-Won", 1, 700.0)],
        )
        losses = self.env["crm.loss.report"]._read_group(
            domain, ["lost_stage_id"], ["lost_count:sum", "lost_amount:sum"]
        )
        self.assertEqual(
            sorted((stage.name, count, amount) for stage, count, amount in losses),
            [("T-Proposal", 1, 2000.0), ("T-Won", 1, 700.0)],
        )
        self.assertStructuresHold("install")
