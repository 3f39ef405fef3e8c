# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.tests import tagged

from .common import FunnelCase
from .test_calls import CallsMixin


@tagged("post_install", "-at_install")
class TestCustomerSegment(CallsMixin, FunnelCase):
    """The customer segment's tags are the customer company's: a deal with
    a contact of a company tagged "Key account", or an invoice to its
    invoicing address, is in that segment, as a deal with the company
    itself. Three deals: one with Acme (tagged), one with Jane, Acme's
    buyer (untagged herself), one with Other Ltd (untagged)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env["res.partner.category"].create({"name": "Segment key account"})
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create(
            {"name": "Segment Acme", "is_company": True, "category_id": cls.tag.ids}
        )
        cls.jane = Partner.create({"name": "Jane Buyer", "parent_id": cls.acme.id})
        cls.billing = Partner.create(
            {"name": "Acme Accounts", "type": "invoice", "parent_id": cls.acme.id}
        )
        cls.other = Partner.create({"name": "Segment Other Ltd", "is_company": True})

    def setUp(self):
        super().setUp()
        self.with_company = self.make_deal("With Acme", self.s_new, 1000, partner_id=self.acme.id)
        self.with_contact = self.make_deal("With Jane", self.s_new, 2000, partner_id=self.jane.id)
        self.with_other = self.make_deal("With Other", self.s_new, 4000, partner_id=self.other.id)
        self.deals = self.with_company | self.with_contact | self.with_other

    def found(self, operator, value, model="crm.funnel.report"):
        """The deals of ``model``'s rows (as the manager reads them) that
        the Customer Tag filter finds for ``operator`` and ``value``."""
        rows = self.env(user=self.manager)[model].search(
            [("lead_id", "in", self.deals.ids), ("partner_category_id", operator, value)]
        )
        return rows.lead_id

    def segment(self, model, operator="="):
        """The deals the filter finds for the tag."""
        return self.found(operator, self.tag.id, model)

    def test_funnel_and_forecast_take_the_companys_tags(self):
        for model in ("crm.funnel.report", "crm.forecast.report"):
            self.assertEqual(
                self.segment(model), self.with_company | self.with_contact, f"{model}: tagged"
            )
            self.assertEqual(self.segment(model, "!="), self.with_other, f"{model}: not tagged")
        # the forecast's open amounts of the segment: 1,000 + 2,000
        rows = self.env(user=self.manager)["crm.forecast.report"].read_group(
            [("lead_id", "in", self.deals.ids), ("partner_category_id", "in", self.tag.ids)],
            ["expected_revenue:sum"],
            [],
        )
        self.assertEqual(rows[0]["expected_revenue"], 3000.0)

    def test_call_log_takes_the_companys_tags(self):
        self.call(self.with_contact, "conversation", datetime(2026, 3, 3, 9, 0))
        self.call(self.with_other, "no_answer", datetime(2026, 3, 3, 10, 0))
        self.assertEqual(self.segment("crm.lead.call"), self.with_contact)
        self.assertEqual(self.segment("crm.lead.call", "!="), self.with_other)

    def test_quota_of_an_invoice_to_the_invoicing_address(self):
        invoice = self.post_invoice(self.with_company, 700, self.company)
        invoice.button_draft()
        invoice.partner_id = self.billing
        invoice.action_post()
        other = self.post_invoice(self.with_other, 300, self.company)
        Quota = self.env(user=self.manager)["crm.quota.report"]
        moves = (invoice | other).ids
        tagged_rows = Quota.search(
            [("move_id", "in", moves), ("partner_category_id", "=", self.tag.id)]
        )
        self.assertEqual(tagged_rows.move_id, invoice)
        self.assertEqual(sum(tagged_rows.mapped("amount")), 700.0)
        untagged = Quota.search(
            [("move_id", "in", moves), ("partner_category_id", "not in", self.tag.ids)]
        )
        self.assertEqual(untagged.move_id, other)

    def test_archived_customer_in_and_archived_tag_out(self):
        """Acme archived: its deals are still in its segment; a tag archived
        ("Segment key account 2019") is not found by its name typed, as the
        partner form no longer offers it."""
        old_tag = self.env["res.partner.category"].create(
            {"name": "Segment key account 2019", "active": False}
        )
        self.other.category_id = old_tag
        self.acme.active = False
        Funnel = self.env(user=self.manager)["crm.funnel.report"]
        self.assertEqual(
            Funnel.search(
                [("lead_id", "in", self.deals.ids), ("partner_category_id", "=", self.tag.id)]
            ).lead_id,
            self.with_company | self.with_contact,
        )
        typed = Funnel.search(
            [("lead_id", "in", self.deals.ids), ("partner_category_id", "ilike", "Segment key")]
        )
        self.assertEqual(typed.lead_id, self.with_company | self.with_contact)

    def test_tag_chosen_then_archived(self):
        """A favourite filter "Customer Tag: Segment key account" saved last
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
        self.assertFalse(self.found("ilike", "Segment key"))

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
