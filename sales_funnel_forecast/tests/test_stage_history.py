# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestStageHistory(FunnelCase):

    def test_stays_and_durations(self):
        self.set_now(self.t0)
        deal = self.make_deal("History", self.s_new, 10000)
        self.set_now(self.t0 + timedelta(days=3))
        deal.stage_id = self.s_qualified
        self.set_now(self.t0 + timedelta(days=10, hours=12))
        deal.stage_id = self.s_proposal
        self.set_now(self.t0 + timedelta(days=12))
        deal.stage_id = self.s_qualified        # the customer went back
        self.set_now(self.t0 + timedelta(days=20))
        deal.action_set_won()

        rows = deal.stage_history_ids.sorted("id")
        self.assertEqual([row.stage_id for row in rows],
                         [self.s_new, self.s_qualified, self.s_proposal, self.s_qualified, self.s_won])
        self.assertEqual([row.previous_stage_id for row in rows[1:]],
                         [self.s_new, self.s_qualified, self.s_proposal, self.s_qualified])
        self.assertFalse(rows[0].previous_stage_id)
        self.assertEqual(rows.mapped("duration_days")[:4], [3.0, 7.5, 1.5, 8.0])
        self.assertEqual(rows.mapped("is_regression"), [False, False, False, True, False])
        self.assertEqual(rows.mapped("reason"), ["create", "manual", "manual", "manual", "manual"])
        self.assertEqual(rows[0].date_in, self.t0)
        self.assertEqual(rows[1].date_in, self.t0 + timedelta(days=3))
        self.assertEqual(rows[3].date_out, self.t0 + timedelta(days=20))
        self.assertFalse(rows[4].date_out, "the current stay is open")
        self.assertEqual(rows.mapped("probability"), [10.0, 30.0, 60.0, 30.0, 100.0])
        self.assertEqual(rows[0].expected_revenue, 10000.0)
        self.assertEqual(rows.mapped("user_id"), self.rep)
        self.assertEqual(rows.mapped("team_id"), self.team)

    def test_same_stage_write_adds_nothing(self):
        deal = self.make_deal("Same", self.s_new)
        deal.write({"stage_id": self.s_new.id, "name": "Same again"})
        self.assertEqual(len(deal.stage_history_ids), 1)

    def test_batch_write_logs_with_constant_queries(self):
        deals = self.env["crm.lead"].create([
            {"name": f"Batch {i}", "type": "opportunity", "team_id": self.team.id,
             "stage_id": self.s_new.id} for i in range(60)
        ])
        self.env.flush_all()
        History = self.env["crm.lead.stage.history"]
        # The two statements of the history logger do not grow with the
        # number of deals.
        with self.assertQueryCount(2):
            History.sudo()._sff_record_moves(dict.fromkeys(deals.ids, self.s_new.id))
        deals.write({"stage_id": self.s_qualified.id})
        counts = dict(History._read_group([("lead_id", "in", deals.ids)], ["stage_id"], ["__count"]))
        self.assertEqual(counts[self.s_qualified], 60)

    def test_current_duration_refresh(self):
        self.set_now(self.t0)
        deal = self.make_deal("Refresh", self.s_new)
        self.env.cr.execute(
            "UPDATE crm_lead_stage_history SET date_in = (now() AT TIME ZONE 'UTC') - interval '36 hours' WHERE lead_id = %s",
            [deal.id])
        self.env["crm.lead.stage.history"]._cron_refresh_current_durations()
        self.assertAlmostEqual(deal.stage_history_ids.duration_days, 1.5, places=2)

    def test_history_cannot_be_made_by_hand(self):
        deal = self.make_deal("Hand", self.s_new)
        History = self.env["crm.lead.stage.history"]
        with self.assertRaises(AccessError):
            History.with_user(self.manager).create({
                "lead_id": deal.id, "stage_id": self.s_won.id, "date_in": self.t0,
            })
        with self.assertRaises(AccessError):
            deal.stage_history_ids.with_user(self.manager).write({"stage_id": self.s_won.id})
        admin = self.env.ref("base.user_admin")
        with self.assertRaises(AccessError):
            History.with_user(admin).create({
                "lead_id": deal.id, "stage_id": self.s_won.id, "date_in": self.t0,
            })

    def test_deleting_a_deal_deletes_its_history(self):
        deal = self.make_deal("Gone", self.s_new)
        rows = deal.stage_history_ids
        deal.unlink()
        self.assertFalse(rows.exists())

    def test_lost_closes_the_stay_and_restore_opens_one(self):
        self.set_now(self.t0)
        deal = self.make_deal("Lost stay", self.s_qualified)
        self.set_now(self.t0 + timedelta(days=4))
        deal.action_set_lost()
        stay = deal.stage_history_ids
        self.assertEqual(stay.date_out, self.t0 + timedelta(days=4))
        self.assertEqual(stay.duration_days, 4.0)
        self.set_now(self.t0 + timedelta(days=9))
        deal.action_unarchive()
        rows = deal.stage_history_ids.sorted("id")
        self.assertEqual(len(rows), 2)
        self.assertEqual((rows[1].stage_id, rows[1].previous_stage_id, rows[1].date_in),
                         (self.s_qualified, self.s_qualified, self.t0 + timedelta(days=9)))
        self.assertFalse(rows[1].date_out)

    def test_won_stays_are_not_refreshed(self):
        deal = self.make_deal("Won stay", self.s_proposal)
        deal.action_set_won()
        won_stay = deal.stage_history_ids.filtered(lambda row: not row.date_out)
        self.env.cr.execute(
            "UPDATE crm_lead_stage_history SET date_in = (now() AT TIME ZONE 'UTC') - interval '10 days', duration_days = 0 WHERE id = %s",
            [won_stay.id])
        self.env["crm.lead.stage.history"]._cron_refresh_current_durations()
        self.assertEqual(won_stay.duration_days, 0.0)

    def test_unknown_reason_from_context_is_a_move(self):
        deal = self.make_deal("Reason", self.s_new)
        deal.with_context(stage_history_reason="anything; drop").stage_id = self.s_qualified
        self.assertEqual(deal.stage_history_ids.sorted("id")[-1].reason, "manual")
        deal.with_context(stage_history_reason="stall").stage_id = self.s_new
        self.assertEqual(deal.stage_history_ids.sorted("id")[-1].reason, "stall")

    def test_history_follows_the_deal_to_another_company(self):
        other = self.env["res.company"].create({"name": "Funnel Moved Co"})
        deal = self.make_deal("Moving company", self.s_new, user_id=False)
        deal.stage_id = self.s_qualified
        deal.company_id = other
        self.assertEqual(deal.stage_history_ids.company_id, other)
