# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import fields
from odoo.api import call_kw
from odoo.exceptions import UserError, ValidationError
from odoo.modules.migration import load_script
from odoo.tests import tagged

from ..models.crm_lead_stall import STALL_ACTIVITY_TYPE
from .common import FunnelCase


class StallCase(FunnelCase):
    """A team with its own pipeline: A (10 %) flags after 10 days, B (30 %)
    takes deals out of the forecast after 5, C (60 %) moves them back one
    stage after 3, D (80 %) closes them as lost after 7, W is won."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")
        cls.a, cls.b, cls.c, cls.w = cls.s_new, cls.s_qualified, cls.s_proposal, cls.s_won
        cls.reason = cls.env["crm.lost.reason"].create({"name": "Went silent"})
        cls.d = cls.env["crm.stage"].create(
            {
                "name": "T-Signature",
                "sequence": 903,
                "forecast_probability": 80,
                "team_id": cls.team.id,
            }
        )
        cls.w.sequence = 905
        cls.a.write({"stall_days": 10, "stall_action": "flag"})
        cls.b.write({"stall_days": 5, "stall_action": "exclude"})
        cls.c.write({"stall_days": 3, "stall_action": "move_back", "stall_move_back_steps": 1})
        cls.d.write(
            {"stall_days": 7, "stall_action": "lose", "stall_lost_reason_id": cls.reason.id}
        )

    def notes(self, deal):
        return deal.message_ids.filtered(lambda message: "Stalled:" in (message.body or ""))


@tagged("post_install", "-at_install")
class TestStallRules(StallCase):
    def test_flag_once_after_the_limit(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Flag", self.a, 1000)
        deal.message_unsubscribe(partner_ids=self.rep.partner_id.ids)
        self.set_now(self.day(10))
        self.run_job()
        self.assertFalse(deal.is_stalled, "exactly 10 days is not past the limit")
        self.set_now(self.day(10, 1))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.assertEqual(deal.stalled_date, self.day(10, 1))
        self.assertEqual(deal.forecast_revenue, 100.0, "flagged only: still in the forecast")
        self.assertEqual(len(self.notes(deal)), 1)
        activity = deal.activity_ids
        self.assertEqual((len(activity), activity.user_id), (1, self.rep))
        # the salesperson follows the deal again, with the default subtypes
        follower = deal.message_follower_ids.filtered(lambda f: f.partner_id == self.rep.partner_id)
        self.assertEqual(
            follower.subtype_ids, self.env["mail.message.subtype"].default_subtypes("crm.lead")[0]
        )
        # run again, the next day: nothing more
        self.set_now(self.day(11, 1))
        self.run_job()
        self.assertEqual(len(self.notes(deal)), 1)
        self.assertEqual(len(deal.activity_ids), 1)
        # days over the limit on the card
        self.set_now(self.day(13, 2))
        self.env.invalidate_all()
        self.assertEqual(deal.stall_days_over, 3)

    def test_exclude_and_back_when_it_moves_on(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Exclude", self.b, 2000)
        self.set_now(self.day(6))
        self.run_job()
        self.assertTrue(deal.is_stalled and deal.forecast_excluded)
        self.assertEqual(deal.forecast_revenue, 0.0)
        row = self.env["crm.forecast.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(
            (row.forecast_revenue, row.excluded_amount, row.is_stalled), (0.0, 600.0, True)
        )
        funnel = {
            r["stage_id"]: r
            for r in self.env["crm.funnel.dashboard"]._sff_funnel([("team_id", "=", self.team.id)])
        }
        self.assertEqual(funnel[self.b.id]["stalled_here"], 1)
        # leaving the stage clears it
        deal.stage_id = self.c
        self.assertFalse(deal.is_stalled or deal.forecast_excluded)
        self.assertEqual(deal.forecast_revenue, 1200.0)

    def test_funnel_rows_flagged_in_place_are_those_a_rebuild_gives(self):
        self.set_now(self.day(0))
        flagged = self.make_deal("Flag row", self.a, 1000)
        excluded = self.make_deal("Exclude row", self.b, 2000)
        excluded.stage_id = self.c
        excluded.stage_id = self.b
        self.set_now(self.day(11))
        self.run_job()
        self.assertTrue(flagged.is_stalled and excluded.is_stalled)
        Reach = self.env["crm.lead.stage.reach"]
        columns = ["lead_id", "stage_id", "is_current", "is_stalled", "entered", "moved_on"]
        deals = (flagged | excluded).ids

        def rows():
            return sorted(
                tuple(row[column] for column in columns)
                for row in Reach.search_read([("lead_id", "in", deals)], columns, load=None)
            )

        in_place = rows()
        self.assertEqual(
            [(row[0], row[1]) for row in in_place if row[3]],
            [(flagged.id, self.a.id), (excluded.id, self.b.id)],
            "only the current stage's row is stalled",
        )
        Reach._sff_rebuild(deals)
        self.assertEqual(rows(), in_place)

    def test_move_back_keeps_owner_and_logs_the_cause(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Move back", self.c, 3000)
        self.set_now(self.day(4))
        self.run_job()
        self.assertEqual(deal.stage_id, self.b)
        self.assertEqual(deal.probability, 30.0)
        self.assertEqual((deal.user_id, deal.team_id), (self.rep, self.team))
        stay = deal.stage_history_ids.sorted("id")[-1]
        self.assertEqual(
            (stay.stage_id, stay.previous_stage_id, stay.reason, stay.is_regression),
            (self.b, self.c, "stall", True),
        )
        note = self.notes(deal)
        self.assertIn("Moved back from T-Proposal to T-Qualified", note.body)
        # the stage change is tracked in the note, as Odoo tracks stages
        self.assertEqual(
            [
                (
                    value.field_id.name,
                    value.old_value_integer,
                    value.new_value_integer,
                    value.old_value_char,
                    value.new_value_char,
                )
                for value in note.tracking_value_ids
            ],
            [("stage_id", self.c.id, self.b.id, "T-Proposal", "T-Qualified")],
        )
        self.assertFalse(deal.is_stalled)
        # its new stay counts from day 4: B allows 5 days
        self.set_now(self.day(9))
        self.run_job()
        self.assertFalse(deal.is_stalled)
        self.set_now(self.day(9, 1))
        self.run_job()
        self.assertTrue(deal.is_stalled and deal.forecast_excluded)

    def test_move_back_from_the_first_stage_flags(self):
        self.a.write({"stall_action": "move_back"})
        self.set_now(self.day(0))
        deal = self.make_deal("First", self.a, 1000)
        self.set_now(self.day(11))
        self.run_job()
        self.assertEqual(deal.stage_id, self.a, "nowhere to go back to")
        self.assertTrue(deal.is_stalled)
        self.assertIn("No earlier stage", self.notes(deal).body)

    def test_lose_with_the_stage_reason(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Lose", self.d, 4000)
        self.set_now(self.day(8))
        self.run_job()
        self.assertFalse(deal.active)
        self.assertEqual((deal.lost_reason_id, deal.lost_stage_id), (self.reason, self.d))
        self.assertIn("Closed as lost: Went silent", self.notes(deal).body)
        self.assertTrue(deal.exists(), "nothing is deleted")

    def test_keep_open(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Kept", self.b, 2000)
        self.set_now(self.day(6))
        self.run_job()
        with self.assertRaises(UserError):
            deal.with_user(self.rep).action_stall_keep_open()
        deal.with_user(self.manager).action_stall_keep_open()
        self.assertFalse(deal.is_stalled or deal.forecast_excluded)
        self.assertEqual(deal.stall_reset_date, self.day(6))
        # it stalls again 5 days after being kept open, not before
        self.set_now(self.day(10))
        self.run_job()
        self.assertFalse(deal.is_stalled)
        self.set_now(self.day(11, 1))
        self.run_job()
        self.assertTrue(deal.is_stalled)

    def test_planned_activity_is_named_and_time_still_counts(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Busy", self.a, 1000)
        deal.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=date(2026, 4, 30),
            summary="Call the buyer",
            user_id=self.rep.id,
        )
        self.set_now(self.day(11))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.assertIn(
            "An activity is planned: Call the buyer, due 04/30/2026", self.notes(deal).body
        )

    def test_batches_stop_half_way_and_resume(self):
        self.set_now(self.day(0))
        deals = (
            self.make_deal("One", self.a)
            | self.make_deal("Two", self.a)
            | self.make_deal("Three", self.a)
        )
        self.set_now(self.day(11))
        self.assertEqual(self.run_job(batch_size=1), 2, "two deals wait for the next call")
        self.assertEqual(len(deals.filtered("is_stalled")), 1)
        self.assertEqual(self.run_job(batch_size=1), 1)
        self.assertEqual(self.run_job(batch_size=1), 0)
        self.assertEqual(len(deals.filtered("is_stalled")), 3)
        self.assertEqual(self.run_job(), 0)

    def test_changing_a_stage_limit_applies_to_current_deals(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Limit", self.a, 1000)
        self.set_now(self.day(6))
        self.run_job()
        self.assertFalse(deal.is_stalled)
        self.a.stall_days = 5
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.a.stall_days = 0
        other = self.make_deal("Never", self.a, 1000)
        self.set_now(self.day(60))
        self.run_job()
        self.assertFalse(other.is_stalled, "0: the stage never stalls deals")

    def test_a_limit_raised_or_removed_ends_the_stalls_it_no_longer_gives(self):
        """Stage A flags after 10 days. Two deals in on day 0 are flagged on
        day 11, one of them kept open by a manager then; on day 22 the job
        flags it again (11 days since), the other (22 days in) and a deal
        in on day 4 (18 days in). The limit raised to 19 on day 22: the deal
        of day 4 and the one kept open are stalled no more, their to-dos
        gone; the one of day 0 stays flagged, also after the job's next
        run. Then the limit set to 0 (never stalls): it is stalled no
        more."""
        self.set_now(self.day(0))
        first = self.make_deal("In on day 0", self.a, 1000)
        kept = self.make_deal("Kept open", self.a, 1000)
        self.set_now(self.day(4))
        later = self.make_deal("In on day 4", self.a, 1000)
        self.set_now(self.day(11))
        self.run_job()
        kept.with_user(self.manager).action_stall_keep_open()
        self.set_now(self.day(22))
        self.run_job()
        deals = first + later + kept
        self.assertEqual(deals.mapped("is_stalled"), [True, True, True])
        self.a.with_user(self.manager).stall_days = 19
        self.end_request()
        self.assertEqual(deals.mapped("is_stalled"), [True, False, False])
        self.assertEqual([len(deal.activity_ids) for deal in deals], [1, 0, 0])
        self.assertEqual(kept.stall_reset_date, self.day(11), "kept open on day 11: still so")
        self.run_job()
        self.assertEqual(deals.mapped("is_stalled"), [True, False, False], "the new limit holds")
        self.a.with_user(self.manager).stall_days = 0
        self.end_request()
        self.assertEqual(deals.mapped("is_stalled"), [False, False, False])
        self.assertEqual([len(deal.activity_ids) for deal in deals], [0, 0, 0])
        self.assertStructuresHold("stalls ended by a stage's new limit")

    def test_manager_button_starts_the_job(self):
        """The button does not act in its own request: it asks the cron
        workers to run the job (which commits batch by batch) and says how
        many deals wait for it."""
        self.set_now(self.day(0))
        deal = self.make_deal("Button", self.a)
        self.set_now(self.day(5))
        self.make_deal("Fresh", self.a)
        self.set_now(self.day(11))
        with self.assertRaises(UserError):
            self.env["crm.lead"].with_user(self.rep).action_apply_stall_rules()
        job = self.env.ref("sales_funnel_forecast.ir_cron_apply_stall_rules")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", job.id)])
        # as the list's header button calls it: with the selected deals, here none
        result = call_kw(
            self.env["crm.lead"].with_user(self.manager), "action_apply_stall_rules", [[]], {}
        )
        self.assertEqual(Trigger.search_count([("cron_id", "=", job.id)]), before + 1)
        self.assertIn(" to a deal past its stage's limit", result["params"]["message"])
        self.env.invalidate_all()
        self.assertFalse(deal.is_stalled, "nothing done in the request itself")
        # what the cron worker then runs
        self.assertEqual(self.run_job(), 0)
        self.assertTrue(deal.is_stalled)
        # with a deal selected
        result = call_kw(
            self.env["crm.lead"].with_user(self.manager), "action_apply_stall_rules", [deal.ids], {}
        )
        self.assertEqual(result["params"]["message"], "No deal is past its stage's limit.")
        job.active = False
        with self.assertRaisesRegex(UserError, "switched off"):
            self.env["crm.lead"].with_user(self.manager).action_apply_stall_rules()

    def test_lose_rule_needs_a_reason(self):
        with self.assertRaisesRegex(ValidationError, "lost reason"):
            self.b.write({"stall_action": "lose", "stall_lost_reason_id": False})

    def test_deals_locked_by_users_are_left_for_the_next_call(self):
        # a deal committed before the test (the demo data's), open in a
        # stage that stalls after 10 days, which another user is saving
        deal = self.committed_deal_past_its_limit()
        # were the job to wait for the lock, fail instead of hanging (the
        # setting goes with this test's savepoint)
        self.env.cr.execute("SET LOCAL lock_timeout = '5s'")
        with self.registry.cursor() as other:
            # the lock a user's save takes (an UPDATE of the deal); never wait
            # on this test's own transaction
            other.execute("SET LOCAL lock_timeout = '5s'")
            other.execute("SELECT id FROM crm_lead WHERE id = %s FOR NO KEY UPDATE", [deal.id])
            self.run_job()
            self.assertFalse(deal.is_stalled, "locked by someone else: left alone")
            other.rollback()
        self.run_job()
        self.assertTrue(deal.is_stalled)

    def test_stall_job_keeps_the_structures(self):
        self.set_now(self.day(0))
        deals = [
            self.make_deal(f"St{i}", stage, 1000)
            for i, stage in enumerate([self.a, self.b, self.c, self.d])
        ]
        self.set_now(self.day(20))
        self.run_job()
        self.assertStructuresHold("stall job")
        self.set_now(self.day(21))
        for deal in deals:
            deal.invalidate_recordset()
        deals[0].write({"stage_id": self.b.id})
        deals[1].write({"forecast_excluded": False})
        self.assertStructuresHold("after stall: moves")
        self.set_now(self.day(40))
        self.run_job()
        self.assertStructuresHold("stall job again")


@tagged("post_install", "-at_install")
class TestStallTodos(StallCase):
    """The to-do a stalled deal's salesperson is given: one at a time, due
    on their own today, never given to someone gone, done with when the
    deal moves on or is kept open."""

    def todos(self, deal):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", deal.id),
                ("activity_type_id", "=", self.env.ref(STALL_ACTIVITY_TYPE).id),
            ]
        )

    def test_todo_done_with_when_the_deal_moves_on(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Moves on", self.a, 1000)
        other = self.make_deal("Stays", self.a, 1000)
        self.set_now(self.day(11))
        self.run_job()
        self.assertEqual((len(self.todos(deal)), len(self.todos(other))), (1, 1))
        deal.with_user(self.rep).stage_id = self.b
        self.env.invalidate_all()
        self.assertFalse(deal.is_stalled)
        self.assertEqual((len(self.todos(deal)), len(self.todos(other))), (0, 1))

    def test_todo_done_with_when_kept_open_and_never_two(self):
        """Kept open, its to-do goes; stalled again, it has one; stalled a
        third time before the rep did the to-do, still one (and the note
        does not name it as a planned activity of someone else)."""
        self.set_now(self.day(0))
        deal = self.make_deal("Kept open", self.a, 1000)
        self.set_now(self.day(11))
        self.run_job()
        deal.with_user(self.manager).action_stall_keep_open()
        self.env.invalidate_all()
        self.assertFalse(self.todos(deal))
        self.set_now(self.day(22, 1))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.assertEqual(len(self.todos(deal)), 1)
        # the stall rule acts once per stay: the stay's stall date given
        # back, as a rule with fewer days would
        self.env["crm.lead.stage.history"]._sff_reset_stall_due(deal.ids)
        self.set_now(self.day(33, 2))
        self.run_job()
        self.assertEqual(len(self.todos(deal)), 1)
        self.assertEqual(len(deal.activity_ids), 1)

    def test_merged_deals_keep_one_todo_while_stalled(self):
        """Odoo moves the merged deals' activities to the deal kept: a
        stalled deal merged into one that is not stalled leaves it no stall
        to-do; two stalled deals merged leave one."""
        self.set_now(self.day(0))
        tail = self.make_deal("Merged tail", self.a, 1000)
        stalled = self.make_deal("Stalled head", self.a, 2000)
        self.set_now(self.day(10))
        head = self.make_deal("Open head", self.b, 5000)
        self.set_now(self.day(11))
        self.run_job()
        self.assertEqual(
            (tail.is_stalled, stalled.is_stalled, head.is_stalled), (True, True, False)
        )
        kept = (head | tail)._merge_opportunity(auto_unlink=False)
        self.assertEqual(kept, head)
        self.env.invalidate_all()
        self.assertFalse(self.todos(kept))
        other = self.make_deal("Stalled too", self.a, 1000)
        self.env["crm.lead.stage.history"]._sff_reset_stall_due(other.ids, self.day(0))
        self.run_job()
        kept = (stalled | other)._merge_opportunity(auto_unlink=False)
        self.env.invalidate_all()
        self.assertTrue(kept.is_stalled)
        self.assertEqual(len(self.todos(kept)), 1)

    def test_todo_due_on_the_salespersons_today(self):
        """The job runs on the server's day (UTC); the rep's to-do is due on
        the rep's own today, in a time zone where it is another day now."""
        server_today = fields.Date.context_today(self.env["crm.lead"])
        tz = next(
            zone
            for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
            if fields.Date.context_today(self.env["crm.lead"].with_context(tz=zone)) != server_today
        )
        self.rep.tz = tz
        self.set_now(self.day(0))
        deal = self.make_deal("Far away", self.a, 1000)
        self.set_now(self.day(11))
        self.run_job()
        rep_today = fields.Date.context_today(self.env["crm.lead"].with_context(tz=tz))
        self.assertEqual(self.todos(deal).date_deadline, rep_today)
        self.assertNotEqual(rep_today, server_today)

    def test_todo_of_a_salesperson_gone_goes_to_the_team_leader(self):
        self.team.user_id = self.manager
        self.set_now(self.day(0))
        deal = self.make_deal("Rep gone", self.a, 1000)
        nobody = self.make_deal("Nobody's", self.a, 1000, user_id=False)
        self.rep.active = False
        self.set_now(self.day(11))
        self.run_job()
        self.assertEqual(self.todos(deal).user_id, self.manager)
        self.assertEqual(self.todos(nobody).user_id, self.manager)
        # no leader: no to-do for someone gone
        self.team.user_id = False
        late = self.make_deal("Later", self.a, 1000, user_id=False)
        self.env["crm.lead.stage.history"]._sff_reset_stall_due(late.ids, self.day(0))
        self.run_job()
        self.assertTrue(late.is_stalled)
        self.assertFalse(self.todos(late))

    def test_note_of_a_deal_moved_back_names_the_limit_it_stalled_past(self):
        """C allows 3 days and moves deals back to B (which allows 5): the
        note of a deal 4 days in C says C's 3."""
        self.set_now(self.day(0))
        deal = self.make_deal("Moved back", self.c, 3000)
        self.set_now(self.day(4))
        self.run_job()
        self.assertEqual(deal.stage_id, self.b)
        self.assertIn(
            "Stalled: 4 days without moving on (the stage allows 3).", self.notes(deal).body
        )

    def test_upgrade_gives_earlier_todos_their_type(self):
        """To-dos the stall rules gave before 18.0.1.18.0 (Odoo's To-Do type,
        the rule's summary, never done away with): the newest of a deal
        still stalled takes the stall type, the older one of that deal and
        that of a deal moved on go; a to-do of the rep's own stays a To-Do."""
        self.set_now(self.day(0))
        deal = self.make_deal("Stalled twice", self.a, 1000)
        moved = self.make_deal("Moved on", self.a, 1000)
        self.set_now(self.day(11))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        moved.stage_id = self.b
        self.env["mail.activity"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", (deal | moved).ids)]
        ).unlink()
        todo = self.env.ref("mail.mail_activity_data_todo")

        def activity(lead, summary, automated=True):
            return self.env["mail.activity"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": lead.id,
                    "activity_type_id": todo.id,
                    "summary": summary,
                    "user_id": self.rep.id,
                    "automated": automated,
                }
            )

        stall_summary = "Stalled deal: move it on, keep it open or close it"
        older, newer, gone = (
            activity(deal, stall_summary),
            activity(deal, stall_summary),
            activity(moved, stall_summary),
        )
        own = activity(deal, "Call back", automated=False)
        self.env.flush_all()
        load_script(
            "sales_funnel_forecast/migrations/18.0.1.18.0/post-migrate.py", "post_migrate"
        ).migrate(self.env.cr, "18.0.1.17.0")
        self.env.invalidate_all()
        self.assertFalse((older | gone).exists())
        self.assertEqual(newer.activity_type_id, self.env.ref(STALL_ACTIVITY_TYPE))
        self.assertEqual(own.activity_type_id, todo)
        self.assertFalse(moved.activity_ids)
        deal.stage_id = self.b
        self.env.invalidate_all()
        self.assertEqual(deal.activity_ids, own)
