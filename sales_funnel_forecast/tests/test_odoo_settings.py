# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo CRM's own settings and features beside the module: the companies'
"probability follows stage", predictive scoring, the leads setting, teams,
the Lost and Won buttons. The module's figures hold with each."""

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestOdooSettings(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second company whose stages do not drive probabilities: Odoo's
        # predictive scoring gives them
        cls.company_b = cls.env["res.company"].create(
            {"name": "Scoring Co", "crm_probability_from_stage": False}
        )
        cls.env.user.company_ids |= cls.company_b

    def scored_deal(self, name, company, probability, automated=12.0):
        """An opportunity of ``company`` in the test team's 30 % stage (the
        team is of no company), for 1,000, whose predictive scoring says
        ``automated`` % and whose probability is ``probability``."""
        deal = (
            self.env["crm.lead"]
            .with_company(company)
            .create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": self.s_qualified.id,
                    "expected_revenue": 1000,
                    "company_id": company.id,
                    "user_id": False,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET probability = %s, automated_probability = %s WHERE id = %s",
            [probability, automated, deal.id],
        )
        deal.invalidate_recordset()
        self.env["crm.lead"]._sff_refresh_weighted_amounts(deal.ids)
        return deal

    def test_deal_handed_to_a_company_whose_stages_drive_takes_its_stage_percentage(self):
        """A deal at the scoring's 12 % in a company where stages do not
        drive probabilities, handed to one where they do (its Company
        field changed): it takes its stage's 30 %, a forecast of 300 (it
        kept 12 %, 120, until the scoring job's next run put it on 300).
        A probability a rep typed there (44 %, not the scoring's) holds, as
        when a company turns the setting on."""
        scored = self.scored_deal("Scored", self.company_b, 12.0)
        typed = self.scored_deal("Typed", self.company_b, 44.0)
        self.assertEqual(scored.forecast_revenue, 120.0)
        (scored | typed).write({"company_id": self.company.id})
        self.assertEqual(scored.probability, 30.0)
        self.assertEqual(scored.forecast_revenue, 300.0)
        self.assertFalse(scored.probability_is_manual)
        self.assertEqual(typed.probability, 44.0)
        self.assertEqual(typed.forecast_revenue, 440.0)
        self.assertTrue(typed.probability_is_manual)
        self.assertStructuresHold("deal handed to a company whose stages drive")

    def test_deal_handed_to_a_company_where_stages_do_not_drive_takes_the_scoring(self):
        """The other way: a deal on its stage's 30 % handed to a company
        whose stages do not drive probabilities takes Odoo's scoring, 12 %,
        a forecast of 120, as when its company turns the setting off; a
        probability typed by a rep (44 %) holds."""
        staged = self.scored_deal("Staged", self.company, 30.0)
        typed = self.scored_deal("Typed", self.company, 30.0)
        typed.probability = 44
        self.assertTrue(typed.probability_is_manual)
        (staged | typed).write({"company_id": self.company_b.id})
        self.assertEqual(staged.probability, 12.0)
        self.assertEqual(staged.forecast_revenue, 120.0)
        self.assertEqual(typed.probability, 44.0)
        self.assertEqual(typed.forecast_revenue, 440.0)
        self.assertStructuresHold("deal handed to a company where stages do not drive")

    def test_probability_typed_with_the_company_change_holds(self):
        """The form's Company changed and 44 % typed before one save (or an
        import of both columns): the deal, handed to a company whose stages
        do not drive probabilities, keeps the 44 % typed with it, not the
        scoring's 12 %."""
        deal = self.scored_deal("Typed with the move", self.company, 30.0)
        deal.write({"company_id": self.company_b.id, "probability": 44})
        self.assertEqual((deal.probability, deal.forecast_revenue), (44.0, 440.0))
        self.assertStructuresHold("probability typed with a company change")
