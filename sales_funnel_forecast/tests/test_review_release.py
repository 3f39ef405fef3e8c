# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The release 18.0.1.23.0 read again as a whole: paths its fixes left out."""

import re
from datetime import date, datetime

from odoo import Command
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestReviewRelease(FunnelCase):
    def setUp(self):
        super().setUp()
        self.elsewhere = self.env["crm.team"].create({"name": "Elsewhere"})

    def call_targets_by_team(self, user, date_from, date_to):
        """(team, daily targets, weekly targets) of ``user`` from
        ``date_from`` to ``date_to`` (excluded), per team."""
        self.env.flush_all()
        self.env["crm.call.report"].invalidate_model()
        rows = self.env["crm.call.report"]._read_group(
            [
                ("kind", "=", "target"),
                ("user_id", "=", user.id),
                ("date", ">=", date_from),
                ("date", "<", date_to),
            ],
            ["team_id"],
            ["target_daily:sum", "target_weekly:sum"],
        )
        return sorted((team.name, daily, weekly) for team, daily, weekly in rows)

    def test_a_move_in_two_steps_of_one_evening_in_new_york(self):
        """Rita works in New York. Both teams expect 10 calls a working day
        and 40 a week. She joined the team on Monday November 2nd, 2026;
        on Wednesday the 11th her manager takes her out of the team at
        18:30 there (23:30 UTC) and adds her to the team Elsewhere at
        19:30 (00:30 UTC, Thursday in London): one move, on her Wednesday.
        Her week of the 9th expects 40 calls once (the Monday's, in her
        first team) and 5 x 10 daily: Monday and Tuesday in her first
        team, Wednesday to Friday in the new one. Its two changes, on two
        days of UTC's, were no move: both teams' weekly targets (80), and
        the daily ones of Monday to Wednesday twice (80 in all)."""
        self.rep.tz = "America/New_York"
        self.team.write({"call_target_daily": 10, "call_target_weekly": 40})
        self.elsewhere.write({"call_target_daily": 10, "call_target_weekly": 40})
        self.set_now(datetime(2026, 11, 2, 14))
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.set_now(datetime(2026, 11, 11, 23, 30))
        self.team.member_ids = [Command.unlink(self.rep.id)]
        self.set_now(datetime(2026, 11, 12, 0, 30))
        self.elsewhere.member_ids = [Command.link(self.rep.id)]
        self.assertEqual(self.rep.crm_team_ids, self.elsewhere)
        self.assertEqual(
            self.call_targets_by_team(self.rep, date(2026, 11, 9), date(2026, 11, 16)),
            [("Elsewhere", 30, 0), ("Funnel Test Team", 20, 40)],
        )

    def test_a_move_in_two_steps_of_one_week(self):
        """Both teams expect 10 calls a working day and 40 a week. Rita
        joined the team on Monday November 2nd, 2026; her manager takes her
        out of it on Monday the 9th at 17:00 and adds her to the team
        Elsewhere on Wednesday the 11th. Her week of the 9th expects 40
        calls once (the Monday's, in her first team) and 4 x 10 daily:
        Monday in her first team, Wednesday to Friday in the new one (on
        Tuesday she was in none). The new team's targets started with the
        week: its 40 again, and its 10 of Monday again (80 and 50 in
        all)."""
        self.team.write({"call_target_daily": 10, "call_target_weekly": 40})
        self.elsewhere.write({"call_target_daily": 10, "call_target_weekly": 40})
        self.set_now(datetime(2026, 11, 2, 9))
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.set_now(datetime(2026, 11, 9, 17))
        self.team.member_ids = [Command.unlink(self.rep.id)]
        self.set_now(datetime(2026, 11, 11, 9))
        self.elsewhere.member_ids = [Command.link(self.rep.id)]
        self.assertEqual(
            self.call_targets_by_team(self.rep, date(2026, 11, 9), date(2026, 11, 16)),
            [("Elsewhere", 30, 0), ("Funnel Test Team", 10, 40)],
        )

    def test_funnel_pdf_counts_its_stalled_deals_as_the_language_writes_numbers(self):
        """A German manager prints the funnel of a team whose 1,000 open
        deals (at 100 each) wait in its first stage, all stalled (a rule of
        1 day, 5 days on): the PDF writes 1.000 reached and open here, and
        "Of which stalled: 1.000 deals", not 1000, as German writes numbers
        (as the dashboard does)."""
        self.env["res.lang"]._activate_lang("de_DE")
        self.set_now(self.t0)
        self.env["crm.lead"].create(
            [
                {
                    "name": f"Deal {index}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                    "expected_revenue": 100,
                    "user_id": self.rep.id,
                }
                for index in range(1000)
            ]
        )
        self.s_new.write({"stall_days": 1, "stall_action": "flag"})
        self.set_now(self.day(5))
        self.run_job()
        params = {"team_id": self.team.id, "period": "all"}
        Dashboard = self.env["crm.funnel.dashboard"].with_context(lang="de_DE")
        self.assertEqual(Dashboard.get_funnel_dashboard(params)["forecast"]["stalled_count"], 1000)
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = Dashboard.action_export(params, "pdf")
        html = (
            self.env["ir.actions.report"]
            .with_context(lang="de_DE")
            ._render_qweb_html(
                "sales_funnel_forecast.action_report_funnel", [], data=action["data"]
            )[0]
            .decode()
        )
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")
        self.assertIn(
            "T-Prospect : 1.000 reached · 0 won · 0 lost here · 1.000 open here · "
            "1.000 stalled here",
            text,
        )
        self.assertIn("Of which stalled: 1.000 deals", text)
        self.assertNotIn("1000", text)
