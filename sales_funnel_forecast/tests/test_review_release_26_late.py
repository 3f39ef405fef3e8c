# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Follow-ups of the late commits of 18.0.1.26.0: the Customer Tag filter
(a tag chosen, archived since; "is set" and "is not set")."""

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestCustomerTagChoices(FunnelCase):
    """Three deals: one with Acme (tagged "Review key account"), one with
    Jane, Acme's buyer (untagged herself), one with Other Ltd (untagged)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env["res.partner.category"].create({"name": "Review key account"})
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create(
            {"name": "Review Acme", "is_company": True, "category_id": cls.tag.ids}
        )
        cls.jane = Partner.create({"name": "Review Jane", "parent_id": cls.acme.id})
        cls.other = Partner.create({"name": "Review Other Ltd", "is_company": True})

    def setUp(self):
        super().setUp()
        self.with_company = self.make_deal("With Acme", self.s_new, 1000, partner_id=self.acme.id)
        self.with_contact = self.make_deal("With Jane", self.s_new, 2000, partner_id=self.jane.id)
        self.with_other = self.make_deal("With Other", self.s_new, 4000, partner_id=self.other.id)
        self.deals = self.with_company | self.with_contact | self.with_other

    def found(self, operator, value, model="crm.funnel.report"):
        rows = self.env(user=self.manager)[model].search(
            [("lead_id", "in", self.deals.ids), ("partner_category_id", operator, value)]
        )
        return rows.lead_id

    def test_tag_chosen_then_archived(self):
        """A favourite filter "Customer Tag: Review key account" saved last
        year (the tag's id), the tag archived at the year's end: the filter
        still finds the deals with Acme and Jane (1,000 + 2,000), and its
        negation the deal with Other Ltd; only a name typed finds active
        tags only. Before, the archived tag's id found no deal at all."""
        self.tag.active = False
        self.assertEqual(self.found("=", self.tag.id), self.with_company | self.with_contact)
        self.assertEqual(self.found("in", self.tag.ids), self.with_company | self.with_contact)
        self.assertEqual(self.found("not in", self.tag.ids), self.with_other)
        rows = self.env(user=self.manager)["crm.forecast.report"].read_group(
            [("lead_id", "in", self.deals.ids), ("partner_category_id", "=", self.tag.id)],
            ["expected_revenue:sum"],
            [],
        )
        self.assertEqual(rows[0]["expected_revenue"], 3000.0)
        self.assertFalse(self.found("ilike", "Review key"))

    def test_tag_set_and_not_set(self):
        """The custom filter's "Customer Tag is set": the deals whose
        customer or its company is tagged (Acme's, Jane's); "is not set":
        the deal with Other Ltd. Before, "is not set" found no deal and
        "is set" all three."""
        for model in ("crm.funnel.report", "crm.forecast.report"):
            self.assertEqual(
                self.found("!=", False, model), self.with_company | self.with_contact, model
            )
            self.assertEqual(self.found("=", False, model), self.with_other, model)
