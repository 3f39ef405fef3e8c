# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Target plans: the needs worked back from a revenue goal, counted by hand,
and the actuals beside them."""

from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.addons.sale.tests.common import TestSaleCommon
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import company_user, make_plan


@tagged("post_install", "-at_install")
class TestTargetPlan(TestSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.rep = company_user(
            cls.env, "sff_plan_rep", "Pia Rep", "sales_team.group_sale_salesman", cls.company
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Plan Team",
                "company_id": cls.company.id,
                "member_ids": [Command.link(cls.rep.id)],
            }
        )
        cls.other_team = cls.env["crm.team"].create(
            {"name": "Other Plan Team", "company_id": cls.company.id}
        )
        cls.year = fields.Date.today().year

    def plan(self, **values):
        return make_plan(self.env, self.team, **dict({"company_id": self.company.id}, **values))

    def refused(self, message, **values):
        with self.assertRaises(ValidationError) as refusal:
            self.plan(**values)
        self.assertIn(message, str(refusal.exception))

    def figures(self, plan, period_type):
        return [
            (
                period.date_from,
                period.revenue_target,
                period.deals_needed,
                period.leads_needed,
                period.pipeline_value_needed,
            )
            for period in plan.period_ids.filtered(lambda p: p.period_type == period_type).sorted(
                "date_from"
            )
        ]

    def test_two_wins_in_ten_prospects(self):
        # 2 wins in 10 prospects: 50 prospects for 10 contracts of 10,000
        plan = self.plan(revenue_target=100000, average_deal_value=10000, win_rate=20)
        self.assertEqual(
            (plan.deals_needed, plan.leads_needed, plan.pipeline_value_needed), (10, 50, 500000.0)
        )

    def test_whole_year_months_quarters_and_year(self):
        plan = self.plan()
        months = self.figures(plan, "month")
        self.assertEqual(len(months), 12)
        self.assertEqual(months[0], (date(2027, 1, 1), 10000.0, 10, 50, 50000.0))
        self.assertEqual({row[1:] for row in months}, {(10000.0, 10, 50, 50000.0)})
        self.assertEqual(
            self.figures(plan, "quarter"),
            [(date(2027, month, 1), 30000.0, 30, 150, 150000.0) for month in (1, 4, 7, 10)],
        )
        self.assertEqual(
            self.figures(plan, "year"), [(date(2027, 1, 1), 120000.0, 120, 600, 600000.0)]
        )
        self.assertEqual(plan.quarter_period_ids[1].date_to, date(2027, 6, 30))

    def test_counts_round_up_once_from_exact_values(self):
        plan = self.plan(revenue_target=100000, average_deal_value=3000, win_rate=25)
        # 33.3 deals: 34; the prospects from 133.3: 134 (not 34 / 25 % = 136)
        self.assertEqual((plan.deals_needed, plan.leads_needed), (34, 134))
        # each month: 2.78 deals, 3; 11.1 prospects, 12
        self.assertEqual(self.figures(plan, "month")[0][2:4], (3, 12))

    def test_cycle_moves_prospects_earlier_with_a_line_before_the_plan(self):
        plan = self.plan(sales_cycle_days=60)
        months = {period.date_from: period for period in plan.month_period_ids}
        self.assertEqual(min(months), date(2026, 11, 1))
        before = [period.date_from for period in plan.month_period_ids if not period.in_plan]
        self.assertEqual(before, [date(2026, 11, 1), date(2026, 12, 1)])
        # March's 10 deals need their 50 prospects in January
        self.assertEqual(months[date(2027, 1, 1)].leads_needed, 50)
        self.assertEqual(months[date(2026, 11, 1)].leads_needed, 50)
        self.assertEqual(months[date(2026, 11, 1)].deals_needed, 0)
        self.assertEqual(months[date(2027, 12, 1)].leads_needed, 0)
        self.assertEqual(plan.leads_needed, 600, "the whole plan counts the early prospects")

    def test_seasonality_and_inputs_recompute_by_themselves(self):
        plan = self.plan(revenue_target=130000)
        december = plan.season_ids.filtered(lambda season: season.month == "12")
        plan.write({"season_ids": [Command.update(december.id, {"weight": 2.0})]})
        months = self.figures(plan, "month")
        self.assertEqual((months[0][1], months[11][1]), (10000.0, 20000.0))
        plan.revenue_target = 260000
        self.assertEqual(self.figures(plan, "month")[11][1], 40000.0)

    def test_origin_mix_splits_the_prospects(self):
        plan = self.plan(
            revenue_target=27000,
            origin_line_ids=[
                Command.create({"origin_type": "seed", "share": 50, "win_rate": 40}),
                Command.create({"origin_type": "net", "share": 30, "win_rate": 20}),
                Command.create({"origin_type": "spear", "share": 20, "win_rate": 5}),
            ],
        )
        self.assertAlmostEqual(plan.win_rate, 27.0)
        whole = plan.year_period_ids
        self.assertEqual((whole.deals_needed, whole.leads_needed), (27, 100))
        self.assertEqual((whole.leads_seed, whole.leads_net, whole.leads_spear), (50, 30, 20))

    def test_stage_conversions_give_the_win_rate(self):
        stages = self.env["crm.stage"].create(
            [{"name": f"P{i}", "team_id": self.team.id} for i in range(3)]
        )
        plan = self.plan(
            stage_line_ids=[
                Command.create({"stage_id": stage.id, "conversion": conversion})
                for stage, conversion in zip(stages, (50, 40, 50))
            ]
        )
        self.assertAlmostEqual(plan.win_rate, 10.0)
        self.assertEqual(plan.leads_needed, 1200)
        with self.assertRaises(ValidationError) as refusal:
            plan.write(
                {"stage_line_ids": [Command.update(plan.stage_line_ids[0].id, {"conversion": 0})]}
            )
        self.assertIn("0 %", str(refusal.exception))

    def test_bad_input_is_refused(self):
        for values, message in (
            ({"win_rate": 0}, "win rate"),
            ({"win_rate": 101}, "win rate"),
            ({"revenue_target": 0}, "more than 0"),
            ({"average_deal_value": -5}, "more than 0"),
            ({"date_to": date(2026, 12, 31)}, "ends before it starts"),
            ({"date_to": date(2027, 12, 15)}, "whole months"),
        ):
            with self.subTest(values=values):
                self.refused(message, **values)
        self.refused(
            "all zero",
            season_ids=[
                Command.create({"month": str(month), "weight": 0}) for month in range(1, 13)
            ],
        )
        self.plan()
        self.refused(
            "overlaps", name="Second", date_from=date(2027, 6, 1), date_to=date(2028, 5, 31)
        )
        # another team, or a plan of one salesperson, may share the dates
        self.plan(name="Other team", team_id=self.other_team.id)
        self.plan(name="Pia's", user_id=self.rep.id)

    def test_actuals_from_leads_won_deals_and_posted_invoices(self):
        today = fields.Date.today()
        plan = self.plan(
            date_from=date(self.year, 1, 1), date_to=date(self.year, 12, 31), user_id=self.rep.id
        )
        Lead = self.env["crm.lead"]
        won_stage = self.env["crm.stage"].create(
            {"name": "P-Won", "is_won": True, "team_id": self.team.id}
        )
        deals = Lead.create(
            [
                {
                    "name": f"Actual {i}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "user_id": self.rep.id,
                    "company_id": self.company.id,
                }
                for i in range(3)
            ]
        )
        deals[0].write({"stage_id": won_stage.id})
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            amounts=[400.0],
            invoice_date=today,
            taxes=self.env["account.tax"],
        )
        invoice.opportunity_id = deals[0]
        invoice.action_post()
        plan.action_refresh_actuals()
        month = plan.month_period_ids.filtered(
            lambda period: period.date_from == today.replace(day=1)
        )
        self.assertEqual(
            (month.actual_new_leads, month.actual_deals_won, month.actual_revenue), (3, 1, 400.0)
        )
        self.assertEqual(month.attainment, 4.0, "400 of the month's 10,000")
        self.assertEqual(plan.year_period_ids.actual_revenue, 400.0)
        # changing an input keeps the actuals
        plan.revenue_target = 240000
        month = plan.month_period_ids.filtered(
            lambda period: period.date_from == today.replace(day=1)
        )
        self.assertEqual((month.actual_revenue, month.attainment), (400.0, 2.0))

    def test_fill_from_history_with_too_few_deals_keeps_the_typed_values(self):
        plan = self.plan(date_from=date(self.year, 1, 1), date_to=date(self.year, 12, 31))
        plan.action_fill_from_history()
        self.assertEqual(
            plan.history_note,
            "No deal closed in the last 12 months: nothing to learn from, the typed values stay.",
        )
        self.assertEqual((plan.average_deal_value, plan.win_rate), (1000.0, 20.0))
        self.env["crm.lead"].create(
            {
                "name": "Lost alone",
                "type": "opportunity",
                "team_id": self.team.id,
                "company_id": self.company.id,
            }
        ).action_set_lost()
        plan.action_fill_from_history()
        self.assertEqual(
            plan.history_note,
            "Only one deal closed in the last 12 months (0 won): too few to trust, the typed "
            "values stay.",
        )

    def test_fill_from_history_takes_the_teams_closed_deals(self):
        Stage = self.env["crm.stage"]
        first = Stage.create({"name": "H0", "team_id": self.team.id, "sequence": 980})
        second = Stage.create({"name": "H1", "team_id": self.team.id, "sequence": 981})
        Stage.create({"name": "HW", "team_id": self.team.id, "sequence": 982, "is_won": True})
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        Lead = self.env["crm.lead"]

        def deal(amount, reach):
            lead = Lead.create(
                {
                    "name": "History",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": first.id,
                    "expected_revenue": amount,
                    "company_id": self.company.id,
                }
            )
            if reach >= 1:
                lead.stage_id = second
            return lead

        # 4 won (1,000 + 2,000 + 3,000 + 2,000), 3 lost in H0, 3 lost in H1
        won = [deal(amount, 1) for amount in (1000, 2000, 3000, 2000)]
        for lead in won:
            lead.action_set_won()
        for lead in [deal(500, 0) for _i in range(3)] + [deal(500, 1) for _i in range(3)]:
            lead.action_set_lost()
        self.env.flush_all()
        # closed on the 15th of last month, 30 days after they were created
        closed_on = fields.Date.today().replace(day=1) - relativedelta(months=1, days=-14)
        self.env.cr.execute(
            """UPDATE crm_lead SET date_closed = %s, create_date = %s::timestamp - interval '30 days'
                WHERE team_id = %s""",
            [closed_on, closed_on, self.team.id],
        )
        Lead.invalidate_model()
        plan = self.plan(date_from=date(self.year + 1, 1, 1), date_to=date(self.year + 1, 12, 31))
        plan.action_fill_from_history()
        self.assertEqual(
            plan.history_note, "Filled from 10 deals closed in the last 12 months (4 won, 6 lost)."
        )
        self.assertEqual((plan.average_deal_value, plan.sales_cycle_days), (2000.0, 30))
        # 7 of the 10 moved on from H0, 4 of the 7 from H1: a 40 % win rate
        self.assertEqual(
            [(line.stage_id, line.conversion) for line in plan.stage_line_ids.sorted("sequence")],
            [(first, 70.0), (second, 57.14)],
        )
        self.assertAlmostEqual(plan.win_rate, 70.0 * 57.14 / 100, places=2)
        # all the won revenue came in one month: its weight is 12, the others 0
        weights = {season.month: season.weight for season in plan.season_ids}
        self.assertEqual(weights[str(closed_on.month)], 12.0)
        self.assertEqual(sum(weights.values()), 12.0)

    def test_reps_read_their_team_plans_only(self):
        mine = self.plan(name="Mine")
        other = self.plan(name="Theirs", team_id=self.other_team.id)
        visible = (
            self.env["crm.target.plan"]
            .with_user(self.rep)
            .search([("id", "in", (mine | other).ids)])
        )
        self.assertEqual(visible, mine)
        with self.assertRaises(AccessError):
            mine.with_user(self.rep).revenue_target = 1

    def test_plans_stay_in_their_company(self):
        elsewhere = self.env["res.company"].create({"name": "Plan Other Co"})
        plan = self.plan(name="Elsewhere", company_id=elsewhere.id, team_id=False)
        manager = new_test_user(
            self.env,
            login="sff_plan_manager",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.assertFalse(
            self.env["crm.target.plan"].with_user(manager).search([("id", "=", plan.id)])
        )
        self.assertFalse(
            self.env["crm.target.plan.period"]
            .with_user(manager)
            .search([("plan_id", "=", plan.id)])
        )

    def test_split_per_salesperson_adds_up_to_the_team_target(self):
        other = company_user(
            self.env, "sff_plan_other", "Olaf Rep", "sales_team.group_sale_salesman", self.company
        )
        third = company_user(
            self.env, "sff_plan_third", "Tess Rep", "sales_team.group_sale_salesman", self.company
        )
        self.team.member_ids = [Command.link(other.id), Command.link(third.id)]
        plan = self.plan(revenue_target=100000)
        split = self.env["crm.target.plan.split"].create({"plan_id": plan.id})
        self.assertEqual(split.line_ids.user_id, self.rep | other | third)
        split.action_split()
        targets = {child.user_id.name: child.revenue_target for child in plan.child_ids}
        # equal shares of 100,000: two of 33,333.33 and the rest
        self.assertEqual(targets, {"Pia Rep": 33333.33, "Olaf Rep": 33333.33, "Tess Rep": 33333.34})
        self.assertEqual(sum(targets.values()), 100000)
        # typed weights, split again: the earlier members' plans are replaced
        split = self.env["crm.target.plan.split"].create({"plan_id": plan.id})
        for line, weight in zip(split.line_ids.sorted(lambda line: line.user_id.name), (1, 2, 1)):
            line.weight = weight
        split.action_split()
        targets = {child.user_id.name: child.revenue_target for child in plan.child_ids}
        self.assertEqual(targets, {"Olaf Rep": 25000.0, "Pia Rep": 50000.0, "Tess Rep": 25000.0})
        # the quota report shows the members' monthly targets, not the team's again
        rows = self.env["crm.quota.report"].search(
            [("basis", "=", "target"), ("team_id", "=", self.team.id)]
        )
        self.assertEqual(round(sum(rows.mapped("target")), 2), 100000.0)
        self.assertEqual(len(rows), 36)

    def test_printed_plan_carries_the_figures(self):
        plan = self.plan(name="Printed plan")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "sales_funnel_forecast.action_report_target_plan", plan.ids
        )
        text = html.decode()
        self.assertIn("Printed plan", text)
        for figure in ("120,000.00", "600,000.00", "Q4 2027", "December 2027"):
            self.assertIn(figure, text)

    def test_reach_shares_follow_the_pipeline_order_of_tied_stages(self):
        """Stages that share a sequence are in the order of their names (the
        kanban's): the reach shares and the lines follow it, and follow a
        rename that changes it. A, C, B at 50 %, 40 %, 30 %."""
        a, c, b = self.env["crm.stage"].create(
            [
                {"name": "Plan A", "team_id": self.team.id, "sequence": 970},
                {"name": "Plan C", "team_id": self.team.id, "sequence": 971},
                {"name": "Plan B", "team_id": self.team.id, "sequence": 972},
            ]
        )
        plan = self.plan(
            stage_line_ids=[
                Command.create({"stage_id": stage.id, "conversion": conversion})
                for stage, conversion in zip((a, c, b), (50, 40, 30))
            ]
        )

        def shares():
            plan.invalidate_recordset()
            return [(line.stage_id.name, line.reach_share) for line in plan.stage_line_ids]

        self.assertEqual(shares(), [("Plan A", 1.0), ("Plan C", 0.5), ("Plan B", 0.2)])
        # B at C's sequence: B's name comes first
        b.sequence = 971
        self.assertEqual(shares(), [("Plan A", 1.0), ("Plan B", 0.5), ("Plan C", 0.15)])
        # B renamed after C
        b.name = "Plan D"
        self.assertEqual(shares(), [("Plan A", 1.0), ("Plan C", 0.5), ("Plan D", 0.2)])

    def test_weekly_targets_in_the_sales_process_report(self):
        stages = self.env["crm.stage"].create(
            [{"name": f"W{i}", "team_id": self.team.id, "sequence": 960 + i} for i in range(3)]
        )
        # 120,000 at 1,000 a deal, 20 % won: 600 prospects, 50 a month;
        # half of them reach the second stage, a fifth of those the third
        plan = self.plan(
            stage_line_ids=[
                Command.create({"stage_id": stage.id, "conversion": conversion})
                for stage, conversion in zip(stages, (50, 40, 100))
            ]
        )
        self.assertEqual(
            plan.stage_line_ids.sorted("sequence").mapped("reach_share"), [1.0, 0.5, 0.2]
        )
        self.assertEqual(plan.month_period_ids[0].leads_needed, 50)
        Report = self.env["crm.sales.process.report"]
        week = [
            ("kind", "=", "target"),
            ("team_id", "=", self.team.id),
            ("date", ">=", "2027-01-04"),
            ("date", "<", "2027-01-11"),
        ]
        [(new, reached)] = Report._read_group(
            week, [], ["target_new_count:sum", "target_reached_count:sum"]
        )
        # 7 of January's 31 days of 50 prospects
        self.assertAlmostEqual(new, 7 * 50 / 31)
        by_stage = dict(
            Report._read_group(
                week + [("stage_id", "!=", False)], ["stage_id"], ["target_reached_count:sum"]
            )
        )
        self.assertAlmostEqual(by_stage[stages[0]], 7 * 50 / 31)
        self.assertAlmostEqual(by_stage[stages[1]], 7 * 50 / 31 * 0.5)
        self.assertAlmostEqual(by_stage[stages[2]], 7 * 50 / 31 * 0.2)
        self.assertAlmostEqual(reached, 7 * 50 / 31 * 1.7)
        # a whole year of targets adds up to the plan's 600
        [(year,)] = Report._read_group(
            [("kind", "=", "target"), ("team_id", "=", self.team.id)], [], ["target_new_count:sum"]
        )
        self.assertAlmostEqual(year, 600)

    def test_conversion_pivot_shows_the_target_beside_the_measured_conversion(self):
        stages = self.env["crm.stage"].create(
            [{"name": f"C{i}", "team_id": self.team.id, "sequence": 970 + i} for i in range(3)]
        )
        self.plan(
            date_from=date(self.year, 1, 1),
            date_to=date(self.year, 12, 31),
            stage_line_ids=[
                Command.create({"stage_id": stage.id, "conversion": conversion})
                for stage, conversion in zip(stages, (60, 25, 100))
            ],
        )
        deals = self.env["crm.lead"].create(
            [
                {
                    "name": f"Conversion {i}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": stages[0].id,
                    "company_id": self.company.id,
                }
                for i in range(4)
            ]
        )
        deals[:3].write({"stage_id": stages[1].id})
        deals[0].write({"stage_id": stages[2].id})
        rows = self.env["crm.funnel.report"]._read_group(
            [("team_id", "=", self.team.id), ("stage_id", "in", stages.ids)],
            ["stage_id"],
            ["reached:sum", "conversion_rate:avg", "target_conversion_rate:avg"],
        )
        # 3 of 4 moved on from C0 (target 60 %), 1 of 3 from C1 (target 25 %)
        self.assertEqual(
            [
                (stage.name, reached, round(measured, 1), target)
                for stage, reached, measured, target in rows
            ],
            [("C0", 4, 75.0, 60.0), ("C1", 3, 33.3, 25.0), ("C2", 1, 0.0, 100.0)],
        )
        # another team without a plan has no target, until the company has
        # a plan of its own (without a team): the team's plan still wins
        other = self.env["crm.lead"].create(
            {
                "name": "Elsewhere",
                "type": "opportunity",
                "team_id": self.other_team.id,
                "company_id": self.company.id,
            }
        )
        Report = self.env["crm.funnel.report"]
        [(target,)] = Report._read_group(
            [("lead_id", "=", other.id)], [], ["target_conversion_rate:avg"]
        )
        self.assertFalse(target)
        self.plan(
            team_id=False,
            date_from=date(self.year, 1, 1),
            date_to=date(self.year, 12, 31),
            stage_line_ids=[
                Command.create({"stage_id": stage.id, "conversion": 10})
                for stage in other.stage_id | stages[0]
            ],
        )
        [(target,)] = Report._read_group(
            [("lead_id", "=", other.id), ("stage_id", "=", other.stage_id.id)],
            [],
            ["target_conversion_rate:avg"],
        )
        self.assertEqual(target, 10.0)
        [(target,)] = Report._read_group(
            [("lead_id", "=", deals[0].id), ("stage_id", "=", stages[0].id)],
            [],
            ["target_conversion_rate:avg"],
        )
        self.assertEqual(target, 60.0)
