# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.modules.migration import load_script
from odoo.tests import tagged

from ..hooks import post_init_hook
from ..install.rebuild import run_requested
from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestOddData(FunnelCase):
    """The install and the reports on the odd rows that years of CRM data
    hold: deals archived at a probability above 0, won deals imported
    after they closed, refunds won at a negative amount..."""

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

    def test_plan_filled_from_imported_deals_and_refunds(self):
        """A plan filled from the team's 10 deals closed in the last 12
        months: three won at 3,000, each created 40 days before it closed;
        a refund won at -1,000, imported 10 days after it closed; six lost.
        The average deal is (9,000 - 1,000) / 4 = 2,000; the sales cycle is
        that of the three deals whose creation came first, 40 days (the
        imported one's is not known); the refund's month weighs nothing
        rather than less than nothing, all the revenue came in the three
        deals' month: 12. Nothing the user typed is refused."""
        today = fields.Date.context_today(self.env["crm.lead"])
        won_on = fields.Datetime.to_datetime(today - timedelta(days=20))
        refunded_on = fields.Datetime.to_datetime(today - timedelta(days=50))
        won = self.env["crm.lead"]
        for index in range(3):
            won |= self.make_deal(f"Won {index}", self.s_proposal, 3000)
        refund = self.make_deal("Refund", self.s_proposal, -1000)
        (won | refund).action_set_won()
        for index in range(6):
            self.make_deal(f"Lost {index}", self.s_new, 500).action_set_lost()
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE crm_lead SET date_closed = %s, create_date = %s
                WHERE team_id = %s AND id <> %s""",
            [won_on, won_on - timedelta(days=40), self.team.id, refund.id],
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s, create_date = %s WHERE id = %s",
            [refunded_on, refunded_on + timedelta(days=10), refund.id],
        )
        self.env.invalidate_all()
        plan = make_plan(self.env, self.team, sales_cycle_days=15)
        plan.action_fill_from_history()
        self.assertEqual(
            plan.history_note, "Filled from 10 deals closed in the last 12 months (4 won, 6 lost)."
        )
        self.assertEqual((plan.average_deal_value, plan.sales_cycle_days), (2000.0, 40))
        weights = {season.month: season.weight for season in plan.season_ids}
        self.assertEqual(weights[str(won_on.month)], 12.0)
        self.assertEqual(weights[str(refunded_on.month)], 0.0)
        self.assertEqual(sum(weights.values()), 12.0)

    def installed_through_deleted_intake(self):
        """A deal created on day 0 in an "Intake" stage before T-Prospect,
        moved to T-Prospect on day 1; Intake deleted, then the install."""
        intake = self.env["crm.stage"].create(
            {"name": "Intake", "sequence": 900, "team_id": self.team.id}
        )
        deal = self.make_deal("Through Intake", intake, 1000)
        self.created(deal)
        self.track(deal, {"stage_id": self.s_new.id}, 1)
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM crm_lead_stage_history WHERE lead_id = %s", [deal.id])
        self.env.invalidate_all()
        intake.unlink()
        post_init_hook(self.env)
        return intake, deal

    def test_stay_in_a_deleted_stage_reaches_no_later_stage(self):
        """Created on day 0 in an "Intake" stage that came before T-Prospect
        and was deleted since, moved to T-Prospect on day 1, where it is
        open. The install brings Intake back (archived) to keep the stay;
        the deal reached T-Prospect and no further: not T-Qualified nor
        T-Proposal, which it never entered."""
        _intake, deal = self.installed_through_deleted_intake()
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(
            [
                (row.stage_id.name, row.entered, row.moved_on, row.open_here)
                for row in rows.filtered(lambda row: row.stage_id.team_id == self.team)
            ],
            [("T-Prospect", 1, 0, 1)],
        )
        self.assertStructuresHold("install through a deleted stage")

    def test_plan_filled_from_closed_deals_only(self):
        """The team's last 12 months: 4 deals won at 2,000, 6 lost, and 2
        open deals that carry a closing date (an import, an older
        database). The plan is filled from the 10 closed deals, not from
        12 with the open two as lost."""
        won = self.env["crm.lead"]
        for index in range(4):
            won |= self.make_deal(f"Won {index}", self.s_proposal, 2000)
        won.action_set_won()
        for index in range(6):
            self.make_deal(f"Lost {index}", self.s_new, 500).action_set_lost()
        dated = self.env["crm.lead"]
        for index in range(2):
            dated |= self.make_deal(f"Open {index}", self.s_new, 500)
        self.env.flush_all()
        closed_on = fields.Datetime.now() - timedelta(days=20)
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s, create_date = %s WHERE team_id = %s",
            [closed_on, closed_on - timedelta(days=30), self.team.id],
        )
        self.env.invalidate_all()
        self.assertTrue(all(dated.mapped("active")))
        plan = make_plan(self.env, self.team)
        plan.action_fill_from_history()
        self.assertEqual(
            plan.history_note, "Filled from 10 deals closed in the last 12 months (4 won, 6 lost)."
        )

    def test_upgrade_puts_right_what_an_earlier_install_left(self):
        """A database installed before 18.0.1.23.0: a deal lost in Proposal
        (2,000) at 40 % without the stage it was lost in, and a deal that
        went through a deleted "Intake", brought back at sequence 1000
        (last). The upgrade gives the first its stage, puts Intake first
        and works the funnel rows out again: lost in T-Proposal; the second
        reached T-Prospect and no further."""
        lost = self.make_deal("Lost at 40 %", self.s_proposal, 2000)
        lost.action_set_lost()
        intake, deal = self.installed_through_deleted_intake()
        # as the install of the earlier release left them
        self.env.cr.execute(
            "UPDATE crm_lead SET probability = 40, lost_stage_id = NULL WHERE id = %s", [lost.id]
        )
        self.env.cr.execute("UPDATE crm_stage SET sequence = 1000 WHERE id = %s", [intake.id])
        self.env["crm.lead.stage.reach"]._sff_fill()
        self.env.invalidate_all()
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.23.0/post-migrate.py",
            "sff_post_migrate_18_0_1_23_0",
        )
        migration.migrate(self.env.cr, "18.0.1.22.0")
        run_requested(self.env)
        self.env.invalidate_all()
        self.assertEqual(lost.lost_stage_id, self.s_proposal)
        self.assertLess(
            intake.with_context(active_test=False).sequence,
            min(self.env["crm.stage"].search([]).mapped("sequence")),
        )
        Report = self.env["crm.funnel.report"]
        self.assertEqual(
            Report.search([("lead_id", "=", lost.id), ("lost_here", ">", 0)]).stage_id,
            self.s_proposal,
        )
        rows = Report.search([("lead_id", "=", deal.id)])
        self.assertEqual(
            [
                (row.stage_id.name, row.entered, row.moved_on, row.open_here)
                for row in rows.filtered(lambda row: row.stage_id.team_id == self.team)
            ],
            [("T-Prospect", 1, 0, 1)],
        )
        self.assertStructuresHold("upgrade of an earlier install")
        # a second upgrade finds nothing to do
        migration.migrate(self.env.cr, "18.0.1.22.0")
        self.assertEqual(run_requested(self.env), [])
