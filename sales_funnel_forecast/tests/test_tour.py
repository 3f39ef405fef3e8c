# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestStageTour(HttpCase):
    def test_status_bar_moves_probability_and_history(self):
        # a team with a catalogue: its pipeline is its own stages only
        team = self.env["crm.team"].create(
            {
                "name": "Tour Team",
                "stage_catalogue_id": self.env.ref("sales_funnel_forecast.catalogue_simple").id,
            }
        )
        Stage = self.env["crm.stage"]
        prospect = Stage.create(
            {"name": "T-Prospect", "sequence": 901, "forecast_probability": 10, "team_id": team.id}
        )
        proposal = Stage.create(
            {"name": "T-Proposal", "sequence": 902, "forecast_probability": 60, "team_id": team.id}
        )
        admin = self.env.ref("base.user_admin")
        deal = self.env["crm.lead"].create(
            {
                "name": "SFF Tour Deal",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": prospect.id,
                "user_id": admin.id,
                "expected_revenue": 5000,
            }
        )
        self.start_tour("/odoo", "sales_funnel_forecast_stage_tour", login="admin")
        self.assertEqual(deal.stage_id, proposal)
        self.assertEqual(deal.probability, 60.0)
        self.assertEqual(deal.stage_history_ids.mapped("stage_id"), prospect | proposal)

    def dashboard_deals(self):
        """Two deals of a team of its own: both reached D-Prospect, one moved on
        to D-Proposal."""
        team = self.env["crm.team"].create(
            {
                "name": "SFF Dashboard Team",
                "stage_catalogue_id": self.env.ref("sales_funnel_forecast.catalogue_simple").id,
            }
        )
        Stage = self.env["crm.stage"]
        prospect = Stage.create(
            {"name": "D-Prospect", "sequence": 901, "forecast_probability": 10, "team_id": team.id}
        )
        proposal = Stage.create(
            {"name": "D-Proposal", "sequence": 902, "forecast_probability": 60, "team_id": team.id}
        )
        admin = self.env.ref("base.user_admin")
        Lead = self.env["crm.lead"]
        deal_a = Lead.create(
            {
                "name": "SFF Dashboard Deal A",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": prospect.id,
                "user_id": admin.id,
                "expected_revenue": 1000,
            }
        )
        Lead.create(
            {
                "name": "SFF Dashboard Deal B",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": prospect.id,
                "user_id": admin.id,
                "expected_revenue": 2000,
            }
        )
        deal_a.stage_id = proposal

    def test_dashboard_team_and_stage(self):
        self.dashboard_deals()
        # one of them stalled: the forecast's line says one deal
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET is_stalled = TRUE WHERE name = 'SFF Dashboard Deal B'"
        )
        self.start_tour("/odoo", "sales_funnel_forecast_dashboard_tour", login="admin")

    def test_dashboard_in_polish(self):
        """The dashboard in Polish: its texts, the period's dates as Polish
        writes them (01.01.2026), the conversion with a decimal comma."""
        self.dashboard_deals()
        self.env["res.lang"]._activate_lang("pl_PL")
        self.env["ir.module.module"]._load_module_terms(["sales_funnel_forecast"], ["pl_PL"])
        self.env.ref("base.user_admin").lang = "pl_PL"
        self.start_tour("/odoo", "sales_funnel_forecast_dashboard_polish_tour", login="admin")

    def test_log_a_call_from_the_kanban_card(self):
        admin = self.env.ref("base.user_admin")
        deal = self.env["crm.lead"].create(
            {
                "name": "SFF Call Deal",
                "type": "opportunity",
                "user_id": admin.id,
                "team_id": self.env.ref("sales_team.team_sales_department").id,
                "expected_revenue": 800,
            }
        )
        self.start_tour("/odoo", "sales_funnel_forecast_call_tour", login="admin")
        self.assertEqual(deal.call_count, 1)
        call = deal.call_ids
        self.assertEqual(
            (call.outcome, call.duration_minutes, call.note, call.user_id),
            ("voicemail", 3.0, "Left a message with the assistant", admin),
        )
        self.assertEqual(deal.contact_status, "attempted")

    def test_forecast_screen_in_french(self):
        """The Forecast screen of a French administrator: months and
        quarters named as French names them ("T4 2026", "décembre 2026")."""
        self.env["crm.team"].create({"name": "SFF Forecast Team"})
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["sales_funnel_forecast"], ["fr_FR"])
        self.env.ref("base.user_admin").lang = "fr_FR"
        self.start_tour("/odoo", "sales_funnel_forecast_screen_french_tour", login="admin")


def screens_team(env):
    """A team of its own with one deal of the administrator's, created in
    S-Prospect and moved on to S-Proposal, closing this month."""
    team = env["crm.team"].create(
        {
            "name": "SFF Screens Team",
            "stage_catalogue_id": env.ref("sales_funnel_forecast.catalogue_simple").id,
        }
    )
    Stage = env["crm.stage"]
    prospect = Stage.create(
        {"name": "S-Prospect", "sequence": 901, "forecast_probability": 10, "team_id": team.id}
    )
    proposal = Stage.create(
        {"name": "S-Proposal", "sequence": 902, "forecast_probability": 60, "team_id": team.id}
    )
    deal = env["crm.lead"].create(
        {
            "name": "SFF Screens Deal",
            "type": "opportunity",
            "team_id": team.id,
            "stage_id": prospect.id,
            "user_id": env.ref("base.user_admin").id,
            "expected_revenue": 1569200,
            "date_deadline": fields.Date.context_today(team),
        }
    )
    deal.stage_id = proposal
    return team


@tagged("post_install", "-at_install")
class TestScreensTour(HttpCase):
    def test_all_time_is_compared_with_nothing(self):
        """The dashboard's All time compared with the previous period: no
        "(0 before)" on the stages (there is no period before all time);
        This month compared again shows the comparison."""
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_all_time_compare_tour", login="admin")

    def test_late_answer_does_not_replace_the_last_choice(self):
        """All time chosen, then This month before All time's answer came:
        the late answer does not replace This month's funnel."""
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_late_answer_tour", login="admin")

    def test_submit_dialog_is_named(self):
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_submit_title_tour", login="admin")

    def _submissions(self, commit):
        return self.env["crm.forecast.submission"].search_count([("commit_amount", "=", commit)])

    def test_closing_the_page_does_not_submit(self):
        """The Submit Forecast dialog open, 4,321 typed as Commit, the page
        closed or reloaded: Odoo's form saved the new record on its way
        out, a forecast nobody submitted (and that cannot be changed); only
        the dialog's Save submits one."""
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_submit_unload_tour", login="admin")
        self.assertEqual(self._submissions(4321), 0)

    def test_leaving_a_new_submission_does_not_submit(self):
        """A new submission on the full page, 4,322 typed as Commit: the
        browser tab hidden, then the form left by its breadcrumb; each used
        to save it. Leaving asks first (Stay keeps the form)."""
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_submission_left_tour", login="admin")
        self.assertEqual(self._submissions(4322), 0)


@tagged("post_install", "-at_install")
class TestNarrowScreenTour(HttpCase):
    """The Forecast screen in a phone's window, 400 pixels wide."""

    browser_size = "400x850"

    def test_waterfall_amounts_fit_their_steps(self):
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_narrow_waterfall_tour", login="admin")
