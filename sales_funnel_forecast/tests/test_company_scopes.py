# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Figures across companies: company A (USD) and company B (EUR, 2 EUR for
1 USD), a team and stages in each, a manager of both, a manager and a
salesperson of each, and a member of team A whose main company became B.
Each report counts a company's figures in that company, in its currency,
whichever other companies the reader has selected."""

from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestCompanyScopes(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.co_a = cls.env.company
        cls.usd = cls.co_a.currency_id
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.co_b = cls.env["res.company"].create(
            {"name": "Euro B", "currency_id": cls.eur.id, "country_id": cls.env.ref("base.be").id}
        )
        # company B invoices too (the chart puts its own currency: EUR back)
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.co_b, install_demo=False
        )
        cls.co_b.currency_id = cls.eur
        for company in (cls.co_a, cls.co_b):
            cls.env["res.currency.rate"].create(
                {
                    "currency_id": cls.eur.id,
                    "name": "2020-01-01",
                    "rate": 2.0,
                    "company_id": company.id,
                }
            )
        cls.team_a = cls.env["crm.team"].create({"name": "Team A", "company_id": cls.co_a.id})
        cls.team_b = cls.env["crm.team"].create({"name": "Team B", "company_id": cls.co_b.id})
        Stage = cls.env["crm.stage"]

        def stages(team, tag):
            return [
                Stage.create(
                    {
                        "name": f"{tag}-{name}",
                        "sequence": 800 + index,
                        "forecast_probability": percent,
                        "team_id": team.id,
                    }
                )
                for index, (name, percent) in enumerate([("new", 10), ("prop", 60)])
            ]

        cls.sa = stages(cls.team_a, "A")
        cls.sb = stages(cls.team_b, "B")
        cls.mgr = company_user(
            cls.env,
            "rv_mgr_ab",
            "Manager AB",
            "sales_team.group_sale_manager,base.group_multi_company",
            cls.co_a | cls.co_b,
        )
        cls.mgr_a = company_user(
            cls.env, "rv_mgr_a", "Manager A", "sales_team.group_sale_manager", cls.co_a
        )
        cls.mgr_b = company_user(
            cls.env, "rv_mgr_b", "Manager B", "sales_team.group_sale_manager", cls.co_b
        )
        cls.rep_a = company_user(
            cls.env, "rv_rep_a", "Rep A", "sales_team.group_sale_salesman", cls.co_a
        )
        cls.rep_b = company_user(
            cls.env, "rv_rep_b", "Rep B", "sales_team.group_sale_salesman", cls.co_b
        )
        cls.rep_ba = company_user(
            cls.env,
            "rv_rep_ba",
            "Rep BA",
            "sales_team.group_sale_salesman,base.group_multi_company",
            cls.co_a | cls.co_b,
        )
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.team_a.id, "user_id": cls.rep_a.id},
                {"crm_team_id": cls.team_a.id, "user_id": cls.rep_ba.id},
                {"crm_team_id": cls.team_b.id, "user_id": cls.rep_b.id},
            ]
        )
        # a member of team A whose main company is now B (Odoo checks the
        # membership's company when it is made only)
        cls.rep_ba.company_id = cls.co_b

    def as_user(self, user, companies):
        """The environment of ``user`` with ``companies`` selected in the
        company switcher, the first one current."""
        return self.env(
            user=user, context=dict(self.env.context, allowed_company_ids=companies.ids)
        )

    def deal(self, name, team, stage, amount, user, company, **values):
        return (
            self.env["crm.lead"]
            .with_company(company)
            .create(
                dict(
                    {
                        "name": name,
                        "type": "opportunity",
                        "team_id": team.id,
                        "stage_id": stage.id,
                        "expected_revenue": amount,
                        "user_id": user.id,
                        "company_id": company.id,
                    },
                    **values,
                )
            )
        )

    def invoice(self, deal, amount, company):
        return self.post_invoice(deal, amount, company)

    # ------------------------------------------------------------------
    def test_deal_without_company_invoiced_in_one_currency(self):
        """A deal of a shared team that nobody took has no company: company
        A invoices it 1,000 USD; company B's invoice of 1,000 EUR is refused
        (its invoiced amount would add dollars and euros), and the deal
        reads 1,000. An invoice of another company in USD may bill it."""
        shared = self.env["crm.team"].create({"name": "Shared"})
        deal = self.env["crm.lead"].create(
            {
                "name": "Nobody's",
                "type": "opportunity",
                "team_id": shared.id,
                "expected_revenue": 1000,
                "user_id": False,
            }
        )
        self.assertFalse(deal.company_id)
        self.invoice(deal, 1000.0, self.co_a)
        with self.assertRaisesRegex(ValidationError, "in USD: .* in EUR, cannot bill it too"):
            with self.env.cr.savepoint():
                self.invoice(deal, 1000.0, self.co_b)
        co_c = self.env["res.company"].create({"name": "Dollar C", "currency_id": self.usd.id})
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=co_c, install_demo=False
        )
        co_c.currency_id = self.usd
        self.invoice(deal, 500.0, co_c)
        self.end_request()
        self.assertEqual(deal.invoiced_amount, 1500.0)

    def test_deal_flow_of_a_company_does_not_depend_on_other_companies_selected(self):
        """A deal of team A (company A) expected this month, created before
        the month, is handed to team B (company B) after its first day. The
        Forecast screen of team B for the month (company B's figures, in
        EUR) shows it new in company B's pipeline, whether company A is
        selected too or not (its 1,000 USD are not company B's pipeline at
        the start)."""
        start = fields.Date.today().replace(day=1)
        self.set_now(datetime.combine(start, datetime.min.time()) - timedelta(days=15))
        deal = self.deal(
            "Handed over",
            self.team_a,
            self.sa[1],
            1000,
            self.rep_a,
            self.co_a,
            date_deadline=start + timedelta(days=19),
        )
        self.end_request()
        self.set_now(datetime.combine(start, datetime.min.time()) + timedelta(hours=30))
        deal.write({"team_id": self.team_b.id, "user_id": self.rep_b.id, "stage_id": self.sb[1].id})
        self.end_request()
        self.set_now(datetime.now())
        flows = {}
        for companies in (self.co_b, self.co_b | self.co_a, self.co_a | self.co_b):
            Submission = self.as_user(self.mgr, companies)["crm.forecast.submission"]
            screen = Submission.get_forecast_screen(
                {"team_id": self.team_b.id, "period_type": "month", "date_from": str(start)}
            )
            self.assertEqual(screen["currency_id"], self.eur.id)
            flows[companies.ids[0], len(companies)] = {
                step["step"]: (step["count"], step["amount"])
                for step in screen["flow"]
                if step["count"]
            }
        expected = {"new": (1, 1000.0), "end": (1, 1000.0)}
        self.assertEqual(
            flows,
            {key: expected for key in flows},
            "team B's waterfall, company B alone, B then A, A then B selected",
        )
        # the Deal Flow wizard of company A for the month: the deal was in
        # its pipeline at the start and left it, pushed out of company A,
        # even once company B won it
        env = self.as_user(self.mgr, self.co_a | self.co_b)
        end = (start + timedelta(days=32)).replace(day=1)

        def flow_of_a():
            # the deal's rows of the report the wizard opens
            wizard = env["crm.deal.flow.wizard"].create(
                {"date_from": start, "date_to": end, "company_id": self.co_a.id}
            )
            wizard.action_open_report()
            rows = env["crm.deal.flow.report"].search(
                [("wizard_id", "=", wizard.id), ("lead_id", "=", deal.id)]
            )
            return {row.step.split("_", 1)[1]: (row.deal_count, row.amount) for row in rows}

        pushed_out = {"start": (1, 1000.0), "pushed_out": (1, 1000.0)}
        self.assertEqual(flow_of_a(), pushed_out)
        deal.with_company(self.co_b).action_set_won()
        self.end_request()
        self.assertEqual(flow_of_a(), pushed_out)
        with self.assertRaisesRegex(UserError, "companies are given by their ids"):
            env["crm.lead"].sff_deal_flow(start, end, None, ["Euro B"])

    def test_adoption_of_team_a_stays_in_company_a(self):
        """The adoption report of team A, read by company A's manager: Rep
        BA (member of team A, main company B) logged in, and Rep A moved a
        deal of team A that was later handed to company B. Both count in
        team A's company: a login of a team member in the team's company,
        a stage move in the company of the team it was made in, as the
        calls stay in the company of their deal at the call."""
        self.env["res.users"].with_user(self.rep_ba)._update_last_login()
        self.set_now(datetime.now() - timedelta(days=5))
        deal = self.deal("Moved by Rep A", self.team_a, self.sa[0], 1000, self.rep_a, self.co_a)
        self.end_request()
        self.set_now(datetime.now() - timedelta(days=4))
        deal.with_user(self.rep_a).with_context(
            allowed_company_ids=[self.co_a.id]
        ).stage_id = self.sa[1]
        self.end_request()
        self.set_now(datetime.now() - timedelta(days=1))
        deal.write({"team_id": self.team_b.id, "user_id": self.rep_b.id, "stage_id": self.sb[1].id})
        self.end_request()
        self.set_now(datetime.now())

        def figures(user, company, team):
            groups = self.as_user(user, company)["crm.adoption.report"].read_group(
                [("team_id", "=", team.id)],
                ["login_count:sum", "move_count:sum"],
                ["user_id"],
            )
            return {
                group["user_id"][0]: (group["login_count"], group["move_count"]) for group in groups
            }

        self.assertEqual(
            figures(self.mgr_a, self.co_a, self.team_a),
            {self.rep_ba.id: (1, 0), self.rep_a.id: (0, 1)},
            "Rep BA's login and Rep A's stage move in team A, for company A's manager",
        )
        self.assertEqual(figures(self.mgr_b, self.co_b, self.team_a), {})

    def test_quotations_stay_in_the_company_that_sent_them(self):
        """Company A sends a 1,000 USD quotation for a deal of team A; the
        deal (not invoiced) is then handed to team B of company B. In the
        Sales Process report the quotation stays company A's, in USD:
        company B's manager does not read it as euros of company B."""
        deal = self.deal("Quoted", self.team_a, self.sa[1], 1000, self.rep_a, self.co_a)
        product = self.env["product.product"].create({"name": "Thing", "list_price": 1000})
        order = (
            self.env["sale.order"]
            .with_company(self.co_a)
            .create(
                {
                    "partner_id": self.env["res.partner"].create({"name": "Customer"}).id,
                    "opportunity_id": deal.id,
                    "company_id": self.co_a.id,
                    # as the deal's New Quotation button gives them
                    "user_id": self.rep_a.id,
                    "team_id": self.team_a.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "price_unit": 1000,
                                "tax_id": [],
                            }
                        )
                    ],
                }
            )
        )
        order.action_quotation_sent()
        self.end_request()
        deal.write({"team_id": self.team_b.id, "user_id": self.rep_b.id, "stage_id": self.sb[1].id})
        self.end_request()

        def quoted(user, company):
            [(count, amount)] = self.as_user(user, company)["crm.sales.process.report"]._read_group(
                [("kind", "=", "quotation"), ("lead_id", "=", deal.id)],
                [],
                ["quotation_count:sum", "quotation_amount:sum"],
            )
            return count or 0, amount or 0.0

        self.assertEqual(quoted(self.mgr_a, self.co_a), (1, 1000.0), "company A's quotation")
        self.assertEqual(quoted(self.mgr_b, self.co_b), (0, 0.0), "read as euros by company B")
        # sent by Rep A of team A: counted for them, not for the deal's
        # salesperson and team of today
        row = self.env["crm.sales.process.report"].search(
            [("kind", "=", "quotation"), ("lead_id", "=", deal.id)]
        )
        self.assertEqual((row.user_id, row.team_id), (self.rep_a, self.team_a))

    def test_dashboard_of_a_team_of_another_currency_company(self):
        """The manager of both companies, company A current and B selected
        too, picks team B on the dashboard: its funnel is team B's company's,
        in EUR, as the Forecast screen of the same team and selection; the
        deals behind its stage and its PDF are the same company's."""
        self.deal(
            "B deal",
            self.team_b,
            self.sb[1],
            3000,
            self.rep_b,
            self.co_b,
            date_deadline=fields.Date.today(),
        )
        self.end_request()
        env = self.as_user(self.mgr, self.co_a | self.co_b)
        screen = env["crm.forecast.submission"].get_forecast_screen(
            {"team_id": self.team_b.id, "period_type": "month"}
        )
        self.assertEqual(
            (screen["currency_id"], screen["team_line"]["pipeline"]), (self.eur.id, 3000.0)
        )
        data = env["crm.funnel.dashboard"].get_funnel_dashboard(
            {"team_id": self.team_b.id, "period": "all"}
        )
        reached = {
            row["stage_id"]: row["reached_amount"]
            for funnel in data["funnels"]
            for row in funnel["stages"]
        }
        self.assertEqual(
            (data["currency_id"], reached.get(self.sb[1].id), data["companies_note"]),
            (self.eur.id, 3000.0, "Euro B only: the selected companies in EUR"),
        )
        action = env["crm.funnel.dashboard"].get_stage_deals_action(
            {"team_id": self.team_b.id, "period": "all"}, self.sb[1].id
        )
        self.assertEqual(self.env["crm.lead"].search(action["domain"]).mapped("name"), ["B deal"])
        values = env["crm.funnel.dashboard"]._sff_pdf_values(
            {"team_id": self.team_b.id, "period": "all"}
        )
        self.assertEqual(values["currency"], self.eur)
        # a team of the current company keeps it
        data = env["crm.funnel.dashboard"].get_funnel_dashboard(
            {"team_id": self.team_a.id, "period": "all"}
        )
        self.assertEqual(data["currency_id"], self.usd.id)

    def test_shared_team_screen_does_not_mark_other_company_members_late(self):
        """A team of no company with Rep A (company A) and Rep B (company B
        only). Company A's manager, company A alone, opens its Forecast
        screen: Rep A's line only (marked late: no forecast yet); Rep B,
        who cannot submit a forecast of company A, is not listed (nor
        marked late for good)."""
        shared = self.env["crm.team"].create({"name": "Shared"})
        self.env["crm.team.member"].create(
            [{"crm_team_id": shared.id, "user_id": user.id} for user in (self.rep_a, self.rep_b)]
        )
        self.end_request()
        screen = self.as_user(self.mgr_a, self.co_a)["crm.forecast.submission"].get_forecast_screen(
            {"team_id": shared.id, "period_type": "month"}
        )
        self.assertEqual(
            [(line["name"], line["late"]) for line in screen["lines"]], [("Rep A", True)]
        )
