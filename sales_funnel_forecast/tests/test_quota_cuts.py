# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quota attainment cut every way the other reports are (SPEC: by lead
source, medium, campaign, origin type and customer industry), counted by
hand: Rita's deal of one source invoiced 300, Otto's deal of another
invoiced 700 (untaxed, no tax)."""

from lxml import etree

from .common import FunnelCase, filters_domain


class TestQuotaCuts(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Source = cls.env["utm.source"]
        cls.fair = Source.create({"name": "Cuts Trade Fair", "origin_type": "spear"})
        cls.referral = Source.create({"name": "Cuts Referral", "origin_type": "seed"})
        Medium = cls.env["utm.medium"]
        cls.phone = Medium.create({"name": "Cuts Phone"})
        cls.email = Medium.create({"name": "Cuts Email"})
        Campaign = cls.env["utm.campaign"]
        cls.spring = Campaign.create({"name": "Cuts Spring"})
        cls.autumn = Campaign.create({"name": "Cuts Autumn"})
        Industry = cls.env["res.partner.industry"]
        cls.retail = Industry.create({"name": "Cuts Retail"})
        cls.banking = Industry.create({"name": "Cuts Banking"})
        cls.search_arch = cls.env.ref("sales_funnel_forecast.crm_quota_report_view_search")

    def setUp(self):
        super().setUp()
        # Rita's deal: a trade fair, by phone, of the spring campaign;
        # Otto's: a referral, by email, of the autumn campaign
        self.deal_a = self.make_deal(
            "Cuts A",
            self.s_won,
            300.0,
            source_id=self.fair.id,
            medium_id=self.phone.id,
            campaign_id=self.spring.id,
        )
        self.deal_b = self.make_deal(
            "Cuts B",
            self.s_won,
            700.0,
            user_id=self.other_rep.id,
            source_id=self.referral.id,
            medium_id=self.email.id,
            campaign_id=self.autumn.id,
        )
        self.invoice_a = self.post_invoice(self.deal_a, 300.0, self.company)
        self.invoice_b = self.post_invoice(self.deal_b, 700.0, self.company)
        # the customers billed: a retailer, a bank
        self.invoice_a.partner_id.industry_id = self.retail
        self.invoice_b.partner_id.industry_id = self.banking

    def revenue_by(self, field, user=None):
        """The test team's revenue grouped by ``field``, as ``user`` (the
        manager) reads it: {group's value: amount}."""
        Quota = self.env["crm.quota.report"].with_user(user or self.manager)
        return {
            key.display_name if hasattr(key, "display_name") else key: amount
            for key, amount in Quota._read_group(
                [("team_id", "=", self.team.id), ("basis", "!=", "target")],
                [field],
                ["amount:sum"],
            )
        }

    def revenue_where(self, domain):
        Quota = self.env["crm.quota.report"].with_user(self.manager)
        [(amount,)] = Quota._read_group(
            [("team_id", "=", self.team.id), *domain], [], ["amount:sum"]
        )
        return amount

    def assertOffered(self, field):
        """The report's search view lets a user type and group by ``field``."""
        arch = self.env["crm.quota.report"].get_view(self.search_arch.id, "search")["arch"]
        self.assertIn(f'<field name="{field}"', arch)
        self.assertIn(f"'group_by': '{field}'", arch)

    def test_quota_by_source(self):
        self.assertEqual(
            self.revenue_by("source_id"), {"Cuts Trade Fair": 300.0, "Cuts Referral": 700.0}
        )
        self.assertEqual(self.revenue_where([("source_id", "=", self.referral.id)]), 700.0)
        # a rep restricted to their own deals sees their own source only
        self.assertEqual(self.revenue_by("source_id", self.rep), {"Cuts Trade Fair": 300.0})
        self.assertOffered("source_id")

    def test_quota_by_medium(self):
        self.assertEqual(self.revenue_by("medium_id"), {"Cuts Phone": 300.0, "Cuts Email": 700.0})
        self.assertEqual(self.revenue_where([("medium_id", "=", self.phone.id)]), 300.0)
        self.assertEqual(self.revenue_by("medium_id", self.other_rep), {"Cuts Email": 700.0})
        self.assertOffered("medium_id")

    def test_quota_by_campaign(self):
        self.assertEqual(
            self.revenue_by("campaign_id"), {"Cuts Spring": 300.0, "Cuts Autumn": 700.0}
        )
        self.assertEqual(self.revenue_where([("campaign_id", "=", self.autumn.id)]), 700.0)
        self.assertEqual(self.revenue_by("campaign_id", self.rep), {"Cuts Spring": 300.0})
        self.assertOffered("campaign_id")

    def test_quota_by_origin_type(self):
        # the sources' origin types: the fair a spear, the referral a seed
        self.assertEqual(self.revenue_by("origin_type"), {"spear": 300.0, "seed": 700.0})
        self.assertEqual(self.revenue_by("origin_type", self.rep), {"spear": 300.0})
        # the Seeds filter, as the other reports offer it
        arch = self.env["crm.quota.report"].get_view(self.search_arch.id, "search")["arch"]
        domain = filters_domain(etree.fromstring(arch), lambda node: node.get("name") == "seed")
        self.assertEqual(domain, [("origin_type", "=", "seed")])
        self.assertEqual(self.revenue_where(domain), 700.0)
        self.assertIn("'group_by': 'origin_type'", arch)

    def test_quota_by_customer_industry(self):
        # the industry of the customer billed, as its tags cut the report
        self.assertEqual(
            self.revenue_by("industry_id"), {"Cuts Retail": 300.0, "Cuts Banking": 700.0}
        )
        self.assertEqual(self.revenue_where([("industry_id", "=", self.retail.id)]), 300.0)
        self.assertEqual(self.revenue_by("industry_id", self.other_rep), {"Cuts Banking": 700.0})
        self.assertOffered("industry_id")
