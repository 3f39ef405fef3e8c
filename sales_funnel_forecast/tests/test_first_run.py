# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
from datetime import datetime

import openpyxl
from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestFirstRun(FunnelCase):
    """A team, a company or a database without deals yet: every screen,
    print and spreadsheet says in words that there is nothing to show."""

    def test_spreadsheet_forecast_of_no_open_deal(self):
        """The funnel's spreadsheet of a team without any deal: its Forecast
        sheet says "No open deal." and draws no table of zeros under a
        "No date" month; the note took the place of the first total's
        label, so the sheet read "No open deal. | Stage-weighted | 0"."""
        params = {"team_id": self.team.id, "period": "all"}
        content = self.env["crm.funnel.dashboard"].with_user(self.manager)._sff_xlsx(params)[0]
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Forecast"]
        rows = [
            [cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)
        ]
        rows = [row for row in rows if row]
        self.assertEqual(
            rows,
            [
                ["Forecast"],
                [f"Open deals by expected closing month, {self.team.name}"],
                ["No open deal."],
            ],
        )

    def test_forecast_screen_of_a_company_without_team(self):
        """A second company added later, with no sales team of its own (the
        first company's teams are its own): its manager and salesperson
        open the Forecast screen and read, in words, that there is no team
        to forecast, instead of a table with a nameless "(team)" line of
        zeros, or a salesperson marked "not submitted" for no team."""
        second = self.env["res.company"].create({"name": "Second Company (no team)"})
        self.env["crm.team"].search([("company_id", "=", False)]).company_id = self.company
        note = (
            "There is no sales team to forecast in the selected companies: create one, or "
            "select the company of yours."
        )
        for groups in ("sales_team.group_sale_manager", "sales_team.group_sale_salesman"):
            user = company_user(self.env, f"sff_second_{groups[-7:]}", "Sam Second", groups, second)
            Submission = self.env["crm.forecast.submission"].with_user(user)
            screen = Submission.with_context(allowed_company_ids=second.ids).get_forecast_screen({})
            self.assertFalse(screen["team_id"], groups)
            self.assertEqual(screen["empty_note"], note, groups)
            self.assertEqual((screen["lines"], screen["team_line"], screen["flow"]), ([], None, []))
            # the period can still be chosen, in the company's currency
            self.assertEqual(len(screen["periods"]), 5)
            self.assertEqual(screen["currency_id"], second.currency_id.id)
        # a team of its own: the screen is back, with nothing to say
        team = self.env["crm.team"].create({"name": "Second Team", "company_id": second.id})
        screen = (
            self.env["crm.forecast.submission"]
            .with_user(user)
            .with_context(allowed_company_ids=second.ids)
            .get_forecast_screen({})
        )
        self.assertEqual((screen["team_id"], screen["empty_note"]), (team.id, False))

    def test_first_snapshot_of_an_empty_pipeline(self):
        """The first snapshot a manager takes with no deal open yet (a new
        database, or deals that are all leads) says so, instead of
        "written: 1 rows" (the one empty row that marks the day taken)."""
        self.clock_at(datetime(1990, 1, 2, 12))
        Snapshot = self.env["crm.pipeline.snapshot"].with_user(self.manager)
        action = Snapshot.action_take_snapshot()
        self.assertEqual(
            action["params"]["message"],
            "Snapshot of 01/02/1990 written: no deal was open at the start of the day.",
        )
        rows = Snapshot.search([("date_snapshot", "=", "1990-01-02")])
        self.assertEqual((len(rows), rows.deal_count, rows.expected_revenue), (1, 0, 0.0))
        # one open deal: its one row, said in the singular
        self.clock_at(datetime(1990, 1, 1, 12))
        self.make_deal("First deal", self.s_new, 1000)
        self.clock_at(datetime(1990, 1, 2, 12))
        action = Snapshot.action_take_snapshot()
        self.assertEqual(action["params"]["message"], "Snapshot of 01/02/1990 written: 1 row.")

    def test_snapshot_message_counts_the_managers_rows(self):
        """A manager of one company takes today's snapshot: it is written
        for every company, and its message counts the rows the list then
        shows them, their company's (it said "2 rows" for one row shown,
        counting another company's deal)."""
        other = self.env["res.company"].create({"name": "SFF Other Company"})
        team = self.env["crm.team"].create({"name": "SFF Other Team", "company_id": other.id})
        self.clock_at(datetime(1990, 1, 1, 12))
        self.make_deal("Ours", self.s_new, 1000, company_id=self.env.company.id)
        self.make_deal(
            "Theirs", self.s_new, 500, company_id=other.id, team_id=team.id, user_id=False
        )
        self.clock_at(datetime(1990, 1, 2, 12))
        manager = company_user(
            self.env,
            "sff_one_company_manager",
            "One Company",
            "sales_team.group_sale_manager",
            self.env.company,
        )
        action = self.env["crm.pipeline.snapshot"].with_user(manager).action_take_snapshot()
        self.assertEqual(action["params"]["message"], "Snapshot of 01/02/1990 written: 1 row.")
        self.assertEqual(
            self.env["crm.pipeline.snapshot"].search_count([("date_snapshot", "=", "1990-01-02")]),
            2,
            "written for both companies",
        )

    def test_stall_message_counts_the_managers_deals(self):
        """Two deals sit past a 5-day limit, one in another company: a
        manager of one company pressing Apply Stall Rules Now is told of
        their one deal (the job acts on both; it said two)."""
        other = self.env["res.company"].create({"name": "SFF Other Company"})
        team = self.env["crm.team"].create({"name": "SFF Other Team", "company_id": other.id})
        self.s_new.stall_days = 5
        self.clock_at(datetime(1990, 1, 1, 12))
        self.make_deal("Ours", self.s_new, 1000, company_id=self.env.company.id)
        self.make_deal(
            "Theirs", self.s_new, 500, company_id=other.id, team_id=team.id, user_id=False
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.clock_at(datetime(1990, 1, 10, 12))
        manager = company_user(
            self.env,
            "sff_one_company_manager",
            "One Company",
            "sales_team.group_sale_manager",
            self.env.company,
        )
        action = self.env["crm.lead"].with_user(manager).action_apply_stall_rules()
        self.assertEqual(
            action["params"]["message"],
            "The stall rules are being applied in the background to a deal past its stage's "
            "limit; reload the list in a few moments to see it.",
        )

    def test_stall_proposal_without_won_deals(self):
        """A manager opens Propose Stall Rules for a team with no deal won
        yet: each stage says in words that too few won deals went through
        it, and shows no median of 0 days nor a proposed limit of 0 days
        (a limit that reads "stall at once"), as the stage percentages'
        proposal does for its win rates."""
        # the team's own stages only (a catalogue's pipeline)
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.s_qualified.stall_days = 12
        form = Form(self.env["crm.stage.stall.proposal"].with_user(self.manager))
        form.team_id = self.team
        wizard = form.save()
        self.assertEqual(
            [(line.stage_id, line.won_count, line.note) for line in wizard.line_ids],
            [
                (stage, 0, "Too few won deals: 0 of the 5 needed")
                for stage in (self.s_new, self.s_qualified, self.s_proposal)
            ],
        )
        list_view = etree.fromstring(
            wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        ).find(".//field[@name='line_ids']/list")
        for name, invisible in (
            ("median_days", "not won_count"),
            ("proposed_days", "not has_proposal"),
        ):
            self.assertEqual(list_view.find(f"field[@name='{name}']").get("invisible"), invisible)
        self.assertIsNotNone(list_view.find("field[@name='note']"))
        wizard.action_apply()
        self.assertEqual(self.s_qualified.stall_days, 12, "the typed limit stays")

    def test_forecast_spreadsheet_without_closed_period(self):
        """The Forecast screen's spreadsheet of a team with no closed period
        measured yet: its accuracy sheet says so, as the PDF does, rather
        than a header over nothing."""
        params = {"team_id": self.team.id, "period_type": "month"}
        Submission = self.env["crm.forecast.submission"].with_user(self.manager)
        content = Submission._sff_forecast_xlsx(params)[0]
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Accuracy by period"]
        rows = [
            [cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)
        ]
        self.assertEqual(
            [row for row in rows if row],
            [
                [f"Forecast accuracy of {self.team.name}, at each period's start"],
                ["No closed period to measure yet."],
            ],
        )
        self.assertIn("No closed period to measure yet.", self.print_screen(params))

    def test_rep_of_no_team_is_not_chased_for_a_forecast(self):
        """A salesperson not yet put in any team (a first run: users created
        before the teams are set up) opens the Forecast screen: their line
        shows, but is not marked "not submitted", since a forecast they
        submitted for the team would be refused (neither a member nor the
        salesperson of one of its deals). Once a member, they are chased."""
        Submission = self.env["crm.forecast.submission"].with_user(self.rep)
        params = {"team_id": self.team.id, "period_type": "month"}
        screen = Submission.get_forecast_screen(params)
        [line] = screen["lines"]
        self.assertEqual(
            (line["user_id"], line["pipeline"], line["late"]), (self.rep.id, 0.0, False)
        )
        with (
            self.assertRaisesRegex(ValidationError, "is neither a member of the sales team"),
            self.env.cr.savepoint(),
        ):
            Submission.create(
                {"team_id": self.team.id, "period_type": "month", "date_from": screen["date_from"]}
            )
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.env["crm.team.member"].flush_model()
        [line] = Submission.get_forecast_screen(params)["lines"]
        self.assertTrue(line["late"])


@tagged("post_install", "-at_install")
class TestFirstRunScreens(HttpCase):
    """A second company added later, with no sales team nor deal of its
    own: its manager opens the Forecast screen and the funnel dashboard."""

    def test_screens_of_a_company_without_team_nor_deal(self):
        second = self.env["res.company"].create({"name": "Second Company (first run)"})
        self.env["crm.team"].search([("company_id", "=", False)]).company_id = self.env.company
        company_user(
            self.env, "sff_first_run", "Fran First", "sales_team.group_sale_manager", second
        )
        for tour in ("forecast", "dashboard"):
            self.start_tour(
                "/odoo", f"sales_funnel_forecast_first_run_{tour}_tour", login="sff_first_run"
            )
