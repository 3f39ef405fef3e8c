# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A salesperson's and a manager's day in Odoo's web client, as tours."""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from ..models.crm_lead_forecast_version import MOMENT_SETTING
from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestBrowserDay(FunnelCase, HttpCase):
    def day_team(self):
        """A team of the rep's with the simple catalogue's pipeline
        (Prospecting 10, Qualification 25, Proposal 50, Closing 75 folded,
        Won) and three of the rep's deals."""
        team = self.env["crm.team"].create(
            {"name": "Day Team", "member_ids": [Command.link(self.rep.id)]}
        )
        stages = {stage.name: stage for stage in apply_catalogue(self.env, team)}
        stages["Closing"].fold = True
        deals = {
            name: self.make_deal(name, stages[stage], revenue, team_id=team.id)
            for name, stage, revenue in (
                ("Day Deal A", "Prospecting", 1000),
                ("Day Deal B", "Proposal", 2000),
                ("Day Deal C", "Qualification", 3000),
            )
        }
        return team, stages, deals

    def test_rep_day_in_the_pipeline_kanban(self):
        team, stages, deals = self.day_team()
        self.company.crm_lost_reason_required = True
        deals["Day Deal A"].activity_schedule(
            "mail.mail_activity_data_call", summary="Call back", user_id=self.rep.id
        )
        self.start_tour(
            "/odoo/action-crm.crm_lead_action_pipeline",
            "sales_funnel_forecast_rep_day_tour",
            login="sff_rep",
        )
        self.env.invalidate_all()
        quick = self.env["crm.lead"].search([("name", "=", "Day Quick Deal")])
        self.assertEqual(
            (quick.team_id, quick.stage_id, quick.probability, quick.expected_revenue),
            (team, stages["Prospecting"], 10.0, 4000.0),
        )
        self.assertEqual(quick.activity_ids.mapped("summary"), ["Send the brochure"])
        deal_a, deal_b, deal_c = deals.values()
        self.assertEqual(
            (deal_a.active, deal_a.lost_stage_id, deal_a.lost_reason_id.name),
            (False, stages["Qualification"], "Too expensive"),
        )
        self.assertEqual(
            deal_a.stage_history_ids.sorted("date_in").mapped("stage_id.name"),
            ["Prospecting", "Qualification"],
        )
        self.assertEqual((deal_a.call_count, deal_a.call_ids.outcome), (1, "voicemail"))
        self.assertEqual(
            (deal_b.stage_id, deal_b.probability, deal_b.forecast_category),
            (stages["Won"], 100.0, "closed"),
        )
        self.assertEqual(
            (deal_c.stage_id, deal_c.probability, deal_c.forecast_category),
            (stages["Closing"], 75.0, "commit"),
        )
        self.assertStructuresHold("rep's day")

    def test_forecast_kanban_moves_the_expected_closing(self):
        # a deal of 5,000 at Proposal (50 %) closing today, 6 December: the
        # Forecast kanban's drag to January gives it 31 January (Odoo gives
        # the month's last day), 56 days later
        team, stages, _deals = self.day_team()
        today = fields.Date.context_today(team)
        # made yesterday: the tour's changes make a version of their own
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT set_config(%s, (now() AT TIME ZONE 'UTC' - interval '1 day')::text, TRUE)",
            [MOMENT_SETTING],
        )
        deal = self.make_deal(
            "Forecast Day Deal", stages["Proposal"], 5000, team_id=team.id, date_deadline=today
        )
        self.env.flush_all()
        self.env.cr.execute("SELECT set_config(%s, '', TRUE)", [MOMENT_SETTING])
        self.start_tour(
            "/odoo/action-crm.crm_lead_action_forecast",
            "sales_funnel_forecast_forecast_kanban_tour",
            login="sff_rep",
        )
        self.env.invalidate_all()
        next_month = today + relativedelta(months=1, day=31)
        self.assertEqual(
            (deal.date_deadline, deal.forecast_category, deal.forecast_category_is_manual),
            (next_month, "commit", True),
        )
        versions = self.env["crm.lead.forecast.version"].search(
            [("lead_id", "=", deal.id)], order="valid_from, id"
        )
        self.assertEqual(
            [(v.date_deadline, v.forecast_category, v.slip_days) for v in versions],
            [(today, "best_case", 0), (next_month, "commit", (next_month - today).days)],
        )
        Slippage = self.env["crm.forecast.slippage.report"]
        slipped = Slippage.search([("lead_id", "=", deal.id), ("period_type", "=", "month")])
        self.assertEqual(
            [(row.date_period, row.slipped, row.slip_days) for row in slipped],
            [
                (next_month.replace(day=1), False, 0),
                (today.replace(day=1), True, (next_month - today).days),
            ],
        )
        # out of its quarter too when the month it left ended one
        quarters = Slippage.search([("lead_id", "=", deal.id), ("period_type", "=", "quarter")])
        quarter = today.replace(day=1, month=(today.month - 1) // 3 * 3 + 1)
        next_quarter = next_month.replace(day=1, month=(next_month.month - 1) // 3 * 3 + 1)
        self.assertEqual(
            sorted((row.date_period, row.slipped, row.slip_days) for row in quarters),
            sorted(
                {(next_quarter, False, 0)} | {(quarter, True, (next_month - today).days)}
                if next_quarter != quarter
                else [(quarter, False, 0)]
            ),
        )
        self.assertStructuresHold("forecast kanban")

    def test_dashboard_back_from_a_stage_shows_the_same_funnel(self):
        # a manager chose the Day Team's funnel of this month (deals A, B and
        # C reached Qualification: 3), opened the deals of
        # Qualification and came back: the dashboard showed the manager's
        # own team's funnel of this year again
        _team, stages, deals = self.day_team()
        deals["Day Deal A"].stage_id = stages["Qualification"]
        # the funnel rows, written at commit
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.start_tour(
            "/odoo/action-sales_funnel_forecast.crm_funnel_dashboard_action",
            "sales_funnel_forecast_dashboard_back_tour",
            login="sff_manager",
        )

    def test_forecast_screen_back_from_a_line_shows_the_same_quarter(self):
        # the Forecast screen of the Day Team by quarter, a line opened: back
        # on the screen, it showed the manager's own team by month again
        self.day_team()
        self.start_tour(
            "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
            "sales_funnel_forecast_forecast_back_tour",
            login="sff_manager",
        )

    def test_lead_converted_into_an_opportunity_then_two_merged(self):
        # the rep's lead of Day Customer merged, by the Convert dialog, into
        # Day Deal B (Proposal, 2,000); then Day Deal A (Prospecting) and
        # Day Deal C (Qualification) merged from the list: C is kept
        _team, stages, deals = self.day_team()
        self.rep.groups_id = [Command.link(self.env.ref("crm.group_use_lead").id)]
        customer = self.env["res.partner"].create(
            {"name": "Day Customer", "email": "day@customer.example"}
        )
        deal_a, deal_b, deal_c = deals.values()
        deal_b.partner_id = customer
        lead = self.env["crm.lead"].create(
            {
                "name": "Day Lead",
                "type": "lead",
                "partner_id": customer.id,
                "email_from": "day@customer.example",
                "team_id": deal_b.team_id.id,
                "user_id": self.rep.id,
            }
        )
        self.start_tour(
            f"/odoo/action-crm.crm_lead_all_leads/{lead.id}",
            "sales_funnel_forecast_convert_merge_tour",
            login="sff_rep",
        )
        self.env.invalidate_all()
        self.assertFalse(lead.exists())
        self.assertEqual((deal_a.exists(), deal_c.exists()), (deal_a.browse(), deal_c))
        self.assertEqual(
            [(deal.stage_id, deal.probability) for deal in (deal_b, deal_c)],
            [(stages["Proposal"], 50.0), (stages["Qualification"], 25.0)],
        )
        self.assertEqual(deal_b.stage_history_ids.stage_id, stages["Proposal"])
        self.assertStructuresHold("convert and merge")
