# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the report views share: the filters on a deal's quotations, its
customer's tags and industry, and a view created from a SELECT."""

from odoo import fields, models, tools
from odoo.tools import SQL

from ..const import ORIGIN_TYPES


def create_view(model, query):
    """The report view of ``model`` (a model with ``_auto = False``) made
    from the SELECT ``query``."""
    tools.drop_view_if_exists(model.env.cr, model._table)
    model.env.cr.execute(
        SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(model._table), query)
    )


def in_won_stage(stage_column):
    """Whether the stage ``stage_column`` (an SQL column) is a won stage,
    without joining the stages: the won stages' ids are read once per
    query (an init plan), so that a report over every deal pays a lookup
    in a short array per deal instead of a join, which PostgreSQL can then
    leave out of the queries that read no other column of the stage."""
    return SQL(
        "COALESCE(%s = ANY(ARRAY(SELECT id FROM crm_stage WHERE is_won)), FALSE)", stage_column
    )


class ReportQueryMixin(models.AbstractModel):
    """A report view's query in parts, as Odoo's sale.report and
    crm.activity.report build theirs: another module adds a column by
    extending _select() (and _join() for the table it comes from) with
    super(), without copying the query. A view made of a union reads it as
    a subquery in _from(); one made of steps, as common table expressions
    in _with()."""

    _name = "crm.report.query.mixin"
    _description = "Report View Query"

    def _with(self):
        """The common table expressions the query starts with, or empty (an
        extension adds its own after ``super()``'s with a comma when that is
        not empty; likewise ``AND`` in ``_where``)."""
        return SQL()

    def _select(self):
        """The view's columns (SQL), the report's ``id`` among them."""
        return None

    def _from(self):
        """The table (or subquery) the rows come from, with its alias."""
        return None

    def _join(self):
        """The other tables, each with its JOIN clause."""
        return SQL()

    def _where(self):
        """The condition on the rows, or empty for every row."""
        return SQL()

    def _group_by(self):
        """The columns the rows are grouped by, or empty."""
        return SQL()

    def _query(self):
        """The view's SELECT, from its parts."""
        with_, where, group_by = self._with(), self._where(), self._group_by()
        return SQL(
            # a line a part: a part ending with a -- comment ends only itself
            "%s\nSELECT %s\nFROM %s\n%s\n%s\n%s",
            SQL("WITH %s", with_) if with_ else SQL(),
            self._select(),
            self._from(),
            self._join(),
            SQL("WHERE %s", where) if where else SQL(),
            SQL("GROUP BY %s", group_by) if group_by else SQL(),
        )

    def init(self):
        # the reports built otherwise (the funnel totals) leave _from() empty
        if self._from() is not None:
            create_view(self, self._query())


class FunnelReportMixin(models.AbstractModel):
    """Report views with a ``lead_id`` column: filters on the products of the
    deal's quotations and on its customer's tags."""

    _name = "crm.funnel.report.mixin"
    _inherit = ["crm.report.query.mixin"]
    _description = "Sales Funnel Report Filters"

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
        return self._sff_quoted_deals(
            self.env["product.product"]._search([("id", operator, value)])
        )

    def _search_product_categ_id(self, operator, value):
        return self._sff_quoted_deals(
            self.env["product.product"]._search(
                [("categ_id", "child_of", value)]
                if operator in ("=", "in", "child_of")
                else [("categ_id", operator, value)]
            )
        )

    def _search_partner_category_id(self, operator, value):
        partners = self.env["res.partner"]._search([("category_id", operator, value)])
        return [("partner_id", "in", partners)]


class FunnelReportDealMixin(models.AbstractModel):
    """Report views with one row per deal (or per deal and stage): the deal's
    salesperson, team, company, customer and origin, as dimensions."""

    _name = "crm.funnel.report.deal.mixin"
    _inherit = ["crm.funnel.report.mixin"]
    _description = "Sales Funnel Report Deal Dimensions"

    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    origin_type = fields.Selection(ORIGIN_TYPES, readonly=True)
