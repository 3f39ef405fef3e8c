# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The texts the module writes into a deal's chatter and its messages, as
their readers see them: line breaks kept, counts in their notation."""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError, ValidationError
from odoo.modules.migration import load_script
from odoo.tests import tagged

from .common import FunnelCase
from .test_calls import CallsMixin


@tagged("post_install", "-at_install")
class TestChatterTexts(CallsMixin, FunnelCase):
    def log(self, deal, outcome, **values):
        """A call logged the way a rep does: the dialog, then one button."""
        wizard = (
            self.env["crm.lead.call.log"]
            .with_user(self.rep)
            .create(dict({"lead_id": deal.id}, **values))
        )
        wizard.with_context(sff_call_outcome=outcome).action_log()
        return deal.call_ids.sorted("id")[-1:]

    def test_multi_line_call_note_keeps_its_lines_in_the_chatter_and_back(self):
        """Rita logs a call with a note of three lines (the second one
        typed "<b>5 & 6</b>", as text): the deal's chatter shows three
        lines, as Odoo shows a done activity's feedback (<br>), the text as
        typed. Corrected to two lines, the note follows. After a reinstall
        the call rebuilt from the chatter has its note back, line for line."""
        deal = self.make_deal("Lines", self.s_new)
        call = self.log(deal, "conversation", note="Budget: 12,000\n<b>5 & 6</b>\nCall back Monday")
        body = str(call.message_id.body)
        self.assertIn(
            "<p>Budget: 12,000<br>&lt;b&gt;5 &amp; 6&lt;/b&gt;<br>Call back Monday</p>", body
        )
        call.note = "Budget: 15,000\nCall back Tuesday"
        self.assertIn("<p>Budget: 15,000<br>Call back Tuesday</p>", str(call.message_id.body))
        self.uninstall_calls(deal)
        self.env["crm.lead"]._sff_backfill_calls()
        self.assertEqual(deal.call_ids.note, "Budget: 15,000\nCall back Tuesday")
        deal.call_ids.note = "Budget: 15,000\n<b>5 & 6</b>\n\nCall back Tuesday"
        self.uninstall_calls(deal)
        self.env["crm.lead"]._sff_backfill_calls()
        self.assertEqual(deal.call_ids.note, "Budget: 15,000\n<b>5 & 6</b>\n\nCall back Tuesday")

    def test_snapshot_message_counts_thousands_of_rows_as_written(self):
        """1,000 open deals, each due in a month of its own: the snapshot a
        manager takes has 1,000 rows, which its message writes as the
        module's other counts are written (it said "1000 rows")."""
        self.clock_at(datetime(1990, 1, 1, 12))
        # (created without their chatter's creation notes: a quicker test)
        self.env["crm.lead"].with_context(mail_create_nolog=True, tracking_disable=True).create(
            [
                {
                    "name": f"Deal {month}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                    "user_id": self.rep.id,
                    "expected_revenue": 1000,
                    "date_deadline": date(1990, 1, 1) + relativedelta(months=month),
                }
                for month in range(1000)
            ]
        )
        self.clock_at(datetime(1990, 1, 2, 12))
        action = self.env["crm.pipeline.snapshot"].with_user(self.manager).action_take_snapshot()
        self.assertEqual(action["params"]["message"], "Snapshot of 01/02/1990 written: 1,000 rows.")

    def test_done_phone_call_keeps_its_feedback_as_typed(self):
        """Rita marks a phone call done with a feedback of two paragraphs
        naming her contact "<Jane Doe>" and "5 * 6 & <b>7</b>": Odoo's
        chatter shows it as typed; the call made of it has the same note
        (it read the feedback as HTML: "<Jane Doe>" gone, "<b>7</b>" as
        "*7*", the blank line dropped)."""
        deal = self.make_deal("Feedback", self.s_new)
        feedback = "No answer from <Jane Doe>\n\nAsk about 5 * 6 & <b>7</b>"
        self.schedule_call(deal).with_user(self.rep).action_feedback(feedback=feedback)
        call = deal.call_ids
        self.assertEqual((call.outcome, call.note), ("no_answer", feedback))
        self.assertIn("No answer from &lt;Jane Doe&gt;", str(call.message_id.body))

    def test_submission_reminder_refusal_writes_its_limit_as_a_count(self):
        """A reminder of 4,000 days typed in the settings: the refusal
        names the limit as the module writes its counts (3,650, not
        3650)."""
        settings = self.env["res.config.settings"].create({})
        with self.assertRaisesRegex(ValidationError, r"at most 3,650 days\."):
            settings.sff_submission_stale_days = 4000

    def test_stage_percentage_refusal_writes_the_value_as_the_field_does(self):
        """A stage given 1500 % (15.00 typed without its point): the
        refusal quotes the value as the stage's field shows it, 1,500.00
        (it said 1500.0)."""
        with self.assertRaisesRegex(ValidationError, r"\(it is 1,500\.00\)\."):
            self.s_new.forecast_probability = 1500

    def test_submission_beyond_the_calendar_names_its_day_in_the_users_format(self):
        """A forecast submitted for the quarter of 1 December 9999 (a year
        typed wrong): the refusal names the day as the user writes dates,
        12/01/9999 (it said 9999-12-01)."""
        with self.assertRaisesRegex(UserError, r"The period of 12/01/9999 ends beyond"):
            self.env["crm.forecast.submission"].create(
                {"team_id": self.team.id, "period_type": "quarter", "date_from": "9999-12-01"}
            )

    def test_dashboard_comparison_before_the_calendar_names_its_day_as_written(self):
        """The funnel dashboard on a period of the year 1 compared with the
        one before: the refusal names its first day in the user's date
        format, 01/01/0001 (it said 0001-01-01)."""
        with self.assertRaisesRegex(UserError, r"no period before 01/01/0001 to compare"):
            self.env["crm.funnel.dashboard"].get_funnel_dashboard(
                {
                    "period": "custom",
                    "date_from": "0001-01-01",
                    "date_to": "0001-06-01",
                    "compare": "previous",
                }
            )

    def test_upgrade_gives_earlier_call_notes_their_lines(self):
        """A call logged before 18.0.1.26.0 with a note of two lines has
        them run into one in the chatter (its line break was written raw);
        the upgrade writes it as Odoo writes a done activity's feedback, and
        leaves a note of one line, and the call's first line, as they were."""
        deal = self.make_deal("Lines before", self.s_new)
        two = self.log(deal, "conversation", note="Budget: 12,000\nCall back Monday")
        one = self.log(deal, "no_answer", note="Left word")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message SET body = replace(body::text, '<br>', E'\\n') WHERE id = %s",
            [two.message_id.id],
        )
        self.env.invalidate_all()
        self.assertIn("<p>Budget: 12,000\nCall back Monday</p>", str(two.message_id.body))
        before = str(one.message_id.body)
        first_line = str(two.message_id.body).partition("</p>")[0]
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.26.0/post-migrate.py",
            "sff_post_migrate_18_0_1_26_0",
        )
        migration.migrate(self.env.cr, "18.0.1.25.0")
        self.env.invalidate_all()
        after = str(two.message_id.body)
        self.assertTrue(after.endswith("</p><p>Budget: 12,000<br>Call back Monday</p>"), after)
        self.assertEqual(after.partition("</p>")[0], first_line)
        self.assertEqual(str(one.message_id.body), before)
        self.uninstall_calls(deal)
        self.env["crm.lead"]._sff_backfill_calls()
        self.assertEqual(
            sorted(deal.call_ids.mapped("note")), ["Budget: 12,000\nCall back Monday", "Left word"]
        )
