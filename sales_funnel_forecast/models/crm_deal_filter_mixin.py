# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.osv import expression
from odoo.tools import SQL


class DealFilterMixin(models.AbstractModel):
    """Records of a deal (``lead_id``), filtered as the reports filter them:
    on the products of the deal's quotations and on its customer's tags,
    as they are now (search only)."""

    _name = "crm.deal.filter.mixin"
    _description = "Filters on a Deal's Quotations and Customer Tags"

    product_id = fields.Many2one(
        "product.product",
        compute="_compute_search_only",
        search="_search_product_id",
        help="A product quoted to the deal.",
    )
    product_categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        compute="_compute_search_only",
        search="_search_product_categ_id",
        help="A category of a product quoted to the deal.",
    )
    partner_category_id = fields.Many2one(
        "res.partner.category",
        string="Customer Tag",
        compute="_compute_search_only",
        search="_search_partner_category_id",
    )

    def _compute_search_only(self):
        self.product_id = self.product_categ_id = self.partner_category_id = False

    def _sff_quoted_deals(self, products):
        """Rows whose deal has a live quotation or order of ``products`` (a
        query on product.product)."""
        return [
            (
                "lead_id",
                "in",
                SQL(
                    """(SELECT o.opportunity_id FROM sale_order o
                  JOIN sale_order_line ol ON ol.order_id = o.id
                 WHERE o.opportunity_id IS NOT NULL AND o.state <> 'cancel'
                   AND ol.product_id IN %s)""",
                    products.subselect(),
                ),
            )
        ]

    def _search_product_id(self, operator, value):
        # archived products included: a product no longer sold was quoted
        Product = self.env["product.product"].with_context(active_test=False)
        return self._sff_positive_search(Product, operator, value, self._sff_quoted_deals)

    def _sff_positive_search(self, Model, operator, value, domain_of):
        """The domain ``domain_of`` gives for the records of ``Model`` that
        ``operator`` and ``value`` find: ids chosen (archived since too: a
        saved filter's), or a name typed in the search bar (``Model``'s
        records as its context reads them); "is set" (``!= False``) is the
        rows of any record, "is not set" the others; a negative operator is
        the rows that the positive one does not find."""
        name = isinstance(value, str) or (
            isinstance(value, list | tuple) and any(isinstance(item, str) for item in value)
        )
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if negative:
            operator = expression.TERM_OPERATORS_NEGATION[operator]
        if value is False:
            # "= False" finds the rows of no record: the negation of any
            domain = domain_of(Model._search([]))
            negative = not negative
        elif name:
            domain = domain_of(Model._search([("display_name", operator, value)]))
        else:
            domain = domain_of(
                Model.with_context(active_test=False)._search([("id", operator, value)])
            )
        return ["!", *domain] if negative else domain

    def _search_product_categ_id(self, operator, value):
        return self._sff_quoted_deals(
            self.env["product.product"]
            .with_context(active_test=False)
            ._search(
                [("categ_id", "child_of", value)]
                if operator in ("=", "in", "child_of")
                else [("categ_id", operator, value)]
            )
        )

    def _search_partner_category_id(self, operator, value):
        # a customer's segment is its company's: a contact or an invoicing
        # address of a tagged company carries the company's tags too; the
        # customers archived too (their deals are in the reports), the tags
        # a name typed finds active, as the partner form offers them
        def customers_of(tags):
            return self._sff_customers_domain(
                self.env["res.partner"]._search(
                    [
                        ("active", "in", (True, False)),
                        "|",
                        ("category_id", "in", tags),
                        ("commercial_partner_id.category_id", "in", tags),
                    ]
                )
            )

        return self._sff_positive_search(
            self.env["res.partner.category"], operator, value, customers_of
        )

    def _sff_customers_domain(self, partners):
        """The records of the customers ``partners`` (a query): the rows'
        own ``partner_id``."""
        return [("partner_id", "in", partners)]
