# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta

import psycopg2
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import FunnelCase, company_user, team_and_deal


class CallsMixin:
    """A call logged with its date, a deal's calls taken away as an uninstall
    does, and a phone call scheduled on a deal."""

    def call(self, deal, outcome, when, user=None):
        return (
            self.env["crm.lead.call"]
            .with_user(user or self.rep)
            .create({"lead_id": deal.id, "outcome": outcome, "date": when})
        )

    def uninstall_calls(self, deal):
        """What an uninstall does to the deal's calls: gone, with its
        counters."""
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM crm_lead_call WHERE lead_id = %s", [deal.id])
        self.env.cr.execute(
            """UPDATE crm_lead SET call_count = 0, call_attempt_count = 0,
                      date_first_conversation = NULL WHERE id = %s""",
            [deal.id],
        )
        self.env.invalidate_all()

    def schedule_call(self, deal, user=None):
        return (
            self.env["mail.activity"]
            .with_user(user or self.rep)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": deal.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "user_id": (user or self.rep).id,
                    "summary": "Call back",
                }
            )
        )


@tagged("post_install", "-at_install")
class TestCalls(CallsMixin, FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.team.id, "user_id": cls.rep.id},
                {"crm_team_id": cls.team.id, "user_id": cls.other_rep.id, "call_target_daily": 5},
            ]
        )
        cls.team.write({"call_target_daily": 3, "call_target_weekly": 12})

    def log(self, deal, outcome, user=None, **values):
        """A call logged the way a rep does: the dialog, then one button."""
        wizard = (
            self.env["crm.lead.call.log"]
            .with_user(user or self.rep)
            .create(dict({"lead_id": deal.id}, **values))
        )
        wizard.with_context(sff_call_outcome=outcome).action_log()
        return deal.call_ids.sorted("id")[-1:]

    def days_match_calls(self):
        """The calls counted per day are the calls."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT user_id, outcome, count(*) FROM crm_lead_call GROUP BY 1, 2
               EXCEPT SELECT user_id, outcome, sum(call_count) FROM crm_lead_call_day GROUP BY 1, 2"""
        )
        missing = self.env.cr.fetchall()
        self.env.cr.execute(
            """SELECT user_id, outcome, sum(call_count) FROM crm_lead_call_day GROUP BY 1, 2
               HAVING sum(call_count) <> 0
               EXCEPT SELECT user_id, outcome, count(*) FROM crm_lead_call GROUP BY 1, 2"""
        )
        self.assertEqual((missing, self.env.cr.fetchall()), ([], []))

    def counters(self, deal):
        deal.invalidate_recordset()
        return (deal.call_count, deal.call_attempt_count, deal.contact_status)

    # ------------------------------------------------------------------
    # Counters and status
    # ------------------------------------------------------------------
    def test_calls_count_and_move_the_status_forward(self):
        deal = self.make_deal("Calls", self.s_new)
        self.assertEqual(self.counters(deal), (0, 0, "not_attempted"))
        first = self.log(deal, "no_answer")
        self.assertEqual(self.counters(deal), (1, 1, "attempted"))
        self.assertEqual(
            (first.user_id, first.stage_id, first.contact_status, first.team_id),
            (self.rep, self.s_new, "not_attempted", self.team),
        )
        self.log(deal, "voicemail")
        self.assertEqual(self.counters(deal), (2, 2, "attempted"))
        deal.stage_id = self.s_qualified
        talk = self.log(deal, "conversation", duration_minutes=7.5, note="Wants a demo")
        self.assertEqual(self.counters(deal), (3, 2, "contacted"))
        self.assertEqual(
            (talk.stage_id, talk.contact_status, talk.duration_minutes),
            (self.s_qualified, "attempted", 7.5),
        )
        self.assertEqual(deal.date_first_conversation, talk.date)
        self.log(deal, "busy")
        self.assertEqual(
            self.counters(deal),
            (4, 2, "contacted"),
            "attempts after the first conversation do not count",
        )
        self.assertEqual(deal.date_last_activity, deal.call_ids.sorted("date")[-1].date)
        bodies = deal.message_ids.mapped("body")
        self.assertEqual(sum("Call: " in body for body in bodies), 4, "one chatter line per call")
        self.assertTrue(
            any("Conversation, 7.5 min" in body and "Wants a demo" in body for body in bodies)
        )

    def test_status_never_moves_backwards_by_itself(self):
        qualified = self.make_deal("Qualified", self.s_new, contact_status="qualified")
        self.log(qualified, "no_answer")
        self.log(qualified, "conversation")
        self.assertEqual(self.counters(qualified), (2, 1, "qualified"))
        contacted = self.make_deal("Contacted", self.s_new)
        self.log(contacted, "meeting_booked")
        self.log(contacted, "no_answer")
        self.assertEqual(self.counters(contacted), (2, 0, "contacted"))

    def test_call_on_lost_deal_is_logged_without_reopening_it(self):
        deal = self.make_deal("Lost", self.s_new)
        deal.action_set_lost()
        self.log(deal, "conversation")
        deal.invalidate_recordset()
        self.assertFalse(deal.active)
        self.assertEqual(self.counters(deal), (1, 0, "contacted"))

    def test_negative_duration_is_refused_and_nothing_counts(self):
        deal = self.make_deal("Negative", self.s_new)
        with (
            self.assertRaisesRegex(ValidationError, "negative number of minutes"),
            mute_logger("odoo.sql_db"),
        ):
            self.log(deal, "conversation", duration_minutes=-3)
        self.assertEqual(self.counters(deal), (0, 0, "not_attempted"))
        self.assertFalse(deal.call_ids)

    def test_deleting_and_editing_calls_recount(self):
        deal = self.make_deal("Delete", self.s_new)
        self.call(deal, "no_answer", self.day(1))
        talk = self.call(deal, "conversation", self.day(2))
        self.call(deal, "busy", self.day(3))
        self.assertEqual(self.counters(deal), (3, 1, "contacted"))
        talk.unlink()
        self.assertEqual(self.counters(deal), (2, 2, "contacted"), "the status stays where it was")
        self.assertFalse(deal.date_first_conversation)
        deal.call_ids.sorted("date")[-1].outcome = "conversation"
        self.assertEqual(self.counters(deal), (2, 1, "contacted"))
        self.days_match_calls()

    def test_a_recount_meets_a_call_logged_meanwhile(self):
        """A call changed to "no answer" while another request logs the
        salesperson's first "no answer" of that day: the change's recount
        of the day fails to serialise, for Odoo to run it again on fresh
        data (then counting both calls), instead of failing on a duplicate
        day row, which Odoo would not retry."""
        when = datetime(2001, 2, 3, 12, 0)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            admin = env.ref("base.user_admin")
            team, deal = team_and_deal(env, "Recount against a call")
            other = deal.copy({"name": "Recount against a call, the other deal"})
            # one day row for both calls: same salesperson, day, outcome,
            # status, team and company; two deals, so that nothing else of
            # the two requests meets
            same = {"date": when, "user_id": admin.id, "contact_status": "attempted"}
            changed = env["crm.lead.call"].create(dict(same, lead_id=deal.id, outcome="busy"))
            ids = {"team": team.id, "deals": (deal | other).ids, "changed": changed.id}
        try:
            with self.registry.cursor() as change_cr:
                # the change's snapshot; a regression fails, rather than waits
                change_cr.execute("SET LOCAL lock_timeout = '5s'")
                change_cr.execute(
                    "SELECT outcome FROM crm_lead_call WHERE id = %s", [ids["changed"]]
                )
                with self.registry.cursor() as log_cr:
                    env = api.Environment(log_cr, SUPERUSER_ID, {})
                    env["crm.lead.call"].create(
                        dict(same, lead_id=ids["deals"][1], outcome="no_answer")
                    )
                env = api.Environment(change_cr, SUPERUSER_ID, {})
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    env["crm.lead.call"].browse(ids["changed"]).outcome = "no_answer"
                change_cr.rollback()
                # run again, as Odoo does: both calls counted
                env["crm.lead.call"].browse(ids["changed"]).outcome = "no_answer"
                env.flush_all()
                change_cr.execute(
                    """SELECT outcome, call_count FROM crm_lead_call_day
                        WHERE user_id = %s AND day = %s""",
                    [same["user_id"], when.date()],
                )
                self.assertEqual(change_cr.fetchall(), [("no_answer", 2)])
                change_cr.rollback()
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.lead.call"].search([("lead_id", "in", ids["deals"])]).unlink()
                env["crm.lead"].browse(ids["deals"]).unlink()
                env["crm.team"].browse(ids["team"]).unlink()

    def test_backdated_conversation_recounts_the_attempts(self):
        deal = self.make_deal("Backdated", self.s_new)
        self.call(deal, "no_answer", self.day(1))
        self.call(deal, "no_answer", self.day(3))
        self.assertEqual(self.counters(deal), (2, 2, "attempted"))
        self.call(deal, "conversation", self.day(2))
        self.assertEqual(self.counters(deal), (3, 1, "contacted"))
        self.assertEqual(deal.date_first_conversation, self.day(2))
        self.assertEqual(deal.date_last_activity, self.day(3))

    def test_several_calls_in_one_create(self):
        deal_a = self.make_deal("Batch A", self.s_new)
        deal_b = self.make_deal("Batch B", self.s_new)
        self.env["crm.lead.call"].with_user(self.rep).create(
            [
                {"lead_id": deal_a.id, "outcome": "no_answer", "date": self.day(1)},
                {"lead_id": deal_a.id, "outcome": "conversation", "date": self.day(2)},
                {"lead_id": deal_a.id, "outcome": "voicemail", "date": self.day(3)},
                {"lead_id": deal_b.id, "outcome": "busy", "date": self.day(1)},
            ]
        )
        self.assertEqual(self.counters(deal_a), (3, 1, "contacted"))
        self.assertEqual(self.counters(deal_b), (1, 1, "attempted"))

    def test_logging_a_call_never_counts_the_deals_calls(self):
        """One insert and one counter update: the queries do not grow with
        the calls the deal has."""
        few = self.make_deal("Few calls", self.s_new)
        many = self.make_deal("Many calls", self.s_new)
        self.env["crm.lead.call"].create(
            [
                {"lead_id": many.id, "outcome": "no_answer", "date": self.day(0, hours)}
                for hours in range(60)
            ]
        )
        self.call(few, "no_answer", self.day(0))
        queries = []
        for hours, deal in enumerate((few, many, few, many)):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            # the clock stands still while a call is logged, each one an hour
            # after the last: a second ticking between the call and its note
            # dates the note back to the call (one more query, as for a call
            # logged after the fact), in one count and not the other
            with freeze_time(self.day(5, hours)):
                self.log(deal, "voicemail")
            queries.append(self.env.cr.sql_log_count - before)
        queries = queries[2:]  # the first two warm Odoo's caches
        self.assertEqual(queries[0], queries[1])
        self.assertEqual(self.counters(many)[:2], (62, 62))

    def test_merging_deals_merges_their_calls(self):
        deal_a = self.make_deal("Merge A", self.s_new, partner_name="Merge Co")
        deal_b = self.make_deal("Merge B", self.s_qualified, partner_name="Merge Co")
        self.call(deal_a, "no_answer", self.day(1))
        self.call(deal_b, "no_answer", self.day(2))
        self.call(deal_b, "conversation", self.day(3))
        self.call(deal_a, "voicemail", self.day(4))
        merged = (deal_a | deal_b)._merge_opportunity(auto_unlink=True)
        self.assertEqual(self.counters(merged)[:2], (4, 2))
        self.days_match_calls()
        self.assertEqual(len(merged.call_ids), 4)
        self.assertEqual(merged.date_first_conversation, self.day(3))

    def test_manager_call_on_a_rep_deal_counts_for_the_manager(self):
        deal = self.make_deal("Managed", self.s_new)
        call = self.log(deal, "conversation", user=self.manager)
        self.assertEqual(call.user_id, self.manager)
        # the rep sees the call on their deal, and cannot change it
        self.assertEqual(deal.with_user(self.rep).call_ids, call)
        with self.assertRaises(AccessError):
            call.with_user(self.rep).write({"note": "mine"})
        rows = (
            self.env["crm.call.report"]
            .with_user(self.manager)
            ._read_group(
                [("kind", "=", "call"), ("user_id", "in", (self.rep | self.manager).ids)],
                ["user_id"],
                ["call_count:sum"],
            )
        )
        self.assertEqual(rows, [(self.manager, 1)])

    def test_reps_see_their_calls_and_those_on_their_deals_only(self):
        mine = self.make_deal("Mine", self.s_new)
        theirs = self.make_deal("Theirs", self.s_new, user_id=self.other_rep.id)
        own = self.log(mine, "no_answer")
        other = self.log(theirs, "no_answer", user=self.other_rep)
        Call = self.env["crm.lead.call"].with_user(self.rep)
        self.assertEqual(Call.search([("id", "in", (own | other).ids)]), own)
        with self.assertRaises(AccessError):
            # nor log one on a deal they cannot read
            Call.create({"lead_id": theirs.id, "outcome": "busy"})
        with self.assertRaises(AccessError):
            # nor in somebody else's name
            Call.create({"lead_id": mine.id, "outcome": "busy", "user_id": self.other_rep.id})

    def test_calls_of_another_company_stay_there(self):
        other_company = self.env["res.company"].create({"name": "Calls Other Co"})
        deal = self.make_deal(
            "Other company", self.s_new, company_id=other_company.id, user_id=False
        )
        call = self.env["crm.lead.call"].create(
            {"lead_id": deal.id, "outcome": "conversation", "user_id": self.manager.id}
        )
        self.assertEqual(call.company_id, other_company)
        here_only = company_user(
            self.env,
            "sff_calls_here_only",
            "Calls Manager Here",
            "sales_team.group_sale_manager",
            self.company,
        )
        self.assertFalse(
            self.env["crm.lead.call"].with_user(here_only).search([("id", "=", call.id)])
        )
        self.assertFalse(
            self.env["crm.call.report"]
            .with_user(here_only)
            .search([("company_id", "=", other_company.id)])
        )

    def test_message_and_activity_dates_are_the_last_activity(self):
        deal = self.make_deal("Activity", self.s_new)
        self.assertFalse(deal.date_last_activity)
        message = deal.with_user(self.rep).message_post(
            body="Sent the brochure", message_type="comment"
        )
        deal.invalidate_recordset()
        self.assertEqual(deal.date_last_activity, message.date)
        # a to-do marked done is activity too: the note it posts dates it
        # (the brochure's message set a week back first)
        week_ago = message.date - timedelta(days=7)
        self.env.cr.execute(
            "UPDATE mail_message SET date = %s WHERE id = %s", [week_ago, message.id]
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_activity = %s WHERE id = %s", [week_ago, deal.id]
        )
        self.env.invalidate_all()
        todo = (
            self.env["mail.activity"]
            .with_user(self.rep)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": deal.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "user_id": self.rep.id,
                    "summary": "Send the price list",
                }
            )
        )
        done_id = todo.action_feedback(feedback="Price list sent")
        deal.invalidate_recordset()
        done = self.env["mail.message"].browse(done_id)
        self.assertTrue(done.mail_activity_type_id)
        self.assertEqual(deal.date_last_activity, done.date)
        self.assertGreater(deal.date_last_activity, week_ago)
        self.assertFalse(deal.call_ids, "a to-do is not a call")

    # ------------------------------------------------------------------
    # A phone call marked done is a call
    # ------------------------------------------------------------------
    def test_phone_call_activity_done_records_a_call(self):
        deal = self.make_deal("Activity calls", self.s_new)
        # from the chatter or the activity widget: the feedback popover
        self.schedule_call(deal).with_user(self.rep).action_feedback(
            feedback="Good talk, sending a quote"
        )
        self.assertEqual(deal.call_ids.mapped("outcome"), ["conversation"])
        self.assertEqual(self.counters(deal), (1, 0, "contacted"))
        self.schedule_call(deal).with_user(self.rep).action_feedback(
            feedback="Voicemail again, try Friday"
        )
        # from the activity view: done without feedback
        self.schedule_call(deal).with_user(self.rep).action_done()
        calls = deal.call_ids.sorted("id")
        self.assertEqual(calls.mapped("outcome"), ["conversation", "voicemail", "conversation"])
        self.assertEqual(calls.user_id, self.rep)
        self.assertEqual(calls[0].note, "Good talk, sending a quote")
        # the done activity's own message is the chatter line: no second one
        self.assertFalse(any("Call: " in body for body in deal.message_ids.mapped("body")))
        # an email activity is no call
        email_type = self.env.ref("mail.mail_activity_data_email")
        self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "res_id": deal.id,
                "activity_type_id": email_type.id,
                "user_id": self.rep.id,
            }
        ).action_feedback(feedback="Sent")
        self.assertEqual(self.counters(deal)[0], 3)

    def test_feedback_names_the_outcome_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["sales_funnel_forecast"], ["fr_FR"], overwrite=True
        )
        deal = self.make_deal("French feedback", self.s_new)
        rep_fr = self.rep.with_context(lang="fr_FR")
        self.schedule_call(deal).with_user(rep_fr).with_context(lang="fr_FR").action_feedback(
            feedback="Occupé, rappeler demain"
        )
        self.assertEqual(deal.call_ids.outcome, "busy")

    def test_install_rebuilds_calls_from_done_phone_calls(self):
        deal = self.make_deal("Before the module", self.s_new)
        self.schedule_call(deal).with_user(self.rep).action_feedback(feedback="No answer")
        self.schedule_call(deal).with_user(self.rep).action_feedback(feedback="Talked to the buyer")
        # the database as it was before the module: no call, no counter (and
        # the first call an hour before the second)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message SET date = date - interval '1 hour' WHERE id = %s",
            [deal.call_ids.sorted("id")[0].message_id.id],
        )
        self.env.cr.execute("DELETE FROM crm_lead_call WHERE lead_id = %s", [deal.id])
        self.env.cr.execute(
            """UPDATE crm_lead SET call_count = 0, call_attempt_count = 0, contact_status = 'not_attempted',
                      date_first_conversation = NULL, date_last_activity = NULL WHERE id = %s""",
            [deal.id],
        )
        self.env.invalidate_all()
        Lead = self.env["crm.lead"]
        self.assertGreaterEqual(Lead._sff_backfill_calls(), 1)
        self.assertEqual(
            deal.call_ids.sorted("date").mapped("outcome"), ["no_answer", "conversation"]
        )
        self.assertEqual(
            deal.call_ids.sorted("date").mapped("contact_status"), ["not_attempted", "attempted"]
        )
        self.assertEqual(deal.call_ids.user_id, self.rep)
        self.assertEqual(self.counters(deal), (2, 1, "contacted"))
        self.assertTrue(deal.date_last_activity)
        Lead._sff_backfill_calls()
        self.assertEqual(self.counters(deal)[0], 2, "a second run adds nothing")

    def note(self, deal, body, day):
        return self.env["mail.message"].create(
            {
                "model": "crm.lead",
                "res_id": deal.id,
                "message_type": "notification",
                "body": Markup(body),
                "author_id": self.rep.partner_id.id,
                "date": self.day(day),
            }
        )

    def test_reinstall_rebuilds_calls_from_their_notes(self):
        """Each call's note names its outcome and minutes by its classes,
        whatever its words, and carries the call's own note. A call logged
        by mistake and deleted takes its note along; a call corrected
        (no answer to conversation, 5 minutes) has its note say so. The
        module uninstalled (its calls gone) and installed again: the calls
        there were come back from their notes, with outcome, minutes, note,
        date and caller; the deleted one does not; a second run adds
        none."""
        deal = self.make_deal("Reinstalled", self.s_new)
        first = self.log(deal, "no_answer", duration_minutes=2.5, note="Asked for a quote")
        self.assertIn(
            'class="fa fa-phone me-1 o_sff_call o_sff_min_2.5 o_sff_call_no_answer"',
            str(first.message_id.body),
        )
        self.assertIn("Call: No answer, 2.5 min", str(first.message_id.body))
        logged_at = first.message_id.date
        corrected = self.call(deal, "no_answer", self.day(2))
        corrected.write({"outcome": "conversation", "duration_minutes": 5})
        self.assertIn("Call: Conversation, 5 min", str(corrected.message_id.body))
        mistake = self.call(deal, "busy", self.day(3))
        mistaken_note = mistake.message_id
        mistake.unlink()
        self.assertFalse(mistaken_note.exists())
        # a note in words the module does not know: its classes tell
        self.note(
            deal, '<p><i class="fa fa-phone me-1 o_sff_call o_sff_call_voicemail"></i>Anruf</p>', 4
        )
        self.uninstall_calls(deal)
        Lead = self.env["crm.lead"]
        self.assertGreaterEqual(Lead._sff_backfill_calls(), 1)
        calls = deal.call_ids.sorted("date")
        self.assertEqual(
            [
                (call.date, call.outcome, call.duration_minutes, call.note, call.user_id)
                for call in calls
            ],
            [
                (self.day(2), "conversation", 5, False, self.rep),
                (self.day(4), "voicemail", 0, False, self.rep),
                (logged_at, "no_answer", 2.5, "Asked for a quote", self.rep),
            ],
        )
        self.assertEqual(self.counters(deal), (3, 0, "contacted"))
        Lead._sff_backfill_calls()
        self.assertEqual(self.counters(deal)[0], 3, "a second run adds nothing")
        self.days_match_calls()

    def test_reinstall_reads_the_notes_of_an_earlier_release(self):
        """The module uninstalled before this release (no note has the
        classes): the notes' words tell the outcome, in the caller's
        language (a French rep's "Appel : Occupé"), and a done phone
        call's feedback by an English label; the note's own text comes
        back too."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["sales_funnel_forecast"], ["fr_FR"], overwrite=True
        )
        self.env.flush_all()
        # as an earlier release wrote every note
        self.env.cr.execute(
            """UPDATE mail_message SET body = regexp_replace(
                   body, 'class="fa fa-phone me-1 o_sff_call[^"]*"', 'class="fa fa-phone me-1"')
                WHERE model = 'crm.lead' AND body LIKE '%o_sff_call%'"""
        )
        deal = self.make_deal("Earlier notes", self.s_new)
        self.note(deal, '<p><i class="fa fa-phone me-1"></i>Appel : Occupé</p>', 1)
        self.note(
            deal,
            '<p><i class="fa fa-phone me-1"></i>Call: Conversation</p><p>Budget &amp; timing</p>',
            2,
        )
        self.uninstall_calls(deal)
        self.env["crm.lead"]._sff_backfill_calls()
        self.assertEqual(
            [(call.outcome, call.note) for call in deal.call_ids.sorted("date")],
            [("busy", False), ("conversation", "Budget & timing")],
        )

    def test_call_notes_follow_corrections_and_stay_their_own(self):
        """A call redated and given to its caller: its note moves to the
        call's date and caller; a call moved to another deal (a merge)
        takes its note along, its words as written. A salesperson cannot
        point a call at another message (a colleague's note), and a call
        that came from a done phone call never rewrites nor deletes that
        activity's message."""
        deal = self.make_deal("Corrections", self.s_new)
        call = self.call(deal, "no_answer", self.day(1), user=self.manager)
        note = call.message_id
        call.write({"date": self.day(3), "user_id": self.rep.id})
        self.assertEqual((note.date, note.author_id), (self.day(3), self.rep.partner_id))
        words = str(note.body)
        other = self.make_deal("Merged into", self.s_new)
        call.lead_id = other
        self.assertEqual((note.res_id, str(note.body)), (other.id, words))
        # a move the module would not make, told by the context: refused
        # (the deal is one the salesperson cannot read)
        closed = self.make_deal("Not the rep's", self.s_new, user_id=self.other_rep.id)
        mine_first = self.call(deal, "busy", self.day(2))
        with self.assertRaises(AccessError):
            mine_first.with_user(self.rep).with_context(sff_call_moving=True).write(
                {"lead_id": closed.id}
            )
        # another message named by a salesperson: not taken
        colleague = self.call(self.make_deal("Colleague's", self.s_new), "busy", self.day(1))
        mine = self.call(deal, "busy", self.day(2))
        mine.with_user(self.rep).write({"message_id": colleague.message_id.id, "note": "x"})
        self.assertNotEqual(mine.message_id, colleague.message_id)
        self.assertIn("Call: Busy", str(colleague.message_id.body))
        # a call from a done phone call: the activity's message stays
        self.schedule_call(deal).with_user(self.rep).action_feedback(feedback="Busy")
        from_activity = deal.call_ids.filtered("message_id.mail_activity_type_id")
        done = from_activity.message_id
        body = str(done.body)
        from_activity.write({"outcome": "conversation", "duration_minutes": 5})
        self.assertEqual(str(done.body), body)
        from_activity.unlink()
        self.assertTrue(done.exists())

    def test_call_rebuilt_from_an_earlier_note_keeps_in_step_with_it(self):
        """A call rebuilt from a note of an earlier release (no classes):
        its outcome and minutes from the note's words, its own note as
        typed (an entity written in it, blank lines, double spaces); the
        note gets the classes, so that a later reinstall finds it again,
        and deleting the call takes the note along."""
        deal = self.make_deal("Earlier note", self.s_new)
        note = self.note(
            deal,
            '<p><i class="fa fa-phone me-1"></i>Call: Busy, 4 min</p>'
            "<p>Wants a&amp;nbsp;b in the quote\n\nSecond  point</p>",
            1,
        )
        self.env["crm.lead"]._sff_backfill_calls()
        call = deal.call_ids
        self.assertEqual(
            (call.outcome, call.duration_minutes, call.note, call.message_id),
            ("busy", 4, "Wants a&nbsp;b in the quote\n\nSecond  point", note),
        )
        self.assertIn(
            'class="fa fa-phone me-1 o_sff_call o_sff_min_4 o_sff_call_busy"', str(note.body)
        )
        self.uninstall_calls(deal)
        self.env["crm.lead"]._sff_backfill_calls()
        self.assertEqual(deal.call_ids.outcome, "busy")
        deal.call_ids.unlink()
        self.assertFalse(note.exists())

    # ------------------------------------------------------------------
    # The reports
    # ------------------------------------------------------------------
    def test_calls_per_rep_per_day_and_week_against_targets(self):
        deal = self.make_deal("Target", self.s_new)
        other = self.make_deal("Target 2", self.s_new, user_id=self.other_rep.id)
        monday = datetime(2026, 3, 2, 10, 0)  # the week of 2 to 8 March 2026
        for day, count in ((0, 4), (1, 2), (7, 1)):
            for index in range(count):
                self.call(
                    deal,
                    "no_answer" if index else "conversation",
                    monday + timedelta(days=day, minutes=index),
                )
        self.call(other, "busy", monday, user=self.other_rep)
        Report = self.env["crm.call.report"]
        week = [
            ("date", ">=", date(2026, 3, 2)),
            ("date", "<", date(2026, 3, 9)),
            ("team_id", "=", self.team.id),
        ]
        by_week = Report._read_group(
            week,
            ["user_id"],
            ["call_count:sum", "conversation_count:sum", "target_daily:sum", "target_weekly:sum"],
        )
        self.assertEqual(
            {user: figures for user, *figures in by_week},
            {self.rep: [6, 2, 15, 12], self.other_rep: [1, 0, 25, 12]},
        )
        by_day = {
            day: (calls, target)
            for day, calls, target in Report._read_group(
                week + [("user_id", "=", self.rep.id)],
                ["date:day"],
                ["call_count:sum", "target_daily:sum"],
            )
        }
        self.assertEqual(by_day[date(2026, 3, 2)], (4, 3))
        self.assertEqual(by_day[date(2026, 3, 3)], (2, 3))
        self.assertEqual(by_day[date(2026, 3, 7)], (0, 0), "no target on Saturdays")
        by_status = Report._read_group(
            week + [("kind", "=", "call"), ("user_id", "=", self.rep.id)],
            ["contact_status"],
            ["call_count:sum"],
        )
        self.assertEqual(dict(by_status), {"not_attempted": 1, "contacted": 5})
        # a rep sees their own rows only
        mine = Report.with_user(self.rep)._read_group(week, ["user_id"], ["call_count:sum"])
        self.assertEqual(mine, [(self.rep, 6)])

    def test_a_call_counts_on_the_callers_day_in_their_time_zone(self):
        self.rep.tz = "America/New_York"
        deal = self.make_deal("Evening", self.s_new)
        # 9 pm in New York is 2 am the next day in UTC
        call = self.call(deal, "conversation", datetime(2026, 3, 3, 2, 0))
        rows = self.env["crm.call.report"]._read_group(
            [("kind", "=", "call"), ("user_id", "=", self.rep.id)], ["date:day"], ["call_count:sum"]
        )
        self.assertEqual(rows, [(date(2026, 3, 2), 1)])
        call.date = datetime(2026, 3, 3, 14, 0)
        rows = self.env["crm.call.report"]._read_group(
            [("kind", "=", "call"), ("user_id", "=", self.rep.id)], ["date:day"], ["call_count:sum"]
        )
        self.assertEqual(rows, [(date(2026, 3, 3), 1)], "a call moved to another day moves there")
        call.unlink()
        self.assertFalse(self.env["crm.lead.call.day"].search([("user_id", "=", self.rep.id)]))

    def test_sales_process_counts_calls_per_rep_and_week(self):
        deal = self.make_deal("Process", self.s_new)
        self.call(deal, "no_answer", datetime(2026, 3, 3, 9))
        self.call(deal, "conversation", datetime(2026, 3, 4, 9), user=self.manager)
        self.call(deal, "voicemail", datetime(2026, 3, 10, 9))
        rows = self.env["crm.sales.process.report"]._read_group(
            [("lead_id", "=", deal.id), ("kind", "=", "call")],
            ["user_id", "date:week"],
            ["call_count:sum"],
        )
        self.assertEqual(
            sorted((user.login, week.date().isoformat(), calls) for user, week, calls in rows),
            # weeks start on Sunday in English (United States)
            [
                ("sff_manager", "2026-03-01", 1),
                ("sff_rep", "2026-03-01", 1),
                ("sff_rep", "2026-03-08", 1),
            ],
        )

    def test_conversion_cut_by_attempts_before_the_first_conversation(self):
        quick = self.make_deal("Quick", self.s_new)
        slow = self.make_deal("Slow", self.s_new)
        silent = self.make_deal("Silent", self.s_new)
        self.make_deal("Never called", self.s_new)
        self.call(quick, "conversation", self.day(1))
        for hours in range(3):
            self.call(slow, "no_answer", self.day(1, hours))
        self.call(slow, "conversation", self.day(2))
        self.call(silent, "busy", self.day(1))
        quick.stage_id = self.s_qualified
        slow.stage_id = self.s_qualified
        rows = self.env["crm.funnel.report"]._read_group(
            [("team_id", "=", self.team.id), ("stage_id", "=", self.s_new.id)],
            ["call_attempts"],
            ["reached:sum", "moved_on:sum"],
        )
        self.assertEqual(
            dict((bucket, (reached, moved)) for bucket, reached, moved in rows),
            {"none": (1, 0), "0": (1, 1), "1": (1, 0), "3_5": (1, 1)},
        )

    # ------------------------------------------------------------------
    # Adoption
    # ------------------------------------------------------------------
    def test_logins_are_recorded_and_kept_13_months(self):
        Login = self.env["crm.user.login"]
        # a database's own logins gone past 13 months meanwhile (demo data
        # installed days ago) are not this test's
        self.env.cr.execute(
            "DELETE FROM crm_user_login WHERE date < %s",
            [fields.Datetime.now() - relativedelta(months=13)],
        )
        self.env["res.users"].with_user(self.rep)._update_last_login()
        self.env["res.users"].with_user(self.rep)._update_last_login()
        outsider = new_test_user(self.env, login="sff_not_crm", groups="base.group_user")
        self.env["res.users"].with_user(outsider)._update_last_login()
        self.assertEqual(Login.search_count([("user_id", "=", self.rep.id)]), 2)
        self.assertFalse(Login.search_count([("user_id", "=", outsider.id)]))
        now = fields.Datetime.now()
        self.env.cr.execute(
            "INSERT INTO crm_user_login (user_id, date) VALUES (%s, %s), (%s, %s)",
            [
                self.rep.id,
                now - relativedelta(months=14),
                self.rep.id,
                now - relativedelta(months=12),
            ],
        )
        self.assertEqual(Login._cron_purge(batch_size=1), 0)
        self.assertEqual(Login.search_count([("user_id", "=", self.rep.id)]), 3)

    def test_adoption_shows_logins_calls_and_moves_per_week(self):
        deal = self.make_deal("Adoption", self.s_new)
        self.env["res.users"].with_user(self.rep)._update_last_login()
        self.log(deal, "no_answer")
        self.log(deal, "conversation")
        deal.with_user(self.rep).write({"stage_id": self.s_qualified.id})
        deal.with_user(self.rep).write({"stage_id": self.s_proposal.id})
        self.env.flush_all()
        rows = (
            self.env["crm.adoption.report"]
            .with_user(self.manager)
            ._read_group(
                [("user_id", "=", self.rep.id)],
                [],
                ["login_count:sum", "call_count:sum", "move_count:sum"],
            )
        )
        self.assertEqual(rows, [(1, 2, 2)])
        with self.assertRaises(AccessError):
            self.env["crm.adoption.report"].with_user(self.rep).search([])

    # ------------------------------------------------------------------
    # Targets
    # ------------------------------------------------------------------
    def test_member_target_overrides_the_team(self):
        members = self.team.crm_team_member_ids.sorted(lambda member: member.user_id.id)
        targets = {
            member.user_id: (
                member.effective_call_target_daily,
                member.effective_call_target_weekly,
            )
            for member in members
        }
        self.assertEqual(targets, {self.rep: (3, 12), self.other_rep: (5, 12)})
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.team.call_target_daily = -1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            members[0].call_target_weekly = -5

    def test_dialog_from_the_form(self):
        deal = self.make_deal("Form dialog", self.s_new)
        action = deal.with_user(self.rep).action_sff_log_call()
        self.assertEqual((action["res_model"], action["target"]), ("crm.lead.call.log", "new"))
        form = Form(
            self.env["crm.lead.call.log"].with_user(self.rep).with_context(**action["context"])
        )
        form.duration_minutes = 2
        wizard = form.save()
        wizard.with_context(sff_call_outcome="meeting_booked").action_log()
        self.assertEqual(deal.call_ids.mapped("outcome"), ["meeting_booked"])
        self.assertEqual(self.counters(deal), (1, 0, "contacted"))


@tagged("post_install", "-at_install")
class TestCallPaths(CallsMixin, FunnelCase):
    """Paths around calls: deals and teams deleted, time zones changed,
    calls moved, merged, imported after the fact, read by reps."""

    def day_counts(self, user):
        """The calls of ``user`` as the calls report and the adoption
        report count them (crm.lead.call.day)."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT COALESCE(sum(call_count), 0) FROM crm_lead_call_day WHERE user_id = %s",
            [user.id],
        )
        return self.env.cr.fetchone()[0]

    def report_calls(self, user):
        rows = self.env["crm.call.report"]._read_group(
            [("kind", "=", "call"), ("user_id", "=", user.id)], [], ["call_count:sum"]
        )
        return rows[0][0] or 0

    # a deleted deal's calls leave the calls and adoption reports
    def test_deleted_deal_calls_leave_the_calls_report(self):
        deal = self.make_deal("Duplicate to delete", self.s_new)
        self.call(deal, "no_answer", datetime(2026, 3, 2, 10))
        self.call(deal, "conversation", datetime(2026, 3, 2, 11))
        self.assertEqual(self.report_calls(self.rep), 2)
        deal.unlink()
        self.env.invalidate_all()
        self.assertFalse(self.env["crm.lead.call"].search([("user_id", "=", self.rep.id)]))
        # hand count: no call left
        self.assertEqual(self.report_calls(self.rep), 0, "calls report after deleting the deal")

    # a team whose members logged calls can be deleted
    def test_deleting_a_team_with_calls(self):
        other_team = self.env["crm.team"].create({"name": "Short-lived team"})
        in_team = self.make_deal("In the team", self.s_new, team_id=other_team.id)
        no_team = self.make_deal("No team", self.s_new, team_id=False)
        when = datetime(2026, 3, 2, 10)
        self.call(in_team, "no_answer", when)
        self.call(no_team, "no_answer", when)
        self.env.flush_all()
        # the manager deletes the team: Odoo sets the deals' team empty
        other_team.with_user(self.manager).unlink()
        self.env.flush_all()
        self.assertEqual(self.day_counts(self.rep), 2)

    # a time zone change moves the calls to the days of the new one
    def test_time_zone_change_then_deleted_call(self):
        self.rep.tz = "UTC"
        deal = self.make_deal("Late call", self.s_new)
        late = self.call(deal, "no_answer", datetime(2026, 3, 2, 23, 30))
        self.call(deal, "no_answer", datetime(2026, 3, 3, 10, 0))
        self.assertEqual(self.day_counts(self.rep), 2)
        # the rep sets their own time zone in their preferences
        self.rep.tz = "Europe/Paris"
        late.unlink()
        # hand count: one call left
        self.assertEqual(self.day_counts(self.rep), 1, "calls per day after a deleted call")

    # a deleted call is no longer the deal's last activity
    def test_deleted_call_is_no_longer_the_last_activity(self):
        deal = self.make_deal("Wrong deal", self.s_new)
        self.assertFalse(deal.date_last_activity)
        call = self.call(deal, "conversation", datetime(2026, 3, 5, 10))
        self.assertEqual(deal.date_last_activity, datetime(2026, 3, 5, 10))
        # logged on the wrong deal: deleted (or moved to the right one)
        call.unlink()
        deal.invalidate_recordset()
        # hand count: no call, no message, no done activity on the deal (the
        # call's note in the chatter is a system note)
        self.assertFalse(deal.call_ids)
        self.assertFalse(deal.date_last_activity, "last activity of a deal without any")

    # merged deals, moved calls: the deal's contact status follows its calls
    def test_merged_deal_status_follows_its_calls(self):
        called = self.make_deal("Merge called", self.s_new, partner_name="Merge Status Co")
        ahead = self.make_deal("Merge ahead", self.s_proposal, partner_name="Merge Status Co")
        self.call(called, "conversation", datetime(2026, 3, 2, 10))
        self.assertEqual(called.contact_status, "contacted")
        merged = (called | ahead)._merge_opportunity(auto_unlink=True)
        merged.invalidate_recordset()
        self.assertEqual(merged, ahead)
        self.assertEqual(
            (merged.call_count, bool(merged.date_first_conversation), merged.contact_status),
            (1, True, "contacted"),
        )

    def test_moved_call_moves_the_status(self):
        wrong = self.make_deal("Logged on the wrong deal", self.s_new)
        right = self.make_deal("The right deal", self.s_new)
        call = self.call(wrong, "conversation", datetime(2026, 3, 2, 10))
        call.with_user(self.rep).lead_id = right
        right.invalidate_recordset()
        self.assertEqual((right.call_count, right.contact_status), (1, "contacted"))

    # adoption: restoring a lost deal is no stage move
    def test_restore_is_no_stage_move(self):
        deal = self.make_deal("Restored", self.s_new)
        deal.with_user(self.rep).action_set_lost()
        deal.with_user(self.rep).action_unarchive()
        self.end_request()
        rows = (
            self.env["crm.adoption.report"]
            .with_user(self.manager)
            ._read_group([("user_id", "=", self.rep.id)], [], ["move_count:sum"])
        )
        self.assertEqual(rows[0][0] or 0, 0, "stage moves of a rep who moved no deal")

    # calls report: a new team member has no target before joining
    def test_new_member_has_no_target_before_joining(self):
        self.team.write({"call_target_daily": 3})
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        deal = self.make_deal("Old call", self.s_new)
        # a call of the team, long before the new hire joined (today)
        self.call(deal, "no_answer", datetime(2025, 1, 6, 10), user=self.rep)
        newcomer = self.env["res.users"].create(
            {
                "name": "Nina Newcomer",
                "login": "sff_newcomer",
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        member = self.env["crm.team.member"].create(
            {"crm_team_id": self.team.id, "user_id": newcomer.id}
        )
        self.env.flush_all()
        self.assertGreater(member.create_date.date(), date(2025, 2, 1))
        rows = self.env["crm.call.report"]._read_group(
            [
                ("user_id", "=", newcomer.id),
                ("date", ">=", date(2025, 1, 6)),
                ("date", "<", date(2025, 1, 13)),
            ],
            [],
            ["target_daily:sum"],
        )
        self.assertEqual(rows[0][0] or 0, 0, "daily targets of a rep who was not there yet")

    # a call logged or imported after the fact takes the deal's stage and
    # status it had at the call
    def test_imported_past_calls_keep_the_stage_and_status_at_the_call(self):
        self.set_now(self.day(0))
        deal = self.make_deal("Imported history", self.s_new)
        self.end_request()
        self.set_now(self.day(3))
        self.call(deal, "conversation", self.day(3))
        self.set_now(self.day(5))
        deal.stage_id = self.s_proposal
        self.end_request()
        self.set_now(self.day(10))
        # last week's calls from the phone system, imported into the call log
        result = (
            self.env["crm.lead.call"]
            .with_user(self.rep)
            .load(
                ["lead_id/.id", "outcome", "date"],
                [[str(deal.id), "no_answer", self.day(1).strftime("%Y-%m-%d %H:%M:%S")]],
            )
        )
        self.assertFalse(result["messages"], result["messages"])
        call = self.env["crm.lead.call"].browse(result["ids"])
        self.assertEqual(call.date, self.day(1))
        self.assertEqual(
            (call.stage_id.name, call.contact_status),
            (self.s_new.name, "not_attempted"),
            "stage and status as they were at the call",
        )

    # a rep restricted to own documents reads the calls of an unassigned
    # deal it reads
    def test_unassigned_deal_calls_are_visible_to_reps(self):
        deal = self.make_deal("Unassigned lead", self.s_new, user_id=False)
        self.call(deal, "no_answer", datetime(2026, 3, 2, 10), user=self.other_rep)
        as_rep = deal.with_user(self.rep)
        as_rep.invalidate_recordset()
        self.assertEqual(as_rep.call_count, 1)
        self.assertEqual(
            len(as_rep.call_ids), as_rep.call_count, "calls listed vs the deal's call count"
        )

    def test_merged_calls_keep_their_stage_and_status_at_the_call(self):
        """A duplicate called twice in the first stage is merged into a deal
        at Proposal: the calls keep the stage and status they were made at,
        and the kept deal is contacted."""
        self.set_now(self.day(0))
        duplicate = self.make_deal("Dup called", self.s_new, partner_name="Merge Stage Co")
        ahead = self.make_deal("Dup ahead", self.s_proposal, partner_name="Merge Stage Co")
        self.end_request()
        first = self.call(duplicate, "no_answer", self.day(1))
        second = self.call(duplicate, "conversation", self.day(2))
        before = [(call.stage_id, call.contact_status) for call in first | second]
        self.assertEqual(before, [(self.s_new, "not_attempted"), (self.s_new, "attempted")])
        self.set_now(self.day(3))
        merged = (duplicate | ahead)._merge_opportunity(auto_unlink=True)
        self.assertEqual(merged, ahead)
        self.env.invalidate_all()
        self.assertEqual([(call.stage_id, call.contact_status) for call in first | second], before)
        self.assertEqual((merged.call_count, merged.contact_status), (2, "contacted"))

    def test_imported_calls_of_one_deal_follow_each_other(self):
        """Last week's calls imported in one file, on a deal that moved on
        since: no answer (day 1), a conversation (day 2), no answer (day 3).
        Each call's status is what the calls before it gave the deal: not
        attempted, attempted, contacted."""
        self.set_now(self.day(0))
        deal = self.make_deal("Imported batch", self.s_new)
        self.end_request()
        self.set_now(self.day(5))
        deal.stage_id = self.s_proposal
        self.end_request()
        self.set_now(self.day(10))
        stamp = "%Y-%m-%d %H:%M:%S"
        result = (
            self.env["crm.lead.call"]
            .with_user(self.rep)
            .load(
                ["lead_id/.id", "outcome", "date"],
                [
                    [str(deal.id), "no_answer", self.day(1).strftime(stamp)],
                    [str(deal.id), "conversation", self.day(2).strftime(stamp)],
                    [str(deal.id), "no_answer", self.day(3).strftime(stamp)],
                ],
            )
        )
        self.assertFalse(result["messages"], result["messages"])
        calls = self.env["crm.lead.call"].browse(result["ids"]).sorted("date")
        self.assertEqual(
            [(call.stage_id, call.contact_status) for call in calls],
            [
                (self.s_new, "not_attempted"),
                (self.s_new, "attempted"),
                (self.s_new, "contacted"),
            ],
        )

    def test_call_moved_takes_the_stage_of_its_new_deal_at_the_call(self):
        """A call of day 1 logged on the wrong deal is moved to the right
        one, in Qualified then (Proposal since day 5): it is a call in
        Qualified, the deal's first (not attempted)."""
        self.set_now(self.day(0))
        wrong = self.make_deal("Wrong deal", self.s_new)
        right = self.make_deal("Right deal", self.s_qualified)
        self.end_request()
        self.set_now(self.day(5))
        right.stage_id = self.s_proposal
        self.end_request()
        self.set_now(self.day(6))
        call = self.call(wrong, "no_answer", self.day(1))
        call.with_user(self.rep).lead_id = right
        self.assertEqual(
            (call.stage_id, call.contact_status, right.contact_status),
            (self.s_qualified, "not_attempted", "attempted"),
        )

    def test_call_notes_follow_the_calls_of_a_deal(self):
        """Calls of two deals by several people in one create (an import):
        each deal's chatter (in the order of its messages) shows its calls
        in the order they came, with their callers and dates."""
        deal_e = self.make_deal("Deal E", self.s_new, 100)
        deal_d = self.make_deal("Deal D", self.s_new, 100)
        self.env["crm.lead.call"].create(
            [
                {
                    "lead_id": lead.id,
                    "user_id": user.id,
                    "outcome": outcome,
                    "date": self.day(day),
                    "note": note,
                }
                for lead, user, outcome, day, note in (
                    (deal_e, self.manager, "no_answer", 1, "E first"),
                    (deal_e, self.rep, "no_answer", 2, "E second"),
                    (deal_d, self.other_rep, "no_answer", 3, "D first"),
                    (deal_d, self.rep, "conversation", 4, "D second"),
                )
            ]
        )
        notes = self.env["mail.message"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", deal_d.id), ("body", "ilike", "Call:")],
            order="id",
        )
        self.assertEqual(
            [("D first" in note.body, note.author_id, note.date) for note in notes],
            [
                (True, self.other_rep.partner_id, self.day(3)),
                (False, self.rep.partner_id, self.day(4)),
            ],
        )
