# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The changes of 18.0.1.25.0 read again on the paths users and
integrators take."""

from datetime import date, datetime

from odoo.tests import Form, tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestReviewRelease25(FunnelCase):
    def test_stall_message_counts_the_deals_of_no_company(self):
        """Two deals sit past a 5-day limit: one of the manager's company,
        one of no company (a team shared by companies, nobody took it yet),
        which the deals' list shows every company's users and the job acts
        on. A manager of one company pressing Apply Stall Rules Now is told
        of 2 deals (it said one: the deal of no company was left out)."""
        shared = self.env["crm.team"].create({"name": "SFF Shared Team", "company_id": False})
        self.s_new.stall_days = 5
        self.clock_at(datetime(1990, 1, 1, 12))
        self.make_deal("Ours", self.s_new, 1000, company_id=self.env.company.id)
        nobodys = self.make_deal(
            "Nobody's", self.s_new, 500, team_id=shared.id, user_id=False, company_id=False
        )
        self.end_request()
        self.assertFalse(nobodys.company_id)
        self.clock_at(datetime(1990, 1, 10, 12))
        manager = company_user(
            self.env,
            "sff_one_company_manager_25",
            "One Company",
            "sales_team.group_sale_manager",
            self.env.company,
        )
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(manager)
            .search_count([("id", "in", (nobodys | self.env["crm.lead"]).ids)]),
            1,
            "the manager's list shows the deal of no company",
        )
        action = self.env["crm.lead"].with_user(manager).action_apply_stall_rules()
        self.assertEqual(
            action["params"]["message"],
            "The stall rules are being applied in the background to 2 deals past their "
            "stage's limit; reload the list in a few moments to see them.",
        )

    def test_flow_of_a_company_chosen_is_in_its_currency(self):
        """The Deal Flow wizard created over RPC with the euro company
        chosen (its company, no currency), by a manager whose current
        company keeps its books in dollars: the euro deal of 1,000 new in
        March is listed at 1,000 EUR, in the wizard's steps and in the
        report's rows (both said USD, the current company's currency)."""
        eur, eur_co, eur_team, eur_stage = self.currency_team("EUR")
        self.assertNotEqual(self.company.currency_id, eur)
        self.manager.company_ids |= eur_co
        self.set_now(datetime(2026, 3, 10, 10))
        deal = self.company_deal("Euro deal", eur_co, eur_team, eur_stage, 1000)
        deal.date_deadline = date(2026, 3, 20)
        self.set_now(datetime(2026, 5, 1, 10))
        env = self.env(
            user=self.manager,
            context=dict(self.env.context, allowed_company_ids=[self.company.id, eur_co.id]),
        )
        wizard = env["crm.deal.flow.wizard"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 4, 1), "company_id": eur_co.id}
        )
        self.assertEqual(
            [
                (step.step, step.amount, step.currency_id.name)
                for step in wizard.step_ids
                if step.amount
            ],
            [("new", 1000.0, "EUR"), ("end", 1000.0, "EUR")],
        )
        action = wizard.action_open_report()
        rows = env["crm.deal.flow.report"].search(action["domain"] + [("lead_id", "=", deal.id)])
        self.assertEqual(
            sorted((row.step, row.amount, row.currency_id.name) for row in rows),
            [("1_new", 1000.0, "EUR"), ("8_end", 1000.0, "EUR")],
        )

    def test_origin_type_of_a_source_put_back_in_the_form(self):
        """A deal from an outbound source ("spear"): in the form, Rita picks
        the web form's source ("net"), then the cold calls again, and saves.
        The deal has its source as it was, and its type as it was, "spear"
        (it kept "net", the type of a source it no longer has)."""
        spear = self.env["utm.source"].create({"name": "Cold calls", "origin_type": "spear"})
        net = self.env["utm.source"].create({"name": "Web form", "origin_type": "net"})
        deal = self.make_deal("Changed my mind", self.s_new, 1000, source_id=spear.id)
        self.end_request()
        with Form(deal.with_user(self.rep), view="crm.crm_lead_view_form") as form:
            form.source_id = net
            self.assertEqual(form.origin_type, "net")
            form.source_id = spear
            self.assertEqual(form.origin_type, "spear")
        self.end_request()
        self.assertEqual((deal.source_id, deal.origin_type), (spear, "spear"))
