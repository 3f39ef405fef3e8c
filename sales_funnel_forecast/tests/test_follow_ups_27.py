# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Follow-ups of 18.0.1.26.0: refusals that name records name five and
count the others; the shipped catalogues' names count their steps as their
Steps Count column does."""

import re
from datetime import date

from lxml import etree
from psycopg2.extras import Json

from odoo import Command
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
from odoo.tests import tagged

from ..install import rebuild
from .common import FunnelCase, apply_catalogue, cash_rounding_down, make_plan


@tagged("post_install", "-at_install")
class TestRefusalsNameFiveAndCountTheRest(FunnelCase):
    """A refusal names at most five records, then says how many others
    there are, as losing eight deals without a reason does ("Deal 1, ...,
    Deal 5 and 3 more"): the others were left out without a word."""

    def refusal(self, act):
        with self.assertRaises(UserError) as caught:
            act()
        return str(caught.exception)

    def stall_stages(self, count, reason):
        """``count`` stages of the team, "Stall 1", "Stall 2"... in that
        order, closing their deals stalled 5 days as lost for ``reason``."""
        return self.env["crm.stage"].create(
            [
                {
                    "name": f"Stall {n}",
                    "sequence": 910 + n,
                    "team_id": self.team.id,
                    "stall_days": 5,
                    "stall_action": "lose",
                    "stall_lost_reason_id": reason.id,
                }
                for n in range(1, count + 1)
            ]
        )

    def test_lost_reason_of_seven_stall_rules_names_five_and_counts_two(self):
        silent = self.env["crm.lost.reason"].create({"name": "Went silent"})
        self.stall_stages(7, silent)
        self.assertEqual(
            self.refusal(silent.unlink),
            "Lost reason “Went silent” closes the stalled deals of stages (Stall 1, Stall 2, "
            "Stall 3, Stall 4, Stall 5 and 2 more): choose another reason in their stall "
            "rules first, or archive the reason.",
        )
        self.assertTrue(silent.exists())

    def test_lost_reason_of_six_stall_rules_counts_one_more(self):
        silent = self.env["crm.lost.reason"].create({"name": "Went silent"})
        self.stall_stages(6, silent)
        self.assertIn(
            "(Stall 1, Stall 2, Stall 3, Stall 4, Stall 5 and one more)",
            self.refusal(silent.unlink),
        )

    def test_five_stall_rules_are_all_named(self):
        silent = self.env["crm.lost.reason"].create({"name": "Went silent"})
        self.stall_stages(5, silent)
        self.assertIn("(Stall 1, Stall 2, Stall 3, Stall 4, Stall 5):", self.refusal(silent.unlink))

    def test_earlier_catalogue_with_seven_stages_holding_deals(self):
        """A team worked with a 7-step process (six steps, then won): a
        deal open in each of its six steps, one won. It then took the
        4-step catalogue; deleting the 7-step one is refused naming five of
        its seven stages and counting the two others."""
        catalogue = self.env["crm.stage.catalogue"].create(
            {
                "name": "Seven steps",
                "line_ids": [
                    Command.create(
                        {
                            "name": f"Step {n}",
                            "sequence": 10 * n,
                            "forecast_probability": 100 if n == 7 else 10 * n,
                            "is_won": n == 7,
                        }
                    )
                    for n in range(1, 8)
                ],
            }
        )
        team = self.env["crm.team"].create({"name": "Seven"})
        wizard = self.env["crm.stage.catalogue.apply"].create(
            {"catalogue_id": catalogue.id, "team_id": team.id}
        )
        stages = self.env["crm.stage"].search(wizard.action_apply()["domain"])
        self.assertEqual(stages.mapped("name"), [f"Step {n}" for n in range(1, 8)])
        for stage in stages[:6]:
            self.make_deal(f"Open in {stage.name}", stage, 100, team_id=team.id)
        self.make_deal("Won", stages[0], 100, team_id=team.id).action_set_won()
        apply_catalogue(self.env, team)
        message = self.refusal(catalogue.unlink)
        self.assertIn(
            "(Step 1, Step 2, Step 3, Step 4, Step 5 and 2 more): without their steps", message
        )
        self.assertTrue(catalogue.exists())

    def planned_teams(self, count):
        """``count`` teams, each with its plan for 2027: "Plan 1"..."""
        teams = self.env["crm.team"].create([{"name": f"Team {n}"} for n in range(1, count + 1)])
        for n, team in enumerate(teams, start=1):
            make_plan(self.env, team, name=f"Plan {n}")
        return teams

    def test_seven_teams_with_plans_name_five_plans_and_count_two(self):
        teams = self.planned_teams(7)
        self.assertEqual(
            self.refusal(teams.with_user(self.manager).unlink),
            "These teams have target plans (Plan 1, Plan 2, Plan 3, Plan 4, Plan 5 and 2 "
            "more): delete the plans first, or archive the teams.",
        )
        self.assertEqual(len(teams.exists()), 7)

    def test_six_teams_with_plans_count_one_more(self):
        teams = self.planned_teams(6)
        self.assertIn(
            "(Plan 1, Plan 2, Plan 3, Plan 4, Plan 5 and one more):",
            self.refusal(teams.with_user(self.manager).unlink),
        )


@tagged("post_install", "-at_install")
class TestShippedCatalogueNames(FunnelCase):
    """A catalogue's name says how many steps it has, the won one counted,
    as the Steps Count column and the stages it gives a team count them:
    "Simple sales (4 steps)" said 4 beside a count of 5 (Prospecting,
    Qualification, Proposal, Closing, Won), "Project sales (17 steps)" 17,
    Payment, its won step, among them."""

    def test_each_shipped_catalogue_names_its_step_count(self):
        catalogues = self.env["crm.stage.catalogue"].browse(
            self.env["ir.model.data"]
            .search(
                [("module", "=", "sales_funnel_forecast"), ("model", "=", "crm.stage.catalogue")]
            )
            .mapped("res_id")
        )
        self.assertEqual(
            {catalogue.name: catalogue.step_count for catalogue in catalogues},
            {
                "Project sales (17 steps)": 17,
                "Simple sales (5 steps)": 5,
                "Active sales (9 steps)": 9,
            },
        )
        for catalogue in catalogues:
            with self.subTest(catalogue=catalogue.name):
                team = self.env["crm.team"].create({"name": catalogue.name})
                wizard = self.env["crm.stage.catalogue.apply"].create(
                    {"catalogue_id": catalogue.id, "team_id": team.id}
                )
                stages = self.env["crm.stage"].search(wizard.action_apply()["domain"])
                steps = int(re.search(r"\((\d+) steps\)", catalogue.name).group(1))
                self.assertEqual(len(stages), steps)
                self.assertEqual(len(stages.filtered("is_won")), 1)

    def test_upgrade_renames_the_simple_catalogue_still_as_shipped(self):
        """A database of 18.0.1.26.0 has "Simple sales (4 steps)", its
        French name as fr.po shipped it and a German one a user typed: the
        upgrade gives the English name "Simple sales (5 steps)", drops the
        French one for the new fr.po to give (loaded after the scripts) and
        keeps the German one. A catalogue the user renamed keeps its name."""
        simple = self.env.ref("sales_funnel_forecast.catalogue_simple")
        project = self.env.ref("sales_funnel_forecast.catalogue_project_sales")
        self.env.flush_all()

        def set_names(catalogue, names):
            self.env.cr.execute(
                "UPDATE crm_stage_catalogue SET name = %s::jsonb WHERE id = %s",
                [Json(names), catalogue.id],
            )

        set_names(
            simple,
            {
                "en_US": "Simple sales (4 steps)",
                "fr_FR": "Vente simple (4 phases)",
                "de_DE": "Unser einfacher Verkauf",
            },
        )
        set_names(project, {"en_US": "Our projects"})
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.27.0/post-migrate.py",
            "sff_post_migrate_18_0_1_27_0",
        )
        migration.migrate(self.env.cr, "18.0.1.26.0")
        self.env.cr.execute(
            "SELECT id, name FROM crm_stage_catalogue WHERE id IN %s", [(simple.id, project.id)]
        )
        self.assertEqual(
            dict(self.env.cr.fetchall()),
            {
                simple.id: {"en_US": "Simple sales (5 steps)", "de_DE": "Unser einfacher Verkauf"},
                project.id: {"en_US": "Our projects"},
            },
        )
        # a renamed simple catalogue keeps its names
        set_names(simple, {"en_US": "Quick deals", "fr_FR": "Vente simple (4 phases)"})
        migration.migrate(self.env.cr, "18.0.1.26.0")
        self.env.cr.execute("SELECT name FROM crm_stage_catalogue WHERE id = %s", [simple.id])
        self.assertEqual(
            self.env.cr.fetchone()[0], {"en_US": "Quick deals", "fr_FR": "Vente simple (4 phases)"}
        )


@tagged("post_install", "-at_install")
class TestCashRoundingAsInvoicingAnalysis(FunnelCase):
    """An invoice of 100.03 untaxed (no tax) rounded to 0.05 down: Odoo adds
    a rounding line of -0.03, the customer pays 100.00. Odoo's Invoicing
    Analysis counts the product line, 100.03; Quota Attainment counted the
    invoice's untaxed amount, 100.00, the rounding line in it. The module
    now counts 100.03 too: attainment (invoiced or paid), the deal's
    invoiced and paid amounts, its funnel rows, the plan's actuals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rounding = cash_rounding_down(cls.env, cls.company)
        cls.customer = cls.env["res.partner"].create({"name": "Rounded Ltd"})

    def post_rounded(self, deal, amount, day, move_type="out_invoice"):
        return self.post_invoice(
            deal,
            amount,
            self.company,
            day,
            move_type,
            partner_id=self.customer.id,
            invoice_cash_rounding_id=self.rounding.id,
        )

    def rounded_invoice(self, deal, day):
        move = self.post_rounded(deal, 100.03, day)
        self.assertEqual(
            sorted(move.line_ids.mapped(lambda line: (line.display_type, line.balance))),
            [("payment_term", 100.0), ("product", -100.03), ("rounding", 0.03)],
        )
        self.assertEqual((move.amount_untaxed_signed, move.amount_total), (100.0, 100.0))
        return move

    def pay(self, move, day):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"amount": 100.0, "payment_date": day})._create_payments()

    def figures(self, deal, move):
        """Invoicing Analysis, attainment, the deal's invoiced and paid
        amounts and its funnel rows' invoiced amounts."""
        self.env.flush_all()
        analysis = self.env["account.invoice.report"]._read_group(
            [("move_id", "=", move.id)], [], ["price_subtotal:sum"]
        )[0][0]
        quota = self.env["crm.quota.report"].search([("move_id", "=", move.id)])
        rows = self.env["crm.funnel.report"].search([("lead_id", "=", deal.id)])
        return (
            round(analysis, 2),
            quota.mapped("amount"),
            deal.invoiced_amount,
            deal.paid_amount,
            set(rows.mapped("invoiced_amount")),
        )

    def plan_2026(self):
        return make_plan(
            self.env,
            self.team,
            name="Rounded 2026",
            date_from=date(2026, 1, 1),
            date_to=date(2026, 12, 31),
        )

    def test_invoiced_and_paid_count_the_product_line(self):
        plan = self.plan_2026()
        deal = self.make_deal("Rounded", self.s_new, 100)
        move = self.rounded_invoice(deal, date(2026, 3, 10))
        self.assertEqual(self.figures(deal, move), (100.03, [100.03], 100.03, 0.0, {100.03}))
        plan.action_refresh_actuals()
        march = plan.period_ids.filtered(
            lambda period: period.period_type == "month" and period.date_from.month == 3
        )
        self.assertEqual(march.actual_revenue, 100.03)
        self.pay(move, date(2026, 4, 2))
        self.assertEqual(self.figures(deal, move)[3], 100.03)
        # a company counting payments: the 100.00 paid settles the whole
        # invoice, 100.03 untaxed, in April
        self.company.crm_quota_basis = "cash"
        self.env.flush_all()
        quota = self.env["crm.quota.report"].search([("move_id", "=", move.id)])
        self.assertEqual([(row.date, row.amount) for row in quota], [(date(2026, 4, 2), 100.03)])

    def test_list_totals_the_buttons_figure(self):
        """The deal's Invoiced button counts the product lines, 100.03 -
        20.04 = 79.99; the list it opens totalled the documents' untaxed
        amounts, 100.00 - 20.00 (the rounding lines in them): the button
        and its list disagreed."""
        deal = self.make_deal("Rounded", self.s_new, 100)
        # 100.03 invoiced (100.00 owed), 20.04 credited (20.00 given back)
        invoice = self.post_rounded(deal, 100.03, date(2026, 3, 10))
        credit = self.post_rounded(deal, 20.04, date(2026, 3, 20), "out_refund")
        self.assertEqual(
            (invoice.amount_untaxed_signed, credit.amount_untaxed_signed), (100.0, -20.0)
        )
        self.assertEqual(deal.invoiced_amount, 79.99)
        action = deal.action_view_invoices()
        (list_view_id,) = [view_id for view_id, view_type in action["views"] if view_type == "list"]
        Move = self.env["account.move"]
        arch = etree.fromstring(Move.get_view(list_view_id, "list")["arch"])
        (column,) = arch.xpath("//field[@sum='Invoiced']")
        listed = Move.search(action["domain"])
        self.assertEqual(listed, invoice | credit)
        # each line's figure, and their total: the button's
        self.assertEqual(
            [(move, move[column.get("name")]) for move in listed.sorted("invoice_date")],
            [(invoice, 100.03), (credit, -20.04)],
        )
        self.assertEqual(round(sum(listed.mapped(column.get("name"))), 2), 79.99)
        # the deal's salesperson, limited to own documents, reads them too
        self.assertEqual(deal.user_id, self.rep)
        mine = Move.with_user(self.rep).search(action["domain"])
        self.assertEqual(mine.mapped(column.get("name")), listed.mapped(column.get("name")))

    def test_credit_note_takes_the_product_line_back(self):
        deal = self.make_deal("Rounded back", self.s_new, 100)
        move = self.rounded_invoice(deal, date(2026, 3, 10))
        refund = move._reverse_moves([{"invoice_date": date(2026, 3, 20)}])
        refund.action_post()
        self.env.flush_all()
        self.assertEqual(
            sorted(
                self.env["crm.quota.report"].search([("lead_id", "=", deal.id)]).mapped("amount")
            ),
            [-100.03, 100.03],
        )
        self.assertEqual(deal.invoiced_amount, 0.0)

    def test_upgrade_works_the_stored_figures_out_again(self):
        """A database of 18.0.1.26.0 stored 100.00 on the deal, its funnel
        rows and the plan's March: the 18.0.1.27.0 upgrade asks for the
        deals' invoice amounts and the plans' actuals again, which give
        100.03."""
        plan = self.plan_2026()
        deal = self.make_deal("Rounded before", self.s_new, 100)
        move = self.rounded_invoice(deal, date(2026, 3, 10))
        plan.action_refresh_actuals()
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET invoiced_amount = 100.0 WHERE id = %s", [deal.id])
        self.env.cr.execute(
            "UPDATE crm_lead_stage_reach SET invoiced_amount = 100.0 WHERE lead_id = %s",
            [deal.id],
        )
        self.env.cr.execute(
            "UPDATE crm_target_plan_period SET actual_revenue = 100.0 WHERE plan_id = %s"
            " AND actual_revenue <> 0",
            [plan.id],
        )
        self.env.invalidate_all()
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.27.0/post-migrate.py",
            "sff_post_migrate_18_0_1_27_0",
        )
        migration.migrate(self.env.cr, "18.0.1.26.0")
        rebuild.run_requested(self.env)
        self.env.invalidate_all()
        self.assertEqual(self.figures(deal, move)[2:], (100.03, 0.0, {100.03}))
        self.assertEqual(
            set(plan.period_ids.mapped("actual_revenue")), {0.0, 100.03}, "March, Q1, the year"
        )
