# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A user's own sales team, where screens and forms start from it, is one
of the companies selected in the company switcher; a deal handed to
another company shows there what it counts."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestOwnTeamAmongCompanies(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.team_a = cls.env["crm.team"].create({"name": "Team A", "company_id": cls.company_a.id})
        # a manager working in two companies, member of a team of the first
        cls.two_co_manager = company_user(
            cls.env,
            "two_co_manager",
            "Two Co Manager",
            "sales_team.group_sale_manager,base.group_multi_company",
            cls.company_a | cls.company_b,
        )
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team_a.id, "user_id": cls.two_co_manager.id}
        )
        cls.env.flush_all()

    def _in_company_b_only(self, model):
        """``model`` as the two-company manager sees it with company B alone
        selected in the company switcher (as the web client sends it)."""
        self.assertEqual(self.two_co_manager.sale_team_id, self.team_a)
        return (
            self.env[model]
            .with_user(self.two_co_manager)
            .with_context(allowed_company_ids=[self.company_b.id])
        )

    def test_dashboard_opens_in_a_company_without_the_users_team(self):
        """First opening of the Funnel Dashboard (the client sends team_id
        null) by a manager whose own team belongs to a company not selected
        now: the dashboard should fall back to every team, not refuse."""
        Dashboard = self._in_company_b_only("crm.funnel.dashboard")
        try:
            data = Dashboard.get_funnel_dashboard({"team_id": None, "period": "this_year"})
        except (UserError, AccessError) as error:
            self.fail(f"the dashboard does not open: {type(error).__name__}: {error}")
        self.assertFalse(data["team_id"])

    def test_forecast_screen_opens_in_a_company_without_the_users_team(self):
        """First opening of the Forecast screen (team_id null) in company B
        by the same manager: it should open on a team the user may read."""
        Submission = self._in_company_b_only("crm.forecast.submission")
        try:
            data = Submission.get_forecast_screen(
                {"team_id": None, "period_type": "month", "date_from": None}
            )
        except (UserError, AccessError) as error:
            self.fail(f"the Forecast screen does not open: {type(error).__name__}: {error}")
        self.assertNotEqual(data["team_id"], self.team_a.id)

    def test_submission_form_defaults_to_a_team_of_the_selected_company(self):
        """The Forecast Submissions form (New) in company B: its default
        team must be one of the companies selected, and saving the form as
        it opens must work (it is refused by the multi-company rule)."""
        Submission = self._in_company_b_only("crm.forecast.submission")
        # led by the manager, whose forecast the form opens on
        team_b = self.env["crm.team"].create(
            {"name": "Team B", "company_id": self.company_b.id, "user_id": self.two_co_manager.id}
        )
        self.env.invalidate_all()
        spec = {
            "team_id": {"fields": {"display_name": {}}},
            "company_id": {"fields": {"display_name": {}}},
            "user_id": {"fields": {"display_name": {}}},
            "period_type": {},
            "date_from": {},
            "commit_amount": {},
            "best_case_amount": {},
        }
        try:
            values = Submission.onchange({}, [], spec)["value"]
        except AccessError as error:
            self.fail(f"the New form does not open: {error}")
        self.assertNotEqual(
            values["team_id"] and values["team_id"]["id"],
            self.team_a.id,
            "the form proposes a team of company A while only company B is selected",
        )
        self.env.invalidate_all()
        saved = Submission.web_save(
            {
                "team_id": (values["team_id"] or {}).get("id") or team_b.id,
                "company_id": values["company_id"]["id"],
                "period_type": values["period_type"],
                "date_from": values["date_from"],
                "commit_amount": 0,
                "best_case_amount": 0,
            },
            spec,
        )
        self.assertEqual(saved[0]["company_id"]["id"], self.company_b.id)

    def test_percentage_proposal_opens_in_a_company_without_the_users_team(self):
        """Configuration > Propose Stage Percentages in company B: the
        wizard's default team is the user's team of company A, and opening
        the wizard (onchange of a new record) is refused."""
        Proposal = self._in_company_b_only("crm.stage.percentage.proposal")
        self.env.invalidate_all()
        spec = {
            "team_id": {"fields": {"display_name": {}}},
            "line_ids": {"fields": {"stage_id": {"fields": {"display_name": {}}}}},
        }
        try:
            values = Proposal.onchange({}, [], spec)["value"]
        except AccessError as error:
            self.fail(f"the wizard does not open: {error}")
        self.assertNotEqual(values["team_id"] and values["team_id"]["id"], self.team_a.id)

    def test_deal_handed_to_another_company_shows_its_calls(self):
        """A deal of company A with two calls is handed to company B: the
        manager working in B alone reads its "Calls: 2" and the two calls
        its button opens (each keeps the company it was made in, which
        alone changes or deletes them)."""
        self.team.company_id = False
        deal = self.make_deal(
            "Moves company", self.s_qualified, 1000, company_id=self.company_a.id, user_id=False
        )
        calls = self.env["crm.lead.call"].create(
            [{"lead_id": deal.id, "outcome": outcome} for outcome in ("no_answer", "conversation")]
        )
        deal.company_id = self.company_b
        self.end_request()
        self.assertEqual(calls.company_id, self.company_a)
        in_b = self._in_company_b_only("crm.lead").browse(deal.id)
        self.assertEqual(in_b.call_count, 2)
        action = in_b.action_sff_view_calls()
        listed = self.env["crm.lead.call"].with_env(in_b.env).search(action["domain"])
        self.assertEqual(listed, calls)
        # read there, changed by the company they were made in only
        with self.assertRaises(AccessError):
            listed[:1].unlink()
        with self.assertRaises(AccessError):
            listed[:1].write({"note": "Changed elsewhere"})
        # a call of a deal of company A stays A's
        kept = self.make_deal("Stays", self.s_qualified, 500, company_id=self.company_a.id)
        self.env["crm.lead.call"].create({"lead_id": kept.id, "outcome": "no_answer"})
        self.assertFalse(
            self.env["crm.lead.call"].with_env(in_b.env).search([("lead_id", "=", kept.id)])
        )
