# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import ast

from lxml import etree

from odoo.tests import TransactionCase, tagged

# the reports' cuts: searched by, and grouped by in the pivot and graph
SEARCHED = ["user_id", "team_id", "partner_id", "industry_id", "partner_category_id", "product_id",
            "product_categ_id", "source_id", "medium_id", "campaign_id"]
GROUPED = ["user_id", "team_id", "partner_id", "industry_id", "source_id", "medium_id", "campaign_id",
           "origin_type", "company_id"]
REPORTS = ["crm.funnel.report", "crm.forecast.report", "crm.lead.source.report"]


@tagged("post_install", "-at_install")
class TestReportViews(TransactionCase):
    """The reports' search views offer every cut of the deals, and date
    filters that Odoo's Comparison menu works on; each report opens as
    pivot, graph and list."""

    def test_reports_cut_by_every_dimension(self):
        # the company is a cut for the users of several companies
        self.env.user.groups_id |= self.env.ref("base.group_multi_company")
        for model in REPORTS:
            views = self.env[model].get_views([(False, "search"), (False, "pivot"), (False, "graph"),
                                               (False, "list")])["views"]
            search = etree.fromstring(views["search"]["arch"])
            fields = {node.get("name") for node in search.iter("field")}
            self.assertLessEqual(set(SEARCHED), fields, model)
            grouped = {ast.literal_eval(node.get("context"))["group_by"].split(":")[0]
                       for node in search.iter("filter") if "group_by" in (node.get("context") or "")}
            self.assertLessEqual(set(GROUPED), grouped, model)
            # the Comparison menu compares the periods of date filters
            self.assertTrue([node for node in search.iter("filter") if node.get("date")], model)
            for kind in ("pivot", "graph", "list"):
                self.assertEqual(etree.fromstring(views[kind]["arch"]).tag, kind, (model, kind))
