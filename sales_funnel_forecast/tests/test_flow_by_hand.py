# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The pipeline at a date and the deal flow, on small cases counted by
hand: March 2026's pipeline between March 1 and April 1."""

from datetime import date, datetime

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestFlowByHand(FunnelCase):
    def at(self, *args):
        self.set_now(datetime(2026, *args))

    def report_rows(self, env, deals, **values):
        """The Deal Flow report's rows of ``deals`` for March, as the wizard
        of ``values`` opens them in ``env``."""
        wizard = env["crm.deal.flow.wizard"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 4, 1), **values}
        )
        action = wizard.action_open_report()
        return env["crm.deal.flow.report"].search(action["domain"] + [("lead_id", "in", deals.ids)])

    def test_rows_are_in_the_currency_of_the_flow(self):
        """A deal of the dollar company at 1,000 USD, expected on March 15,
        is handed to the euro company's team on March 10; another, of no
        company, stays in the team at 300. The dollar company's March flow
        counts the first at the start and pushed out, 1,000 dollars, and
        the second at both ends, 300 in the dollars it is counted in: each
        row says USD (the first said EUR, its company at the end, and the
        second no currency). The euro company's flow counts the first new
        and at the end, 1,000 EUR."""
        eur, eur_co, eur_team, eur_stage = self.currency_team("EUR")
        usd = self.company.currency_id
        self.assertNotEqual(usd, eur)
        self.manager.company_ids |= eur_co
        self.at(2, 20, 10)
        handed = self.make_deal(
            "Handed over",
            self.s_new,
            1000,
            date_deadline=date(2026, 3, 15),
            user_id=False,
            company_id=self.company.id,
        )
        homeless = self.make_deal(
            "Of no company", self.s_new, 300, date_deadline=date(2026, 3, 20), user_id=False
        )
        homeless.company_id = False
        self.at(3, 10, 10)
        handed.write({"team_id": eur_team.id, "company_id": eur_co.id, "stage_id": eur_stage.id})
        self.at(5, 1, 10)
        env = self.env(
            user=self.manager,
            context=dict(self.env.context, allowed_company_ids=[self.company.id, eur_co.id]),
        )

        def rows(deals, **values):
            return sorted(
                (row.lead_id.name, row.step, row.amount, row.currency_id.name)
                for row in self.report_rows(env, deals, **values)
            )

        self.assertEqual(
            rows(handed | homeless),
            [
                ("Handed over", "0_start", 1000.0, "USD"),
                ("Handed over", "5_pushed_out", 1000.0, "USD"),
                ("Of no company", "0_start", 300.0, "USD"),
                ("Of no company", "8_end", 300.0, "USD"),
            ],
        )
        # the euro company's flow, as its team's Forecast screen opens it
        self.assertEqual(
            rows(handed, company_id=eur_co.id, currency_id=eur.id),
            [("Handed over", "1_new", 1000.0, "EUR"), ("Handed over", "8_end", 1000.0, "EUR")],
        )
