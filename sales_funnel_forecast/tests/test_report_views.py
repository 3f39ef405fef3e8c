# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter
from unittest.mock import patch

from odoo import models
from odoo.tests import tagged
from odoo.tools import SQL

from .common import FunnelCase

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
