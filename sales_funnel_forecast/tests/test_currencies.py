# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Money of companies that keep their books in different currencies: the
figures a screen adds up are in one currency, and say which. Rates: 2 EUR
for 1 USD."""

import io

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestCurrencies(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.company.currency_id
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.euro_co = cls.env["res.company"].create({"name": "Euro Co", "currency_id": cls.eur.id})
        cls.dollar_co = cls.env["res.company"].create(
            {"name": "Dollar Sister Co", "currency_id": cls.usd.id}
        )
        for company in (cls.company, cls.euro_co):
            cls.env["res.currency.rate"].create(
                {
                    "currency_id": cls.eur.id,
                    "name": "2020-01-01",
                    "rate": 2.0,
                    "company_id": company.id,
                }
            )
        cls.manager.company_ids |= cls.euro_co | cls.dollar_co
        cls.all_companies = [cls.company.id, cls.euro_co.id, cls.dollar_co.id]

    def setUp(self):
        super().setUp()
        self.assertEqual(self.usd.name, "USD")

    def shared_deals(self, **values):
        """The team's deals in three companies, at Proposal (60 %): 1,000
        USD, 1,000 EUR and 400 USD in the sister company."""
        self.make_deal(
            "Dollar deal",
            self.s_proposal,
            1000,
            user_id=False,
            company_id=self.company.id,
            **values,
        )
        self.make_deal(
            "Euro deal", self.s_proposal, 1000, user_id=False, company_id=self.euro_co.id, **values
        )
        self.make_deal(
            "Sister deal",
            self.s_proposal,
            400,
            user_id=False,
            company_id=self.dollar_co.id,
            **values,
        )
        self.end_request()

    def invoice(self, deal, amount, day=None, company=None):
        return self.post_invoice(deal, amount, company or self.company, day)

    def test_dashboard_adds_up_one_currency(self):
        """A manager of the three companies, in the USD one with all
        selected: the dashboard's amounts are in USD, of the two USD
        companies (1,000 + 400 reached, 60 % of it forecast), and say that
        the euro company is left out; in the euro company, its deal alone,
        in EUR."""
        self.shared_deals()
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        for current, currency, reached, note in (
            (self.company, self.usd, 1400.0, "YourCompany, Dollar Sister Co only"),
            (self.euro_co, self.eur, 1000.0, "Euro Co only"),
        ):
            companies = [current.id] + [cid for cid in self.all_companies if cid != current.id]
            data = Dashboard.with_context(allowed_company_ids=companies).get_funnel_dashboard(
                {"team_id": self.team.id, "period": "all"}
            )
            self.assertEqual(data["currency_id"], currency.id)
            [funnel] = data["funnels"]
            [proposal] = [row for row in funnel["stages"] if row["stage_id"] == self.s_proposal.id]
            self.assertEqual(proposal["reached_amount"], reached)
            self.assertAlmostEqual(data["forecast"]["forecast"], reached * 0.6, 2)
            self.assertIn(note.replace("YourCompany", self.company.name), data["companies_note"])
            self.assertIn(currency.name, data["companies_note"])
            labels = Dashboard.with_context(allowed_company_ids=companies)._sff_labels(data)
            self.assertIn(data["companies_note"], labels["subtitle"])
        # companies in one currency: all counted, nothing to say
        data = Dashboard.with_context(
            allowed_company_ids=[self.company.id, self.dollar_co.id]
        ).get_funnel_dashboard({"team_id": self.team.id, "period": "all"})
        self.assertFalse(data["companies_note"])
        self.assertEqual(
            sum(
                row["reached_amount"]
                for row in data["funnels"][0]["stages"]
                if row["stage_id"] == self.s_proposal.id
            ),
            1400.0,
        )

    def test_deal_flow_wizard_adds_up_one_currency(self):
        today = fields.Date.today()
        self.shared_deals(date_deadline=today)
        wizard = (
            self.env["crm.deal.flow.wizard"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=self.all_companies)
            .create({"team_id": self.team.id})
        )
        new = wizard.step_ids.filtered(lambda step: step.step == "new")
        self.assertEqual((new.currency_id, new.deal_count, new.amount), (self.usd, 2, 1400.0))

    def test_spreadsheets_name_their_currency(self):
        """The Forecast screen's and the funnel's spreadsheets of the euro
        company write their amounts with the euro's sign, the dollar
        company's with the dollar's."""
        self.shared_deals(date_deadline=fields.Date.today())
        for current, sign in ((self.euro_co, "€"), (self.company, "$")):
            companies = [current.id]
            Submission = (
                self.env["crm.forecast.submission"]
                .with_user(self.manager)
                .with_context(allowed_company_ids=companies)
            )
            params = {"team_id": self.team.id, "period_type": "month"}
            content, _name = Submission._sff_build_forecast_xlsx(params)
            Dashboard = (
                self.env["crm.funnel.dashboard"]
                .with_user(self.manager)
                .with_context(allowed_company_ids=companies)
            )
            funnel, _name = Dashboard._sff_build_xlsx({"team_id": self.team.id, "period": "all"})
            for workbook in (content, funnel):
                book = openpyxl.load_workbook(io.BytesIO(workbook))
                formats = {
                    cell.number_format
                    for sheet in book.worksheets
                    for row in sheet.iter_rows()
                    for cell in row
                    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
                }
                money = [number for number in formats if "0.00" in number]
                self.assertTrue(money, formats)
                for number in money:
                    self.assertIn(f'"{sign}"', number)

    def test_deal_keeps_the_currency_of_its_invoices(self):
        """A deal invoiced 1,000 USD cannot be handed to a salesperson of
        the euro company (Odoo would move it there, its invoices counted as
        euros); nor moved to the dollar sister company, whose deals its
        invoices cannot name (their credit notes were refused)."""
        deal = self.make_deal("Invoiced in USD", self.s_proposal, 1000, user_id=False)
        deal.company_id = self.company
        self.invoice(deal, 1000.0)
        self.assertEqual(deal.invoiced_amount, 1000.0)
        euro_rep = company_user(
            self.env, "euro_rep", "Eve Euro", "sales_team.group_sale_salesman", self.euro_co
        )
        for values in ({"user_id": euro_rep.id}, {"company_id": self.euro_co.id}):
            with (
                self.assertRaisesRegex(ValidationError, "keeps its books in EUR"),
                self.env.cr.savepoint(),
            ):
                deal.write(values)
                self.env.flush_all()
            deal.invalidate_recordset()
            self.assertEqual(deal.company_id, self.company)
        # the manager moves it, as a rep could
        with self.assertRaisesRegex(ValidationError, "Keep the deal in"), self.env.cr.savepoint():
            deal.with_user(self.manager).with_context(
                allowed_company_ids=self.all_companies
            ).company_id = self.euro_co
            self.env.flush_all()
        with (
            self.assertRaisesRegex(ValidationError, "can only name a deal of their own company"),
            self.env.cr.savepoint(),
        ):
            deal.company_id = self.dollar_co
            self.env.flush_all()
        deal.invalidate_recordset()
        self.assertEqual(deal.company_id, self.company)

    def test_accuracy_revenue_of_a_deal_without_company(self):
        """A deal of the shared team that nobody took has no company; the
        USD company invoices it 1,000 last month. The forecast accuracy
        credits the revenue to the USD company, in its currency: a manager
        of the euro company alone does not read it, one of the USD company
        does."""
        first = fields.Date.today().replace(day=1) - relativedelta(months=1)
        deal = self.make_deal("Nobody's", self.s_proposal, 1000, user_id=False)
        self.assertFalse(deal.company_id)
        move = self.invoice(deal, 1000.0, day=first + relativedelta(days=9))
        self.assertEqual(move.company_id, self.company)
        self.env["crm.pipeline.snapshot"]._sff_take([first])
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        euro_manager = company_user(
            self.env, "euro_mgr", "Emil Euro", "sales_team.group_sale_manager", self.euro_co
        )
        domain = [
            ("team_id", "=", self.team.id),
            ("revenue_amount", "!=", 0),
            ("period_type", "=", "month"),
            ("date_from", "=", first),
            ("lead_days", "=", 0),
        ]
        Accuracy = self.env["crm.forecast.accuracy.report"]
        self.assertFalse(Accuracy.with_user(euro_manager).search(domain))
        lines = Accuracy.with_user(self.manager).search(domain + [("user_id", "=", False)])
        self.assertEqual(
            {(line.company_id, line.revenue_amount) for line in lines}, {(self.company, 1000.0)}
        )
