# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's screens as a browser shows them."""

from odoo.tests import HttpCase, tagged

from ..hooks import post_init_hook
from .common import FunnelCase, make_plan, team_and_deal


@tagged("post_install", "-at_install")
class TestBrowser(HttpCase):
    def test_deal_form_lines_read_as_sentences(self):
        # a deal stalled on 2 March at 15:45, its last activity 5 days ago: the
        # banner says "Stalled since 03/02/2026: 4 days past ...", on one line,
        # and "· last activity 5 days ago" stays beside the call summary
        _team, deal = team_and_deal(self.env, "SFF Lines Deal", expected_revenue=1000)
        deal.stage_id.stall_days = 10
        self.env.cr.execute(
            """UPDATE crm_lead
                  SET is_stalled = TRUE, stall_excluded = TRUE,
                      stalled_date = '2026-03-02 15:45:00',
                      call_count = 3, call_attempt_count = 2,
                      date_last_activity = NOW() AT TIME ZONE 'UTC' - INTERVAL '5 days'
                WHERE id = %s;
               UPDATE crm_lead_stage_history
                  SET date_in = NOW() AT TIME ZONE 'UTC' - INTERVAL '14 days 2 hours'
                WHERE lead_id = %s AND date_out IS NULL""",
            [deal.id, deal.id],
        )
        deal.invalidate_recordset()
        self.assertTrue(deal.is_stalled)
        self.assertEqual(deal.stall_days_over, 4)
        self.start_tour(
            f"/odoo/crm/{deal.id}", "sales_funnel_forecast_deal_lines_tour", login="admin"
        )

    def test_submit_dialog_opens_on_its_explanation(self):
        # a new submission has no name yet: no empty heading above the text
        self.start_tour(
            "/odoo/action-sales_funnel_forecast.crm_forecast_screen_action",
            "sales_funnel_forecast_submit_dialog_tour",
            login="admin",
        )


@tagged("post_install", "-at_install")
class TestDemoDeals(FunnelCase):
    def test_deal_a_stall_rule_took_out_stays_out_after_the_install_step(self):
        # the demo's deals are made, and its stall rules run, before the
        # module's post-install step: a deal of 2,000 at 30 % the rule took
        # out of the forecast still says "out of the forecast" on its form,
        # so it weighs 0 and is Omitted, not 600 in Best Case or Pipeline
        self.s_qualified.write({"stall_days": 5, "stall_action": "exclude"})
        self.set_now(self.day(0))
        deal = self.make_deal("Out before install", self.s_qualified, 2000)
        kept = self.make_deal("In before install", self.s_proposal, 1000)
        self.set_now(self.day(6))
        self.run_job()
        self.assertTrue(deal.stall_excluded and deal.forecast_excluded)
        post_init_hook(self.env)
        self.env.invalidate_all()
        self.assertEqual(
            (deal.stall_excluded, deal.forecast_excluded, deal.forecast_category),
            (True, True, "omitted"),
        )
        self.assertEqual(deal.forecast_revenue, 0.0)
        self.assertEqual((kept.forecast_excluded, kept.forecast_revenue), (False, 600.0))

    def test_seasonality_tab_lists_the_months_in_calendar_order(self):
        # the plan's Seasonality tab read January, October, November,
        # December, February...: the months' keys sorted as text
        plan = make_plan(self.env, self.team)
        # read from the database (the cache holds them in their creation's order)
        plan.invalidate_recordset(["season_ids"])
        self.assertEqual(plan.season_ids.mapped("month"), [str(month) for month in range(1, 13)])
        plan.action_fill_from_history()
        plan.invalidate_recordset(["season_ids"])
        self.assertEqual(plan.season_ids.mapped("month"), [str(month) for month in range(1, 13)])
        # as the form's list reads them
        Season = self.env["crm.target.plan.season"]
        rows = Season.web_search_read([("plan_id", "=", plan.id)], {"month": {}})["records"]
        self.assertEqual([row["month"] for row in rows], [str(month) for month in range(1, 13)])

    def test_stalled_list_offers_its_manager_buttons_to_managers_only(self):
        # a salesperson who opens the Stalled Deals list (by its link) saw
        # "Apply Stall Rules Now" and "Keep Open", which only refuse them
        view = self.env.ref("sales_funnel_forecast.crm_lead_view_list_stalled")
        Lead = self.env["crm.lead"]
        for user, shown in ((self.rep, False), (self.manager, True)):
            arch = Lead.with_user(user).get_views([(view.id, "list")])["views"]["list"]["arch"]
            for button in ("action_apply_stall_rules", "action_stall_keep_open"):
                self.assertEqual(button in arch, shown, (user.login, button))

    def test_call_attempts_are_counted_in_words(self):
        # the deal form's call summary: "1 call attempt before a
        # conversation", "3 call attempts ..." (it said "1 call attempts")
        from lxml import etree

        from odoo.tools.safe_eval import safe_eval

        arch = etree.fromstring(
            self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        summary = arch.xpath("//span[hasclass('o_sff_call_summary')]")[0]
        for count, words in ((1, "call attempt before"), (3, "call attempts before")):
            shown = [
                " ".join(span.text.split())
                for span in summary.iter("span")
                if span is not summary
                and not safe_eval(span.get("invisible", "False"), {"call_attempt_count": count})
            ]
            self.assertEqual(shown, [f"{words} a conversation"], count)

    def test_stall_banner_counts_the_days_over_in_words(self):
        # a deal stalled by hours past a whole-day limit said "0 days past
        # what this stage allows"; one day over said "1 days"
        from lxml import etree

        from odoo.tools.safe_eval import safe_eval

        arch = etree.fromstring(
            self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        banner = arch.xpath("//div[hasclass('o_sff_stalled_banner')]")[0]
        for over, words in (
            (0, ["less than a day past what this stage allows."]),
            (1, ["stall_days_over", "day past what this stage allows."]),
            (4, ["stall_days_over", "days past what this stage allows."]),
        ):
            shown = []
            for span in banner.xpath(".//span[hasclass('o_sff_stall_over')]"):
                if safe_eval(span.get("invisible", "False"), {"stall_days_over": over}):
                    continue
                shown += [field.get("name") for field in span.iter("field")]
                if span.text and span.text.strip():
                    shown.append(" ".join(span.text.split()))
            self.assertEqual(shown, words, over)
