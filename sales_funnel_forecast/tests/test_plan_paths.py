# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Target plans and quota attainment on their other paths: a plan archived,
changed after its split, duplicated, its lines written alone, months of no
weight; a rep refreshing own plan; a credit note of a moved invoice; a team
shared by companies; what a rep reads of other teams' targets."""

from datetime import date, datetime
from unittest.mock import patch

from odoo import Command, fields
from odoo.addons.sale.tests.common import TestSaleCommon
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..const import TZ_PARAM
from .common import company_user


@tagged("post_install", "-at_install")
class TestPlanPaths(TestSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.rep = company_user(
            cls.env, "paths_rep", "Pia Rep", "sales_team.group_sale_salesman", cls.company
        )
        cls.manager = company_user(
            cls.env, "paths_manager", "Mona Manager", "sales_team.group_sale_manager", cls.company
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Paths Team",
                "company_id": cls.company.id,
                "member_ids": [Command.link(cls.rep.id)],
            }
        )
        cls.year = fields.Date.today().year

    def plan(self, **values):
        return self.env["crm.target.plan"].create(
            dict(
                {
                    "name": "Plan",
                    "company_id": self.company.id,
                    "team_id": self.team.id,
                    "date_from": date(self.year + 1, 1, 1),
                    "date_to": date(self.year + 1, 12, 31),
                    "revenue_target": 120000,
                    "average_deal_value": 1000,
                    "win_rate": 20,
                    "sales_cycle_days": 0,
                },
                **values,
            )
        )

    def quota_targets(self, team):
        Report = self.env["crm.quota.report"]
        Report.invalidate_model()
        rows = Report.search([("basis", "=", "target"), ("team_id", "=", team.id)])
        return round(sum(rows.mapped("target")), 2)

    # ------------------------------------------------------------------
    def test_rep_refreshes_the_actuals_of_own_plan(self):
        """The form shows "Refresh Actuals" to everyone who reads the plan:
        a rep refreshes own plan (its won deal counted), not another's."""
        plan = self.plan(
            user_id=self.rep.id, date_from=date(self.year, 1, 1), date_to=date(self.year, 12, 31)
        )
        self.env.flush_all()
        self.assertTrue(plan.with_user(self.rep).action_refresh_actuals())
        self.assertTrue(plan.period_ids)
        other = self.plan(
            user_id=self.manager.id,
            date_from=date(self.year, 1, 1),
            date_to=date(self.year, 12, 31),
        )
        with self.assertRaises(AccessError):
            other.with_user(self.rep).action_refresh_actuals()

    def test_archived_team_plan_keeps_its_members_targets_in_the_quota_report(self):
        """A 120,000 team plan split to its one member, then archived and
        replaced by a new 120,000 team plan: the team's target is 120,000,
        the quota report says 240,000."""
        old = self.plan(name="Old")
        old._sff_split({self.rep: 1.0})
        self.assertEqual(self.quota_targets(self.team), 120000.0)
        old.active = False
        self.plan(name="New")
        self.assertEqual(self.quota_targets(self.team), 120000.0)

    def test_split_team_plan_target_change_reaches_the_quota_report(self):
        """A team plan split to its one member, then raised from 120,000 to
        240,000: the quota report still shows 120,000 of target."""
        plan = self.plan()
        plan._sff_split({self.rep: 1.0})
        plan.revenue_target = 240000
        self.assertEqual(self.quota_targets(self.team), plan.revenue_target)

    def split_in_three(self):
        """The team's 3,840,000 plan of next year (320,000 a month) split
        equally between Pia, Mona and Theo: 1,280,000 each, 106,666.666...
        a month."""
        theo = company_user(
            self.env, "paths_theo", "Theo Third", "sales_team.group_sale_salesman", self.company
        )
        plan = self.plan(revenue_target=3840000)
        members = plan._sff_split({self.rep: 1, self.manager: 1, theo: 1})
        return plan, members.sorted("id")

    def months(self, plan):
        periods = plan.period_ids.filtered(lambda p: p.period_type == "month" and p.in_plan)
        return [period.revenue_target for period in periods.sorted("date_from")]

    def test_split_members_months_add_up_to_the_teams_month(self):
        """Three members' plans of 1,280,000: each month of the team reads
        320,000.00 in the quota report, as the team plan says, where each
        member's month rounded alone (106,666.67, .66, .67, ...) gave
        320,000.01 in January; each member's months still add up to
        1,280,000.00, each within two cents of 106,666.666..."""
        plan, members = self.split_in_three()
        self.assertEqual(self.months(plan), [320000.0] * 12)
        Report = self.env["crm.quota.report"]
        Report.invalidate_model()
        cells = Report._read_group(
            [("basis", "=", "target"), ("team_id", "=", self.team.id)],
            ["date:month"],
            ["target:sum"],
        )
        self.assertEqual([round(total, 2) for _month, total in cells], [320000.0] * 12)
        for member in members:
            months = self.months(member)
            self.assertEqual(round(sum(months), 2), 1280000.0)
            self.assertTrue(all(abs(month - 3840000 / 36) < 0.02 for month in months), months)
        # the first member's months are rounded as a plan alone
        self.assertEqual(self.months(members[0])[:3], [106666.67, 106666.66, 106666.67])

    def test_split_member_archived_leaves_the_others_rounded_alone(self):
        """Pia's plan archived: Mona's months no longer lean on Pia's (they
        read as a plan of 1,280,000 alone: 106,666.67, .66, .67) and Mona's
        and Theo's add up to 213,333.33, .34, .33 a month; Pia's plan
        restored, the three again add up to the team's 320,000.00."""
        members = self.split_in_three()[1]
        pia, mona, theo = members
        self.assertEqual(self.months(mona)[:3], [106666.66, 106666.68, 106666.66])
        pia.active = False
        self.assertEqual(self.months(mona)[:3], [106666.67, 106666.66, 106666.67])
        self.assertEqual(
            [round(a + b, 2) for a, b in zip(self.months(mona), self.months(theo))][:3],
            [213333.33, 213333.34, 213333.33],
        )
        pia.active = True
        totals = [round(sum(months), 2) for months in zip(*map(self.months, members))]
        self.assertEqual(totals, [320000.0] * 12)
        pia.unlink()
        self.assertEqual(self.months(mona)[:3], [106666.67, 106666.66, 106666.67])

    def test_split_again_works_the_members_actuals_out_once(self):
        """The team plan split again between Pia, Mona and Theo with the
        same weights: each member's 17 lines (12 months, 4 quarters, the
        year; no sales cycle) get their actuals once, at the split's end:
        51 lines, where each member's old lines, thrown away at the end,
        were worked out first too (102)."""
        plan, members = self.split_in_three()
        Period = type(self.env["crm.target.plan.period"])
        with patch.object(
            Period, "_sff_refresh_actuals", autospec=True, side_effect=Period._sff_refresh_actuals
        ) as refresh:
            plan._sff_split(dict.fromkeys(members.user_id, 1))
        self.assertEqual(sum(len(call.args[0]) for call in refresh.call_args_list), 51)
        self.assertEqual(len(members.period_ids), 51)

    def test_file_of_members_plans_works_each_out_once(self):
        """Pia's, Mona's and Theo's plans imported back each 6,000 higher
        (1,286,000): the three plans' figures are worked out once each
        after the file (3), where each row worked its fellow members' out
        with its own (9); each member's months add up to 1,286,000.00, and
        the three to 321,500.00 a month."""
        members = self.split_in_three()[1]
        rows = members.export_data(["id", "revenue_target"])["datas"]
        rows = [[xml_id, str(float(target) + 6000)] for xml_id, target in rows]
        Plan = type(self.env["crm.target.plan"])
        with patch.object(
            Plan, "_sff_period_values", autospec=True, side_effect=Plan._sff_period_values
        ) as worked_out:
            result = (
                self.env["crm.target.plan"]
                .with_context(import_file=True)
                .load(["id", "revenue_target"], rows)
            )
        self.assertEqual(result["messages"], [])
        self.assertEqual(worked_out.call_count, 3)
        for member in members:
            self.assertEqual(round(sum(self.months(member)), 2), 1286000.0)
        totals = [round(sum(months), 2) for months in zip(*map(self.months, members))]
        self.assertEqual(totals, [321500.0] * 12)

    def test_split_member_archived_reads_as_a_plan_alone(self):
        """Mona's plan archived: her own months no longer lean on Pia's
        (106,666.66, .68, .66 with the team) but read as a plan of
        1,280,000 alone, 106,666.67, .66, .67, as an archived member is
        rounded (the reports leave her out); restored, with the team
        again."""
        mona = self.split_in_three()[1][1]
        mona.active = False
        self.assertEqual(self.months(mona)[:3], [106666.67, 106666.66, 106666.67])
        mona.active = True
        self.assertEqual(self.months(mona)[:3], [106666.66, 106666.68, 106666.66])

    def test_team_shared_by_companies_counts_its_unassigned_leads(self):
        """A team without a company (shared); a plan for it in this company.
        A new lead of the team nobody is assigned to yet has no company, as
        Odoo leaves it: the plan's month shows 0 new leads instead of 1 (the
        forecast screen of the same team counts such deals)."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        shared = self.env["crm.team"].create({"name": "Shared team", "company_id": False})
        plan = self.plan(
            team_id=shared.id, date_from=date(self.year, 1, 1), date_to=date(self.year, 12, 31)
        )
        lead = self.env["crm.lead"].create(
            {"name": "Web form lead", "type": "lead", "team_id": shared.id, "user_id": False}
        )
        self.assertFalse(lead.company_id)
        plan.action_refresh_actuals()
        self.assertEqual(sum(plan.month_period_ids.mapped("actual_new_leads")), 1)

    def test_deals_won_month_in_the_crm_time_zone(self):
        """The funnel totals' time zone is Europe/Brussels; a deal is won on
        1 February at 00:30 there (31 January 23:30 UTC): the Forecast
        screen, the forecast accuracy and the plan count it in February."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Europe/Brussels")
        plan = self.plan(date_from=date(self.year, 1, 1), date_to=date(self.year, 12, 31))
        won_stage = self.env["crm.stage"].create(
            {"name": "Paths-Won", "is_won": True, "team_id": self.team.id}
        )
        deal = self.env["crm.lead"].create(
            {
                "name": "Won at midnight",
                "type": "opportunity",
                "team_id": self.team.id,
                "user_id": self.rep.id,
                "company_id": self.company.id,
            }
        )
        deal.write({"stage_id": won_stage.id})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s",
            [datetime(self.year, 1, 31, 23, 30), deal.id],
        )
        deal.invalidate_recordset()
        # the forecast screen counts the deal won in February
        Submission = self.env["crm.forecast.submission"]
        _open, won_in_february = Submission._sff_period_deals(
            self.team, date(self.year, 2, 1), date(self.year, 3, 1)
        )
        self.assertIn(deal, self.env["crm.lead"].search(won_in_february))
        plan.action_refresh_actuals()
        months = {
            period.date_from.month: period.actual_deals_won for period in plan.month_period_ids
        }
        self.assertEqual((months[1], months[2]), (0, 1))

    def test_forecast_screen_quota_ignores_archived_plans(self):
        """Pia's 12,000 plan for next year is archived and replaced by a
        24,000 one: her January quota on the forecast screen is 2,000, not
        3,000."""
        old = self.plan(name="Old", user_id=self.rep.id, revenue_target=12000)
        old.active = False
        self.plan(name="New", user_id=self.rep.id, revenue_target=24000)
        quotas = self.env["crm.forecast.submission"]._sff_quotas(
            self.team, self.rep, "month", date(self.year + 1, 1, 1)
        )
        self.assertEqual(quotas.get(self.rep.id), 2000.0)

    def test_rep_reads_no_targets_of_another_teams_plan(self):
        """Pia cannot open the plan of a team she is not in (the plans'
        rules), but reads its 120,000 of monthly targets in the quota
        attainment report."""
        other_team = self.env["crm.team"].create(
            {"name": "Not Pia's", "company_id": self.company.id}
        )
        other = self.plan(name="Theirs", team_id=other_team.id)
        self.assertFalse(
            self.env["crm.target.plan"].with_user(self.rep).search([("id", "=", other.id)])
        )
        rows = (
            self.env["crm.quota.report"]
            .with_user(self.rep)
            .search([("basis", "=", "target"), ("team_id", "=", other_team.id)])
        )
        self.assertEqual(round(sum(rows.mapped("target")), 2), 0.0)

    def test_stage_conversion_written_on_its_line_recomputes_the_figures(self):
        """Three stages at 50 / 40 / 50 %: a 10 % win rate, 1,200 prospects
        for 120 deals. The first stage's conversion set to 100 % on its line
        (an import of the lines, an RPC write, an inline edit saved on the
        line): the win rate becomes 20 %, the prospects needed 600."""
        stages = self.env["crm.stage"].create(
            [
                {"name": f"Paths P{i}", "team_id": self.team.id, "sequence": 990 + i}
                for i in range(3)
            ]
        )
        plan = self.plan(
            stage_line_ids=[
                Command.create({"stage_id": stage.id, "conversion": conversion})
                for stage, conversion in zip(stages, (50, 40, 50))
            ]
        )
        self.assertEqual(plan.leads_needed, 1200)
        plan.stage_line_ids.sorted("sequence")[0].conversion = 100
        self.env.flush_all()
        plan.invalidate_recordset()
        self.assertAlmostEqual(plan.win_rate, 20.0)
        self.assertEqual(plan.leads_needed, 600)

    def test_season_weight_written_on_its_line_recomputes_the_figures(self):
        """130,000 over twelve months; December's weight set to 2 on its
        line: December's target is 20,000, not 10,000."""
        plan = self.plan(revenue_target=130000)
        plan.season_ids.filtered(lambda season: season.month == "12").weight = 2.0
        self.env.flush_all()
        plan.invalidate_recordset()
        december = plan.month_period_ids.filtered(lambda period: period.date_from.month == 12)
        self.assertEqual(december.revenue_target, 20000.0)

    def test_plan_over_months_of_zero_weight_is_refused_clearly(self):
        """A first-quarter plan whose January to March weights are 0 (the
        other months 1): no month of the plan carries the target. The user
        gets a ValidationError, not a ValueError traceback."""
        from odoo.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self.plan(
                date_from=date(self.year + 1, 1, 1),
                date_to=date(self.year + 1, 3, 31),
                season_ids=[
                    Command.create({"month": str(month), "weight": 0 if month <= 3 else 1})
                    for month in range(1, 13)
                ],
            )

    def test_cash_basis_counts_no_payment_for_an_invoice_cancelled_by_a_credit_note(self):
        """The company counts payments. An invoice of 1,000 EUR (no tax) on
        10 January at 2 EUR per company unit (500), fully cancelled on 10
        March by a credit note at 4 EUR per unit (250) reconciled with it.
        Nobody paid anything: the attainment is 0."""
        self.company.crm_quota_basis = "cash"
        jan, mar = date(self.year, 1, 10), date(self.year, 3, 10)
        eur = self.setup_other_currency("EUR", rates=[("1900-01-01", 2.0), (str(mar), 4.0)])
        deal = self.env["crm.lead"].create(
            {
                "name": "Cancelled in euros",
                "type": "opportunity",
                "team_id": self.team.id,
                "user_id": self.rep.id,
                "company_id": self.company.id,
            }
        )
        move = self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            amounts=[1000.0],
            invoice_date=jan,
            taxes=self.env["account.tax"],
            currency=eur,
        )
        move.opportunity_id = deal
        move.action_post()
        self.assertEqual(move.amount_untaxed_signed, 500.0)
        refund = move._reverse_moves([{"invoice_date": mar, "date": mar}], cancel=True)
        self.assertEqual(refund.amount_untaxed_signed, -250.0)
        self.assertEqual(move.payment_state, "reversed")
        Report = self.env["crm.quota.report"]
        Report.invalidate_model()
        rows = Report.search([("lead_id", "=", deal.id), ("basis", "=", "cash")])
        self.assertEqual(round(sum(rows.mapped("amount")), 2), 0.0)

    def test_credit_note_follows_the_deal_the_invoice_was_moved_to(self):
        """An invoice of deal A's order, 1,000, moved by the accountant to
        deal B (the order was on the wrong deal). A credit note of 400 on
        it: B's net is 600, A's 0; the credit note counts against A."""
        product = self.env["product.product"].create(
            {
                "name": "Paths day",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1000.0,
            }
        )
        Lead = self.env["crm.lead"]
        values = {
            "type": "opportunity",
            "team_id": self.team.id,
            "user_id": self.rep.id,
            "company_id": self.company.id,
        }
        deal_a = Lead.create(dict(values, name="A"))
        deal_b = Lead.create(dict(values, name="B"))
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "opportunity_id": deal_a.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "price_unit": 1000.0,
                            "tax_id": False,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        move = order._create_invoices()
        move.invoice_date = fields.Date.today()
        move.action_post()
        self.assertEqual(move.opportunity_id, deal_a)
        move.opportunity_id = deal_b
        refund = move._reverse_moves([{"invoice_date": fields.Date.today()}])
        refund.invoice_line_ids[0].price_unit = 400.0
        refund.action_post()
        self.env.flush_all()
        (deal_a | deal_b).invalidate_recordset()
        self.assertEqual((deal_a.invoiced_amount, deal_b.invoiced_amount), (0.0, 600.0))
        self.assertEqual(refund.opportunity_id, deal_b)

    def test_duplicate_a_plan(self):
        """ "Duplicate" on a plan's form makes the next one: the same length,
        right after it (on the same dates it would overlap its original)."""
        plan = self.plan(name="This year")
        copy = plan.copy()
        self.assertEqual(copy.revenue_target, plan.revenue_target)
        self.assertEqual(
            (copy.name, copy.date_from, copy.date_to),
            ("This year (copy)", date(self.year + 2, 1, 1), date(self.year + 2, 12, 31)),
        )
        quarter = self.plan(
            name="Q1", date_from=date(self.year + 3, 1, 1), date_to=date(self.year + 3, 3, 31)
        )
        second = quarter.copy()
        self.assertEqual(
            (second.date_from, second.date_to),
            (date(self.year + 3, 4, 1), date(self.year + 3, 6, 30)),
        )
