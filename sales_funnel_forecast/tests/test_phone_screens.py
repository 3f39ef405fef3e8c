# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's screens in a phone's window (Odoo's mobile layout, under
768 px): what a salesperson or a manager reads on them."""

from datetime import date, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import make_plan
from .test_tour import screens_team

TOURS = "sales_funnel_forecast_phone_"


def long_named_deal(env):
    """A deal of 10,000 of a team of its own that stayed 3 days in "First
    proposal presentation" before moving on to "Second proposal
    preparation", where it still is, expected to close on 1 January 2027."""
    team = env["crm.team"].create({"name": "SFF Phone Team"})
    Stage = env["crm.stage"]
    first = Stage.create(
        {"name": "First proposal presentation", "sequence": 901, "team_id": team.id}
    )
    second = Stage.create(
        {"name": "Second proposal preparation", "sequence": 902, "team_id": team.id}
    )
    deal = env["crm.lead"].create(
        {
            "name": "SFF Phone Deal",
            "type": "opportunity",
            "team_id": team.id,
            "stage_id": first.id,
            "user_id": env.ref("base.user_admin").id,
            "expected_revenue": 10000,
            "date_deadline": "2027-01-01",
        }
    )
    deal.stage_id = second
    env.flush_all()
    stay = deal.stage_history_ids.filtered(lambda row: row.stage_id == first)
    stay.date_out = fields.Datetime.now()
    env.cr.execute(
        "UPDATE crm_lead_stage_history SET date_in = %s, duration_days = 3 WHERE id = %s",
        [stay.date_out - timedelta(days=3), stay.id],
    )
    env.invalidate_all()
    return deal


def phone_rep(env):
    """Rita, a salesperson seeing her own documents only, member of a team
    of a long name, "SFF Phone Team of the Northern Region"."""
    rep = new_test_user(
        env,
        login="sff_phone_rep",
        name="Rita Phone-Representative",
        groups="sales_team.group_sale_salesman",
    )
    team = env["crm.team"].create({"name": "SFF Phone Team of the Northern Region"})
    env["crm.team.member"].create({"crm_team_id": team.id, "user_id": rep.id})
    return rep, team


def rita_submits(rep, team):
    """Rita's forecast of March 2027: Commit 12,500, Best Case 18,000."""
    return (
        rep.env["crm.forecast.submission"]
        .with_user(rep)
        .create(
            {
                "team_id": team.id,
                "period_type": "month",
                "date_from": date(2027, 3, 1),
                "commit_amount": 12500,
                "best_case_amount": 18000,
            }
        )
    )


@tagged("post_install", "-at_install")
class TestPhoneScreens(HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_deal_stays_read_whole_on_a_phone(self):
        # the deal's Stage History on a phone was the computer's list: the
        # stages' names cut ("Second pr...") and the Left, Days and % columns
        # off the screen; each of its 2 stays is now a card with its stages,
        # dates and days (3.00 for its first) whole on the screen
        deal = long_named_deal(self.env)
        self.assertEqual(len(deal.stage_history_ids), 2)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{deal.id}",
            TOURS + "stays_tour",
            login="admin",
        )

    def test_deal_versions_read_whole_on_a_phone(self):
        # the deal's Forecast History on a phone was the computer's list:
        # the stage's name cut, the expected closing and the amount off the
        # screen; its version is now a card with its stage, its 10,000 and
        # its closing on 1 January 2027 whole on the screen
        deal = long_named_deal(self.env)
        self.env.flush_all()
        self.assertEqual(
            deal.forecast_version_ids.mapped("stage_id.name"), ["Second proposal preparation"]
        )
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{deal.id}",
            TOURS + "versions_tour",
            login="admin",
        )

    def test_call_log_reads_whole_on_a_phone(self):
        # the Call Log on a phone was the computer's list: the deal's name
        # cut after a few letters, the outcome past the screen's edge; a
        # phone now shows a card per call with the deal and its outcome
        deal = long_named_deal(self.env)
        deal.name = "SFF Phone Deal of Wood Corner"
        wizard = self.env["crm.lead.call.log"].create({"lead_id": deal.id, "duration_minutes": 12})
        wizard.with_context(sff_call_outcome="meeting_booked").action_log()
        self.assertEqual(deal.call_ids.mapped("outcome"), ["meeting_booked"])
        self.start_tour("/odoo", TOURS + "call_log_tour", login="admin")

    def test_forecast_screen_reads_whole_on_a_phone(self):
        # the Forecast screen on a phone was the computer's table of 10
        # columns, 915 px wide in 375: the open pipeline, the gap to quota
        # and the coverage off the screen, the names scrolling away from
        # their figures; a phone now shows a card per salesperson and one
        # for the team, each figure under its name: the administrator's
        # 1,569,200 of open pipeline
        screens_team(self.env)
        self.start_tour("/odoo", TOURS + "forecast_tour", login="admin")

    def test_target_plans_read_whole_on_a_phone(self):
        # Target Plans on a phone was the computer's list: a long plan's
        # name cut, its team's name cut and its target off the screen;
        # Targets and Actuals opened its pivot, the months' figures off the
        # screen. A salesperson of the team now reads a card per plan (its
        # 120,000 for 2027) and one per month (10,000 each)
        rep, team = phone_rep(self.env)
        plan = make_plan(self.env, team, name="SFF Phone Plan of New Accounts in the North")
        self.assertEqual(plan.month_period_ids.mapped("revenue_target"), [10000.0] * 12)
        self.start_tour("/odoo", TOURS + "plans_tour", login=rep.login)
        self.start_tour("/odoo", TOURS + "plan_months_tour", login=rep.login)

    def test_forecast_submissions_read_whole_on_a_phone(self):
        # Forecast Submissions on a phone was the computer's list: the
        # salesperson's and the team's names cut, the Commit and Best Case
        # off the screen; Rita's submission of March 2027 is now a card
        # with her name, her team and her 12,500 and 18,000 whole
        rep, team = phone_rep(self.env)
        rita_submits(rep, team)
        self.start_tour("/odoo", TOURS + "submissions_tour", login=rep.login)

    def test_dashboard_forecast_reads_whole_on_a_phone(self):
        # the funnel dashboard's revenue forecast on a phone was the
        # computer's tables, scrolling sideways in their box: with a deal of
        # 12,345,678 (at 60 %: 7,407,406.80 weighted) the Left out column's
        # $ 0.00 past the screen's edge; a phone now shows a card per stage,
        # one for the total and one per category, each figure under its name
        screens_team(self.env)
        deal = self.env["crm.lead"].search([("name", "=", "SFF Screens Deal")])
        deal.expected_revenue = 12345678
        self.start_tour("/odoo", TOURS + "dashboard_forecast_tour", login="admin")


@tagged("post_install", "-at_install")
class TestComputerScreens(HttpCase):
    """The screens given cards on a phone keep their lists and tables on a
    computer (the default window)."""

    def test_computer_keeps_the_lists(self):
        # Target Plans and Forecast Submissions open their lists, Targets
        # and Actuals its pivot, with Rita's plan and submission in them
        rep, team = phone_rep(self.env)
        make_plan(self.env, team, name="SFF Phone Plan of New Accounts in the North")
        rita_submits(rep, team)
        for tour in ("plans", "plan_months", "submissions"):
            self.start_tour("/odoo", f"sales_funnel_forecast_computer_{tour}_tour", login=rep.login)

    def test_computer_keeps_the_dashboard_forecast_tables(self):
        # the dashboard's revenue forecast: S-Proposal's line of the stages'
        # table (1 open deal, 941,520.00 weighted) and Best Case's of the
        # categories' table (1,569,200.00)
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_computer_dashboard_tour", login="admin")
