# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Counts in the module's messages read as sentences: "one deal", not "1
deals"; nothing done says so rather than "0 limits set"; large counts as
the user's language writes them (1,234 in English, 1.234 in German)."""

from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestCountMessages(FunnelCase):
    def message(self, action):
        return action["params"]["message"]

    def test_one_deal_of_a_company_is_named_once(self):
        company = self.env["res.company"].create({"name": "Count Co"})
        self.env["crm.lead"].create({"name": "Only deal", "company_id": company.id})
        with self.assertRaises(UserError) as raised:
            company.unlink()
        self.assertEqual(
            str(raised.exception),
            "One lead or deal belongs to this company: its stage history and calls would be "
            "erased with it. Archive the company instead.",
        )

    def test_no_deal_closed_says_so(self):
        plan = make_plan(
            self.env, self.team, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
        )
        plan.action_fill_from_history()
        self.assertEqual(
            plan.history_note,
            "No deal closed in the last 12 months: nothing to learn from, the typed values stay.",
        )

    def proposal(self, model):
        wizard = self.env[model].with_user(self.manager).create({"team_id": self.team.id})
        wizard.write({"line_ids": [Command.create(values) for values in wizard._sff_proposals()]})
        return wizard

    def test_stage_limits_applied_counted_in_words(self):
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.won_after((2, 3, 4, 5, 10))
        wizard = self.proposal("crm.stage.stall.proposal")
        proposed = wizard.line_ids.filtered("has_proposal")
        self.assertGreaterEqual(len(proposed), 2)
        wizard.line_ids.apply = False
        notice = wizard.action_apply()
        self.assertEqual(
            self.message(notice), "No stage limit set: no stage with a proposal was ticked."
        )
        self.assertEqual(notice["params"]["type"], "warning")
        proposed[0].apply = True
        self.assertEqual(self.message(wizard.action_apply()), "One stage limit set from history.")
        proposed.apply = True
        self.assertEqual(
            self.message(wizard.action_apply()),
            f"{len(proposed)} stage limits set from history.",
        )

    def test_stage_percentages_applied_counted_in_words(self):
        wizard = self.proposal("crm.stage.percentage.proposal")
        wizard.line_ids.apply = False
        notice = wizard.action_apply()
        self.assertEqual(
            self.message(notice),
            "No stage percentage set: no stage with a proposal was ticked.",
        )
        self.assertEqual(notice["params"]["type"], "warning")

    def test_large_counts_with_the_languages_separators(self):
        self.env["res.lang"]._activate_lang("de_DE")
        Lead = self.env["crm.lead"].with_user(self.manager)
        with patch.object(type(Lead), "_sff_stall_due_count", return_value=1234):
            english = self.message(Lead.action_apply_stall_rules())
            german = self.message(Lead.with_context(lang="de_DE").action_apply_stall_rules())
        self.assertIn(" 1,234 deals past their stage's limit", english)
        self.assertIn("1.234", german)
        self.assertNotIn("1234", german)

    def test_accuracy_lines_worked_out_counted_in_words(self):
        Report = self.env["crm.forecast.accuracy.report"].with_user(self.manager)
        said = {}
        for written in (0, 1, 1234):
            with patch.object(type(Report), "_sff_refresh", return_value=written):
                said[written] = self.message(Report.action_sff_refresh())
        self.assertEqual(
            said,
            {
                0: "Forecast accuracy worked out again: no line, nothing was forecast or won "
                "in the closed months of the last 24.",
                1: "Forecast accuracy worked out again: one line.",
                1234: "Forecast accuracy worked out again: 1,234 lines.",
            },
        )
