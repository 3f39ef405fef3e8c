# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import datetime

from odoo import Command
from odoo.modules.migration import load_script
from odoo.tests import tagged

from .common import FunnelCase, company_user
from .test_calls import CallsMixin


@tagged("post_install", "-at_install")
class TestCallCuts(CallsMixin, FunnelCase):
    """The Call Log cut the ways SPEC cuts every report: three calls, two on
    a deal of one medium, campaign, origin type and customer industry, one
    on a deal of others. Grouped by each, the log counts 2 and 1, as the
    deals were at the calls: a deal moved to the other campaign (or medium,
    origin type, customer industry) afterwards leaves its calls where they
    were made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.media = cls.env["utm.medium"].create([{"name": "Cut phone"}, {"name": "Cut email"}])
        cls.campaigns = cls.env["utm.campaign"].create(
            [{"name": "Cut spring"}, {"name": "Cut autumn"}]
        )
        cls.industries = cls.env["res.partner.industry"].create(
            [{"name": "Cut food"}, {"name": "Cut steel"}]
        )
        cls.partners = cls.env["res.partner"].create(
            [
                {"name": "Cut Bakery", "industry_id": cls.industries[0].id, "is_company": True},
                {"name": "Cut Foundry", "industry_id": cls.industries[1].id, "is_company": True},
            ]
        )

    def setUp(self):
        super().setUp()
        self.bakery = self.make_deal(
            "Bakery",
            self.s_new,
            partner_id=self.partners[0].id,
            medium_id=self.media[0].id,
            campaign_id=self.campaigns[0].id,
            origin_type="spear",
        )
        self.foundry = self.make_deal(
            "Foundry",
            self.s_new,
            partner_id=self.partners[1].id,
            medium_id=self.media[1].id,
            campaign_id=self.campaigns[1].id,
            origin_type="net",
        )
        self.call(self.bakery, "no_answer", datetime(2026, 3, 2, 9, 0))
        self.call(self.bakery, "conversation", datetime(2026, 3, 3, 9, 0))
        self.call(self.foundry, "voicemail", datetime(2026, 3, 3, 10, 0))
        self.deals = self.bakery | self.foundry

    def call_log(self, cut, reader=None):
        """The Call Log grouped by its search view's group ``cut``, as the
        manager (or ``reader``) reads it: {value: calls}."""
        Calls = self.env(user=reader or self.manager)["crm.lead.call"]
        arch = Calls.get_views([(False, "search")])["views"]["search"]["arch"]
        found = re.search(rf"name=\"group_{cut}\"[^>]*'group_by': '([^']+)'", arch, re.S)
        self.assertTrue(found, f"the Call Log groups its calls by {cut}")
        rows = Calls._read_group([("lead_id", "in", self.deals.ids)], [found.group(1)], ["__count"])
        return dict(rows)

    def test_call_log_by_medium(self):
        self.assertEqual(self.call_log("medium"), {self.media[0]: 2, self.media[1]: 1})
        # the foundry is now worked by phone: its call was made by email
        self.foundry.medium_id = self.media[0]
        self.assertEqual(self.call_log("medium"), {self.media[0]: 2, self.media[1]: 1})
        self.call(self.foundry, "conversation", datetime(2026, 3, 4, 9, 0))
        self.assertEqual(self.call_log("medium"), {self.media[0]: 3, self.media[1]: 1})

    def test_call_log_by_campaign(self):
        self.assertEqual(self.call_log("campaign"), {self.campaigns[0]: 2, self.campaigns[1]: 1})
        self.foundry.campaign_id = self.campaigns[0]
        self.assertEqual(self.call_log("campaign"), {self.campaigns[0]: 2, self.campaigns[1]: 1})
        # a call moved to the other deal (logged on the wrong one) takes the
        # campaign of the deal it joins, as it takes its source
        self.foundry.campaign_id = self.campaigns[1]
        first = self.bakery.call_ids.sorted("date")[0]
        first.with_user(self.rep).write({"lead_id": self.foundry.id})
        self.assertEqual(self.call_log("campaign"), {self.campaigns[0]: 1, self.campaigns[1]: 2})

    def test_call_log_by_origin_type(self):
        self.assertEqual(self.call_log("origin_type"), {"spear": 2, "net": 1})
        self.bakery.origin_type = "seed"
        self.assertEqual(self.call_log("origin_type"), {"spear": 2, "net": 1})
        # the search view's Seeds, Nets and Spears filters read the calls too
        Calls = self.env(user=self.manager)["crm.lead.call"]
        arch = Calls.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="spear"', arch)
        spears = Calls.search_count(
            [("lead_id", "in", self.deals.ids), ("origin_type", "=", "spear")]
        )
        self.assertEqual(spears, 2)

    def test_call_log_by_customer_industry(self):
        self.assertEqual(self.call_log("industry"), {self.industries[0]: 2, self.industries[1]: 1})
        # the bakery turns to steel: its two calls were made to the food trade
        self.partners[0].industry_id = self.industries[1]
        self.assertEqual(self.call_log("industry"), {self.industries[0]: 2, self.industries[1]: 1})

    def filtered(self, field, value):
        """The calls of the Call Log that its search view's field ``field``
        finds for ``value`` (a record picked, or a name typed), as the
        manager reads them: {deal: calls}."""
        Calls = self.env(user=self.manager)["crm.lead.call"]
        arch = Calls.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn(f'<field name="{field}"', arch, f"the Call Log searches by {field}")
        calls = Calls.search([("lead_id", "in", self.deals.ids), (field, "=", value.id)])
        typed = Calls.search([("lead_id", "in", self.deals.ids), (field, "ilike", value.name)])
        self.assertEqual(typed, calls, f"{value.name} typed finds what {value.name} picked does")
        return {
            deal: len(calls.filtered(lambda c, d=deal: c.lead_id == d)) for deal in calls.lead_id
        }

    def test_call_log_by_customer_tag(self):
        tags = self.env["res.partner.category"].create(
            [{"name": "Cut retail"}, {"name": "Cut key"}]
        )
        self.partners[0].category_id = tags
        self.partners[1].category_id = tags[1]
        self.assertEqual(self.filtered("partner_category_id", tags[0]), {self.bakery: 2})
        self.assertEqual(
            self.filtered("partner_category_id", tags[1]), {self.bakery: 2, self.foundry: 1}
        )

    def test_call_log_by_product(self):
        desk, chair = self.env["product.product"].create(
            [{"name": "Cut desk", "list_price": 100}, {"name": "Cut chair", "list_price": 50}]
        )
        for deal, products in ((self.bakery, desk | chair), (self.foundry, chair)):
            self.env["sale.order"].create(
                {
                    "partner_id": deal.partner_id.id,
                    "opportunity_id": deal.id,
                    "order_line": [Command.create({"product_id": p.id}) for p in products],
                }
            )
        self.assertEqual(self.filtered("product_id", desk), {self.bakery: 2})
        self.assertEqual(self.filtered("product_id", chair), {self.bakery: 2, self.foundry: 1})
        self.assertEqual(
            self.filtered("product_categ_id", desk.categ_id), {self.bakery: 2, self.foundry: 1}
        )

    def test_call_log_by_company(self):
        other = self.env["res.company"].create({"name": "Cut Other Co"})
        abroad = self.make_deal("Abroad", self.s_new, company_id=other.id, user_id=False)
        self.env["crm.lead.call"].create(
            {"lead_id": abroad.id, "outcome": "busy", "user_id": self.manager.id}
        )
        self.deals |= abroad
        both = company_user(
            self.env,
            "sff_cut_manager",
            "Cut Manager",
            "sales_team.group_sale_manager,base.group_multi_company",
            self.company | other,
        )
        self.assertEqual(self.call_log("company", both), {self.company: 3, other: 1})

    def test_calls_of_an_earlier_release_get_the_cuts_of_their_deal(self):
        # calls logged before the release that keeps their cuts: the
        # columns come with the upgrade, filled from their deals in SQL
        self.env.flush_all()
        self.env.cr.execute(
            """ALTER TABLE crm_lead_call DROP COLUMN medium_id, DROP COLUMN campaign_id,
                                         DROP COLUMN origin_type, DROP COLUMN industry_id"""
        )
        self.registry.init_models(
            self.env.cr, ["crm.lead.call"], {"module": "sales_funnel_forecast"}
        )
        self.env.invalidate_all()
        self.assertEqual(self.call_log("campaign"), {self.campaigns[0]: 2, self.campaigns[1]: 1})
        self.assertEqual(self.call_log("medium"), {self.media[0]: 2, self.media[1]: 1})
        self.assertEqual(self.call_log("origin_type"), {"spear": 2, "net": 1})
        self.assertEqual(self.call_log("industry"), {self.industries[0]: 2, self.industries[1]: 1})

    def test_upgrade_from_before_the_chat_leads_step_gives_calls_their_deals_type(self):
        """An upgrade from 18.0.1.23.0 fills the calls' origin type from their
        deals, then 18.0.1.24.0's step makes a chat lead "net": the calls of
        that deal follow at the end of the upgrade (they kept "seed")."""
        deal = self.bakery
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead_call SET origin_type = 'seed' WHERE lead_id = %s", [deal.id]
        )
        self.env.cr.execute("UPDATE crm_lead SET origin_type = 'net' WHERE id = %s", [deal.id])
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.25.0/post-migrate.py",
            "sff_post_migrate_18_0_1_25_0",
        )
        migration.migrate(self.env.cr, "18.0.1.23.0")
        self.env.invalidate_all()
        self.assertEqual(self.call_log("origin_type"), {"net": 3})

    def test_calls_rebuilt_from_their_notes_get_the_cuts_of_their_deal(self):
        # a reinstall: the calls went with the module, their notes stayed
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM crm_lead_call WHERE lead_id = ANY(%s)", [self.deals.ids])
        self.env.invalidate_all()
        self.env["crm.lead"]._sff_backfill_calls()
        self.assertEqual(len(self.deals.call_ids), 3)
        self.assertEqual(self.call_log("campaign"), {self.campaigns[0]: 2, self.campaigns[1]: 1})
        self.assertEqual(self.call_log("medium"), {self.media[0]: 2, self.media[1]: 1})
        self.assertEqual(self.call_log("origin_type"), {"spear": 2, "net": 1})
        self.assertEqual(self.call_log("industry"), {self.industries[0]: 2, self.industries[1]: 1})
