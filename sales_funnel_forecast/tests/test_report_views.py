# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter
from unittest.mock import patch

from lxml import etree

from odoo import Command, models
from odoo.osv import expression
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .common import FunnelCase, make_plan, screen_domain

# the cuts of the deals that the reports group by
CUTS = [
    "user_id",
    "team_id",
    "partner_id",
    "industry_id",
    "source_id",
    "medium_id",
    "campaign_id",
    "origin_type",
    "company_id",
    "stage_id",
]
# the reports with a row (at least) per open deal, and the cuts each keeps
DEAL_REPORTS = [
    "crm.funnel.report",
    "crm.forecast.report",
    "crm.lead.source.report",
    "crm.rep.comparison.report",
    "crm.sales.process.report",
]


def action_domain(env, xmlid):
    """The domain the web client searches with when the menu's action opens
    (``screen_domain``), and its model."""
    return screen_domain(env, env["ir.actions.act_window"]._for_xml_id(xmlid))


@tagged("post_install", "-at_install")
class TestReportCuts(FunnelCase):
    """Two deals that differ in every cut but the team and the company: each
    report, grouped by each of its cuts, puts each deal under its own
    value, as a person would sort them by hand."""

    def test_reports_cut_by_every_dimension(self):
        Utm = self.env["utm.source"]
        sources = Utm.create(
            [
                {"name": "Cut referral", "origin_type": "seed"},
                {"name": "Cut webinar", "origin_type": "net"},
            ]
        )
        media = self.env["utm.medium"].create([{"name": "Cut phone"}, {"name": "Cut email"}])
        campaigns = self.env["utm.campaign"].create(
            [{"name": "Cut spring"}, {"name": "Cut autumn"}]
        )
        industries = self.env["res.partner.industry"].create(
            [{"name": "Cut food"}, {"name": "Cut steel"}]
        )
        partners = self.env["res.partner"].create(
            [
                {"name": "Cut Bakery", "industry_id": industries[0].id, "is_company": True},
                {"name": "Cut Foundry", "industry_id": industries[1].id, "is_company": True},
            ]
        )
        deals = self.make_deal(
            "Cut one",
            self.s_qualified,
            1000,
            partner_id=partners[0].id,
            source_id=sources[0].id,
            medium_id=media[0].id,
            campaign_id=campaigns[0].id,
        )
        deals |= self.make_deal(
            "Cut two",
            self.s_new,
            3000,
            partner_id=partners[1].id,
            source_id=sources[1].id,
            medium_id=media[1].id,
            campaign_id=campaigns[1].id,
            user_id=self.other_rep.id,
        )
        self.env.flush_all()

        def value(key):
            if isinstance(key, models.BaseModel):
                return key.id or False
            return key or False

        def expected(cut):
            if cut == "industry_id":
                return Counter(deal.partner_id.industry_id.id for deal in deals)
            return Counter(value(deal[cut]) for deal in deals)

        self.assertEqual(expected("origin_type"), Counter({"seed": 1, "net": 1}))
        for model in DEAL_REPORTS:
            Report = self.env[model]
            mine = [("lead_id", "in", deals.ids)]
            cuts = [cut for cut in CUTS if cut in Report._fields]
            self.assertIn("user_id", cuts, model)
            for cut in cuts:
                if cut == "stage_id" and model != "crm.forecast.report":
                    continue  # one row per stage reached, not the deal's stage
                groups = Report._read_group(mine, [cut], ["lead_id:count_distinct"])
                self.assertEqual(
                    Counter({value(key): count for key, count in groups}),
                    expected(cut),
                    f"{model} by {cut}",
                )

    def test_a_module_adds_a_column_without_copying_the_query(self):
        """Another module extends a report's _select() and _join() with
        super(): the view gets the column, every other column as before
        (here: the forecast report and the deal's customer's city)."""
        partner = self.env["res.partner"].create({"name": "Cut Bakery", "city": "Ghent"})
        deal = self.make_deal("Extended", self.s_qualified, 1000, partner_id=partner.id)
        Report = self.env["crm.forecast.report"]
        ReportClass = type(Report)
        select, join = ReportClass._select, ReportClass._join

        def extended_select(report):
            return SQL("%s, city_partner.city AS partner_city", select(report))

        def extended_join(report):
            return SQL(
                "%s LEFT JOIN res_partner city_partner ON city_partner.id = l.partner_id",
                join(report),
            )

        with (
            patch.object(ReportClass, "_select", extended_select),
            patch.object(ReportClass, "_join", extended_join),
        ):
            Report.init()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT partner_city, forecast_revenue FROM crm_forecast_report WHERE lead_id = %s",
            [deal.id],
        )
        self.assertEqual(self.env.cr.fetchall(), [("Ghent", 300.0)])

    def test_targets_and_actuals_count_a_split_team_plan_once(self):
        """A team plan of 120,000 split per salesperson: "Targets and
        Actuals" opens on the members' plans, not on the team's beside
        them: the target counts once, as in the quota report."""
        self.team.member_ids = [Command.link(self.rep.id), Command.link(self.other_rep.id)]
        plan = make_plan(self.env, self.team)
        split = self.env["crm.target.plan.split"].create({"plan_id": plan.id})
        split.action_split()
        self.assertEqual(sum(plan.child_ids.mapped("revenue_target")), 120000)
        domain, Period = action_domain(
            self.env(user=self.manager), "sales_funnel_forecast.crm_target_plan_period_action"
        )
        domain = expression.AND([domain, [("team_id", "=", self.team.id)]])
        [(target,)] = Period._read_group(domain, [], ["revenue_target:sum"])
        # the quota report counts it once
        quota = self.env["crm.quota.report"].with_user(self.manager)
        [(quota_target,)] = quota._read_group(
            [("basis", "=", "target"), ("team_id", "=", self.team.id)], [], ["target:sum"]
        )
        self.assertEqual(round(quota_target, 2), 120000.0)
        self.assertEqual(round(target, 2), 120000.0, "the team's target, once")

    def test_split_members_plans_open_as_cards_on_a_phone(self):
        """The split's "Members' Plans" opened the computer's list on a
        phone too (an action returned as a dict has no view for small
        screens unless it names one): the plans' cards now, as *Target
        Plans* shows them (tests/test_phone_screens.py reads those whole),
        the list on a computer."""
        self.team.member_ids = [Command.link(self.rep.id), Command.link(self.other_rep.id)]
        split = self.env["crm.target.plan.split"].create(
            {"plan_id": make_plan(self.env, self.team).id}
        )
        action = split.action_split()
        self.assertEqual(action["mobile_view_mode"], "kanban")
        self.assertEqual([view for _id, view in action["views"]][:2], ["list", "kanban"])
        kanban = self.env["crm.target.plan"].get_views([(False, "kanban")])["views"]["kanban"]
        self.assertEqual(
            self.env["ir.ui.view"].browse(kanban["id"]).xml_id,
            "sales_funnel_forecast.crm_target_plan_view_kanban",
        )

    def test_targets_and_actuals_list_names_each_months_plan(self):
        """Opened as a list across plans, "Targets and Actuals" shows two
        teams' January, each beside its plan's name (two rows both read
        "2026-01" without it); on a plan's own form its months need no
        plan column, which stays one to show on demand."""

        def columns(arch):
            return {
                node.get("name"): node.get("optional")
                for node in etree.fromstring(arch).xpath("/list/field")
            }

        Period = self.env["crm.target.plan.period"].with_user(self.manager)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_funnel_forecast.crm_target_plan_period_action"
        )
        views = [(view_id, kind) for view_id, kind in action["views"]]
        listed = Period.get_views(views)["views"]["list"]["arch"]
        shown = columns(listed)
        self.assertIn("plan_id", shown)
        self.assertIsNone(shown["plan_id"], "the plan column is always shown across plans")
        self.assertEqual(list(shown)[:2], ["plan_id", "display_name"])
        form = self.env["crm.target.plan"].with_user(self.manager).get_views([(False, "form")])
        months = etree.fromstring(form["views"]["form"]["arch"]).xpath(
            "//field[@name='month_period_ids']/list"
        )
        self.assertEqual(len(months), 1)
        on_form = {node.get("name"): node.get("optional") for node in months[0].xpath("field")}
        self.assertEqual(on_form["plan_id"], "hide", "one plan's months need no plan column")

    def test_a_product_typed_in_the_search_bar_finds_its_deals(self):
        """Typed in the search bar, "Product: Review Desk" searches
        ('product_id', 'ilike', 'Review Desk'): the deal quoted that product
        is found in every report that offers the Product field, as it is when
        the product is picked from the list (an id)."""
        partner = self.env["res.partner"].create({"name": "Review Customer"})
        product = self.env["product.product"].create({"name": "Review Desk", "list_price": 100})
        deal = self.make_deal("Quoted desk", self.s_qualified, 1000, partner_id=partner.id)
        self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "opportunity_id": deal.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        self.env.flush_all()
        found = {}
        for model in (
            "crm.funnel.report",
            "crm.forecast.report",
            "crm.lead.source.report",
            "crm.sales.process.report",
            "crm.rep.comparison.report",
        ):
            Report = self.env[model].with_user(self.manager)
            picked = Report.search([("product_id", "=", product.id)]).lead_id
            typed = Report.search([("product_id", "ilike", "Review Desk")]).lead_id
            self.assertEqual(picked, deal, model)
            found[model] = typed == deal
        self.assertEqual(found, dict.fromkeys(found, True), "typed product name finds the deal")

    def search_filter_domain(self, view_xmlid, name):
        """The domain of the filter ``name`` of a search view."""
        arch = etree.fromstring(self.env.ref(view_xmlid).get_combined_arch())
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return safe_eval(node.get("domain"))

    def test_screens_count_what_their_names_say(self):
        """Quota Attainment's "Without Opportunity" lists invoices, not the
        plans' targets; a salesperson's resubmissions do not add up in a
        group; a plan's attainment is not an average of its months'; the
        slippage pivot counts a deal once a month it was expected in."""
        make_plan(self.env, self.team)
        domain = self.search_filter_domain(
            "sales_funnel_forecast.crm_quota_report_view_search", "without_deal"
        )
        self.assertFalse(
            self.env["crm.quota.report"].search(domain + [("team_id", "=", self.team.id)])
        )
        Submission = self.env["crm.forecast.submission"]
        self.assertFalse(Submission._fields["commit_amount"].aggregator)
        self.assertFalse(Submission._fields["best_case_amount"].aggregator)
        self.assertFalse(self.env["crm.target.plan.period"]._fields["attainment"].aggregator)
        pivot = self.env["crm.forecast.slippage.report"].get_views([(False, "pivot")])
        arch = etree.fromstring(pivot["views"]["pivot"]["arch"])
        self.assertTrue(arch.xpath("//field[@name='date_period'][@type='col']"))
