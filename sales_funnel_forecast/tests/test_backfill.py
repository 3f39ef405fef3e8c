# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestBackfillFromChatter(FunnelCase):
    """History rebuilt from the stage changes Odoo tracked in the chatter, as
    on a database the module is installed onto."""

    def flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def day(self, days):
        return self.t0 + timedelta(days=days)

    def date_messages(self, deal, days):
        """Date the deal's stage-tracking messages, oldest first."""
        field = self.env["ir.model.fields"]._get("crm.lead", "stage_id")
        self.env.cr.execute(
            """SELECT m.id FROM mail_message m
                 JOIN mail_tracking_value tv ON tv.mail_message_id = m.id
                WHERE m.model = 'crm.lead' AND m.res_id = %s AND tv.field_id = %s
             ORDER BY m.id""", [deal.id, field.id])
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.assertEqual(len(ids), len(days), "one tracked change per move")
        for message_id, offset in zip(ids, days):
            self.env.cr.execute("UPDATE mail_message SET date = %s WHERE id = %s",
                                [self.day(offset), message_id])
        self.env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s", [self.t0, deal.id])

    def test_backfill(self):
        moved = self.make_deal("Moved", self.s_new, 1000)
        self.flush_tracking()
        for stage in (self.s_qualified, self.s_proposal, self.s_qualified):
            moved.stage_id = stage
            self.flush_tracking()
        self.date_messages(moved, [2, 5, 6])

        # two moves in one transaction are tracked as one change
        collapsed = self.make_deal("Collapsed", self.s_new, 1000)
        self.flush_tracking()
        collapsed.stage_id = self.s_qualified
        collapsed.stage_id = self.s_proposal
        self.flush_tracking()
        self.date_messages(collapsed, [4])

        # a deal merged into "moved": its messages now sit on "moved"
        merged = self.make_deal("Merged", self.s_new, 1000)
        self.flush_tracking()
        merged.stage_id = self.s_won
        self.flush_tracking()
        self.date_messages(merged, [1])
        moved._merge_dependences(merged)

        # moved without tracking after its last tracked change
        untracked = self.make_deal("Untracked", self.s_new, 1000)
        self.flush_tracking()
        untracked.stage_id = self.s_qualified
        self.flush_tracking()
        self.date_messages(untracked, [1])
        self.env.cr.execute(
            "UPDATE crm_lead SET stage_id = %s, date_last_stage_update = %s WHERE id = %s",
            [self.s_proposal.id, self.day(3), untracked.id])

        never = self.make_deal("Never moved", self.s_qualified, 1000)
        self.env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s", [self.t0, never.id])

        deals = moved | collapsed | untracked | never
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM crm_lead_stage_history WHERE lead_id = ANY(%s)", [deals.ids])
        self.env.invalidate_all()
        History = self.env["crm.lead.stage.history"]
        # the merged deal itself keeps its rows (it still exists here)
        written = History._sff_backfill_from_tracking()
        self.assertEqual(written, 4 + 2 + 3 + 1)

        def stays(deal):
            return [
                (row.stage_id, row.previous_stage_id, row.date_in, row.date_out,
                 round(row.duration_days, 2) if row.date_out else None, row.is_regression)
                for row in deal.stage_history_ids.sorted(lambda row: (row.date_in, row.id))
            ]

        empty = self.env["crm.stage"]
        self.assertEqual(stays(moved), [
            (self.s_new, empty, self.day(0), self.day(2), 2.0, False),
            (self.s_qualified, self.s_new, self.day(2), self.day(5), 3.0, False),
            (self.s_proposal, self.s_qualified, self.day(5), self.day(6), 1.0, False),
            (self.s_qualified, self.s_proposal, self.day(6), False, None, True),
        ])
        self.assertEqual(stays(collapsed), [
            (self.s_new, empty, self.day(0), self.day(4), 4.0, False),
            (self.s_proposal, self.s_new, self.day(4), False, None, False),
        ])
        self.assertEqual(stays(untracked), [
            (self.s_new, empty, self.day(0), self.day(1), 1.0, False),
            (self.s_qualified, self.s_new, self.day(1), self.day(3), 2.0, False),
            (self.s_proposal, self.s_qualified, self.day(3), False, None, False),
        ])
        self.assertEqual(stays(never), [(self.s_qualified, empty, self.day(0), False, None, False)])
        self.assertEqual(set(deals.stage_history_ids.mapped("reason")), {"backfill"})
        # past stays carry their stage percentage, the current one the deal's
        self.assertEqual(
            moved.stage_history_ids.sorted(lambda row: (row.date_in, row.id)).mapped("probability"),
            [10.0, 30.0, 60.0, 30.0])
        # rerunning writes nothing twice
        self.assertEqual(History._sff_backfill_from_tracking(), 0)

    def test_lost_deals_on_install_keep_their_stage(self):
        from ..hooks import post_init_hook
        deal = self.make_deal("Lost before install", self.s_proposal, 1000)
        deal.action_set_lost()
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET lost_stage_id = NULL WHERE id = %s", [deal.id])
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.assertEqual(deal.lost_stage_id, self.s_proposal)

    def test_install_gives_percentages_and_aligns_open_deals(self):
        from ..hooks import post_init_hook
        team = self.env["crm.team"].create({"name": "Installed onto"})
        first = self.env["crm.stage"].create({"name": "I-First", "sequence": 990, "team_id": team.id})
        second = self.env["crm.stage"].create({"name": "I-Second", "sequence": 991, "team_id": team.id})
        automated = self.make_deal("Automated", first, 2000, team_id=team.id)
        typed = self.make_deal("Typed", second, 3000, team_id=team.id)
        self.env.flush_all()
        # as before the install: stages without a percentage, deals on Odoo's
        # automated probability (or a typed one, different from it)
        self.env.cr.execute("UPDATE crm_stage SET forecast_probability = NULL WHERE id = ANY(%s)",
                            [(first | second).ids])
        self.env.cr.execute(
            """UPDATE crm_lead SET probability = 37, automated_probability = 37,
                      probability_is_manual = NULL, forecast_revenue = NULL WHERE id = %s""",
            [automated.id])
        self.env.cr.execute(
            """UPDATE crm_lead SET probability = 45, automated_probability = 20,
                      probability_is_manual = NULL, forecast_revenue = NULL WHERE id = %s""",
            [typed.id])
        self.env.invalidate_all()
        post_init_hook(self.env)
        # two stages with no percentage: spread from 10 to 90
        self.assertEqual((first.forecast_probability, second.forecast_probability), (10.0, 90.0))
        self.assertEqual((automated.probability, automated.forecast_revenue), (10.0, 200.0))
        self.assertFalse(automated.probability_is_manual)
        self.assertEqual((typed.probability, typed.forecast_revenue), (45.0, 1350.0))
        self.assertTrue(typed.probability_is_manual)
