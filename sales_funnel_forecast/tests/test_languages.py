# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module as French-speaking salespeople and managers read it: what
the jobs write for them, the cards, the stages of a catalogue in a
language installed later, the accuracy report opened by a rep, the names
of months and quarters."""

import re
from datetime import date

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import FunnelCase, apply_catalogue, make_plan


@tagged("post_install", "-at_install")
class TestInTheUsersLanguage(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["mail", "crm", "sales_funnel_forecast"], ["fr_FR"], overwrite=True
        )
        cls.rep.lang = "fr_FR"
        cls.s_new.write({"stall_days": 10, "stall_action": "flag"})

    def test_stall_activity_is_in_the_reps_language(self):
        """The stall job runs as the scheduler (no language in its context):
        the to-do it assigns to a French rep reads in French."""
        self.set_now(self.day(0))
        deal = self.make_deal("Bloquée", self.s_new, 1000)
        self.set_now(self.day(11))
        # as ir.cron calls it: the cron user's environment, no lang
        self.env["crm.lead"].with_context(lang=None)._cron_apply_stall_rules()
        self.env.invalidate_all()
        activity = deal.activity_ids
        self.assertEqual(activity.user_id, self.rep)
        expected = (
            self.env["crm.lead"]
            .with_context(lang="fr_FR")
            .env._("Stalled deal: move it on, keep it open or close it")
        )
        self.assertNotEqual(expected, "Stalled deal: move it on, keep it open or close it")
        self.assertEqual(activity.summary, expected)

    def test_stall_note_date_is_in_the_languages_format(self):
        """The note names the planned activity's due date as the language
        writes dates (30/04/2026)."""
        self.set_now(self.day(0))
        deal = self.make_deal("Occupée", self.s_new, 1000)
        deal.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=date(2026, 4, 30),
            summary="Appeler le client",
            user_id=self.rep.id,
        )
        self.set_now(self.day(11))
        self.env["crm.lead"].with_context(lang="fr_FR")._cron_apply_stall_rules()
        self.env.invalidate_all()
        note = deal.message_ids.filtered(lambda m: "Appeler le client" in (m.body or ""))
        self.assertTrue(note)
        self.assertNotIn("2026-04-30", note.body)
        self.assertIn("30/04/2026", note.body)

    def test_kanban_days_unit_is_translated(self):
        """The card's days in stage read in French, one day or several: its
        unit is a word (Odoo exports no term of one character)."""
        view = self.env.ref("sales_funnel_forecast.crm_case_kanban_view_leads")
        arch = view.with_context(lang="fr_FR").arch_db
        self.assertIsNone(re.search(r'name="stage_age_days"\s*/>\s*d\s*<', arch))
        self.assertIn('<span invisible="stage_age_days != 1">jour</span>', arch)
        self.assertIn('<span invisible="stage_age_days == 1">jours</span>', arch)
        self.assertIn('<span invisible="stall_days_over == 1">jours de trop</span>', arch)

    def test_catalogue_stage_names_follow_a_language_installed_later(self):
        """A catalogue applied, then a language added: the team's stages made
        from the steps take the steps' Swedish names; one renamed keeps its
        name."""
        team = self.env["crm.team"].create({"name": "Later language"})
        apply_catalogue(self.env, team, self.manager)
        line = self.env.ref("sales_funnel_forecast.catalogue_simple_step_01")
        stage = self.env["crm.stage"].search(
            [("catalogue_line_id", "=", line.id), ("team_id", "=", team.id)]
        )
        renamed = self.env["crm.stage"].search(
            [("team_id", "=", team.id), ("catalogue_line_id", "not in", [line.id, False])], limit=1
        )
        renamed.name = "Our own step"
        self.env["res.lang"]._activate_lang("sv_SE")
        self.env["ir.module.module"]._load_module_terms(["sales_funnel_forecast"], ["sv_SE"])
        self.assertEqual(line.with_context(lang="sv_SE").name, "Prospektering")
        self.assertEqual(stage.with_context(lang="sv_SE").name, "Prospektering")
        self.assertEqual(renamed.with_context(lang="sv_SE").name, "Our own step")

    def test_rep_opens_accuracy_on_own_lines(self):
        """A salesperson limited to own documents opens Forecast Accuracy on
        the salespeople's lines (whole teams' are not theirs to read); a
        manager on whole teams."""
        for user, on, off in (
            (self.rep, "search_default_reps", "search_default_whole_team"),
            (self.manager, "search_default_whole_team", "search_default_reps"),
        ):
            action = self.env["crm.forecast.accuracy.report"].with_user(user).action_sff_open()
            context = action["context"]
            if isinstance(context, str):
                context = safe_eval(context)
            self.assertTrue(context.get(on), user.name)
            self.assertFalse(context.get(off), user.name)
            self.assertTrue(context.get("search_default_months"), user.name)

    def test_quarters_and_months_are_named_in_the_users_language(self):
        """The Forecast screen's periods and a plan's quarters read as
        Odoo's grouped views name them: "T1 2026" and "mars 2026" in
        French, "Q1 2026" and "March 2026" in English."""
        Submission = self.env["crm.forecast.submission"].with_user(self.manager)
        months = {
            "fr_FR": "janvier février mars avril mai juin juillet août septembre "
            "octobre novembre décembre".split(),
            "en_US": "January February March April May June July August September "
            "October November December".split(),
        }
        for lang, quarter in (("fr_FR", "T"), ("en_US", "Q")):
            screens = {
                period_type: Submission.with_context(lang=lang).get_forecast_screen(
                    {"team_id": self.team.id, "period_type": period_type}
                )
                for period_type in ("quarter", "month")
            }
            # the five periods around today's, each named
            labels = screens["quarter"]["period_labels"]
            self.assertEqual(list(labels), screens["quarter"]["periods"])
            self.assertEqual(
                list(labels.values()),
                [f"{quarter}{(int(day[5:7]) - 1) // 3 + 1} {day[:4]}" for day in labels],
                lang,
            )
            labels = screens["month"]["period_labels"]
            self.assertEqual(list(labels), screens["month"]["periods"])
            self.assertEqual(
                list(labels.values()),
                [f"{months[lang][int(day[5:7]) - 1]} {day[:4]}" for day in labels],
                lang,
            )
        plan = make_plan(self.env, self.team)
        self.assertEqual(
            plan.with_context(lang="fr_FR").quarter_period_ids.mapped("display_name"),
            ["T1 2027", "T2 2027", "T3 2027", "T4 2027"],
        )
        # the months by name, as the Forecast screen names them
        self.assertEqual(
            plan.with_context(lang="fr_FR").month_period_ids[:3].mapped("display_name"),
            ["janvier 2027", "février 2027", "mars 2027"],
        )
        self.assertEqual(
            plan.with_context(lang="en_US").month_period_ids[-1:].display_name, "December 2027"
        )
