# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer invoices and credit notes linked to the deal they bill."""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import sql as sql_tools

from ..const import SALE_DOCUMENTS


class AccountMove(models.Model):
    _inherit = "account.move"

    opportunity_id = fields.Many2one(
        "crm.lead",
        compute="_compute_opportunity_id",
        store=True,
        readonly=False,
        # a credit note's follows the invoice it reverses
        recursive=True,
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('type', '=', 'opportunity')]",
        help="The deal this invoice bills: taken from the deal of the orders it "
        "invoices (the one with the larger share when the orders belong to "
        "several deals), from the invoice a credit note reverses, or set by hand. "
        "Its untaxed amount counts in the deal's invoiced revenue and in the "
        "salesperson's quota attainment.",
    )
    opportunity_warning = fields.Char(compute="_compute_opportunity_warning")
    # the deal's Invoiced list totals it: the button's figure, line by line
    sff_untaxed_signed = fields.Monetary(
        string="Untaxed Revenue",
        currency_field="company_currency_id",
        compute="_compute_sff_untaxed_signed",
        help="The untaxed amount in the company's currency, credit notes negative, as the "
        "deal's invoiced amount and Odoo's Invoicing Analysis count it: the product "
        "lines, without the line a cash rounding adds.",
    )

    def _auto_init(self):
        # The column exists before the ORM sees the field, so that installing
        # onto years of invoices does not compute the link invoice by
        # invoice: the post-install hook fills it in one statement
        # (_sff_link_existing_invoices).
        if not sql_tools.column_exists(self.env.cr, self._table, "opportunity_id"):
            self.env.cr.execute("ALTER TABLE account_move ADD COLUMN opportunity_id int4")
        return super()._auto_init()

    @api.model
    def _sff_link_existing_invoices(self):
        """Set-based, for install and upgrade: customer invoices and credit
        notes without a deal take the deal of the orders they invoice (the
        larger share of their untaxed lines; on a tie the older deal), then
        credit notes still without one take the deal of the invoice they
        reverse. Returns the number of documents linked."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            WITH shares AS (
                -- an invoice line counts once for each deal behind it, a
                -- deduction (a down payment already invoiced) less
                SELECT line.move_id, line.opportunity_id, SUM(line.price_subtotal) AS amount
                  FROM (SELECT DISTINCT ml.id, ml.move_id, ml.price_subtotal, o.opportunity_id
                          FROM account_move_line ml
                          JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = ml.id
                          JOIN sale_order_line ol ON ol.id = rel.order_line_id
                          JOIN sale_order o ON o.id = ol.order_id
                         WHERE o.opportunity_id IS NOT NULL) line
              GROUP BY line.move_id, line.opportunity_id
            ),
            best AS (
                SELECT DISTINCT ON (move_id) move_id, opportunity_id
                  FROM shares
              ORDER BY move_id, amount DESC, opportunity_id
            )
            UPDATE account_move m SET opportunity_id = b.opportunity_id
              FROM best b
              JOIN crm_lead l ON l.id = b.opportunity_id
             WHERE m.id = b.move_id AND m.opportunity_id IS NULL
               AND m.move_type IN %(types)s
               AND (l.company_id IS NULL OR l.company_id = m.company_id)
            """,
                types=SALE_DOCUMENTS,
            )
        )
        linked = cr.rowcount
        cr.execute("""
            UPDATE account_move m SET opportunity_id = r.opportunity_id
              FROM account_move r
             WHERE m.reversed_entry_id = r.id AND m.move_type = 'out_refund'
               AND m.opportunity_id IS NULL AND r.opportunity_id IS NOT NULL
        """)
        linked += cr.rowcount
        self.invalidate_model(["opportunity_id"])
        return linked

    def _sff_deal_shares(self):
        """The deals of the orders this invoice bills, larger share first (on
        a tie, the older deal): a line counts for each deal behind it, a
        deduction (a down payment already invoiced) less."""
        self.ensure_one()
        shares = defaultdict(float)
        if self.move_type in SALE_DOCUMENTS:
            for line in self.invoice_line_ids:
                for deal in line.sale_line_ids.order_id.opportunity_id:
                    shares[deal] += line.price_subtotal
        return sorted(shares.items(), key=lambda item: (-item[1], item[0].id))

    @api.depends(
        "amount_untaxed_signed",
        "line_ids.balance",
        "line_ids.display_type",
        "line_ids.tax_repartition_line_id",
    )
    def _compute_sff_untaxed_signed(self):
        # crm_lead_invoice.untaxed_sql's rule, per document: Odoo's untaxed
        # amount, less the line of no tax a cash rounding adds to it
        for move in self:
            move.sff_untaxed_signed = move.amount_untaxed_signed + sum(
                line.balance
                for line in move.line_ids
                if line.display_type == "rounding" and not line.tax_repartition_line_id
            )

    @api.depends(
        "move_type",
        "invoice_line_ids.sale_line_ids.order_id.opportunity_id",
        "invoice_line_ids.price_subtotal",
        "reversed_entry_id.opportunity_id",
    )
    def _compute_opportunity_id(self):
        for move in self:
            if move.move_type not in SALE_DOCUMENTS:
                move.opportunity_id = False
                continue
            if move.move_type == "out_refund" and move.reversed_entry_id.opportunity_id:
                # a credit note goes with the invoice it reverses, wherever
                # that invoice was moved
                move.opportunity_id = move.reversed_entry_id.opportunity_id
                continue
            ranked = move._sff_deal_shares()
            # without an order of a deal behind it, the link set by hand (or
            # the reversed invoice's) stays
            if ranked:
                move.opportunity_id = ranked[0][0]

    @api.depends(
        "move_type",
        "invoice_line_ids.sale_line_ids.order_id.opportunity_id",
        "invoice_line_ids.price_subtotal",
    )
    def _compute_opportunity_warning(self):
        for move in self:
            ranked = move._sff_deal_shares()
            # sudo: the names of the deals of orders the user invoices, which
            # a salesperson who invoices may not read
            move.opportunity_warning = len(ranked) > 1 and self.env._(
                "This invoice bills orders of several opportunities (%(deals)s): it counts "
                "for %(deal)s, which has the larger share. Split the invoice per order to "
                "credit each opportunity.",
                deals=", ".join(deal.sudo().name for deal, _amount in ranked),
                deal=ranked[0][0].sudo().name,
            )

    @api.constrains("opportunity_id", "move_type")
    def _check_opportunity_document(self):
        for move in self:
            if move.opportunity_id and move.move_type not in SALE_DOCUMENTS:
                raise ValidationError(
                    self.env._(
                        "Only customer invoices and credit notes can be linked to an opportunity "
                        "(%(move)s is not one).",
                        move=move.display_name,
                    )
                )

    @api.constrains("opportunity_id", "company_id", "state")
    def _check_opportunity_currency(self):
        """A deal of no company may be billed by any company (Odoo's rule of
        the deal field), but its invoices' amounts are added up in one
        currency (crm.lead._check_invoice_currency keeps a deal of a company
        to its invoices' currency): those of a company keeping its books in
        another currency than its other invoices are refused."""
        # sudo: the deal's company only, which an invoicing user who may
        # not read the deal links it in (Odoo's rule of the field)
        moves = self.filtered(
            lambda move: (
                move.opportunity_id
                and not move.opportunity_id.sudo().company_id
                and move.state != "cancel"
                and move.move_type in SALE_DOCUMENTS
            )
        )
        if not moves:
            return
        documents = self.env["crm.lead"]._sff_sale_documents(
            moves.opportunity_id.ids, cancelled=False
        )
        for move in moves:
            other = documents.filtered(
                lambda document, move=move: (
                    document.opportunity_id == move.opportunity_id
                    and document.company_id.currency_id != move.company_id.currency_id
                )
            )[:1]
            if other:
                # sudo: the deal's name only (as above)
                raise ValidationError(
                    self.env._(
                        "%(deal)s has invoices of %(company)s, in %(currency)s: %(move)s of "
                        "%(new_company)s, in %(new_currency)s, cannot bill it too (a deal's "
                        "invoiced amount is in one currency). Invoice it from a company in "
                        "%(currency)s, or bill another deal.",
                        deal=move.opportunity_id.sudo().display_name,
                        company=other.company_id.name,
                        currency=other.company_id.currency_id.name,
                        move=move.display_name,
                        new_company=move.company_id.name,
                        new_currency=move.company_id.currency_id.name,
                    )
                )

    def write(self, vals):
        if "opportunity_id" not in vals:
            return super().write(vals)
        before = {move: move.opportunity_id for move in self if move.state == "posted"}
        result = super().write(vals)
        changed = [(move, old) for move, old in before.items() if move.opportunity_id != old]
        if changed:
            self._sff_log_link_change(changed)
            # a posted invoice linked afterwards moves its deal on as posting
            # (or paying) it would have
            deals = (
                self.browse([move.id for move, _old in changed])
                .filtered(lambda move: move.move_type == "out_invoice")
                .opportunity_id
            )
            deals._sff_follow_documents("invoice")
            deals._sff_follow_documents("payment")
        return result

    def _sff_log_link_change(self, changed):
        """A posted invoice moved from one deal to another: both deals' chatter
        says so."""
        for move, old in changed:
            new = move.opportunity_id
            link = move._get_html_link()
            # sudo: each note names the other deal, which the user who moved
            # the invoice may not read (a salesperson with invoicing rights
            # who reads own deals only), as Odoo's tracking names a record
            old_name, new_name = old.sudo().name, new.sudo().name
            if old:
                # sudo: accountants change links without write rights on deals;
                # the note is the deal's own record of its invoices
                old.sudo()._message_log(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "Invoice %(invoice)s is no longer linked to this opportunity (now: %(deal)s), "
                        "changed by %(user)s.",
                        invoice=link,
                        deal=new_name or self.env._("none"),
                        user=self.env.user.name,
                    )
                )
            if new:
                # sudo: as above
                new.sudo()._message_log(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "Invoice %(invoice)s is now linked to this opportunity (before: %(deal)s), "
                        "changed by %(user)s.",
                        invoice=link,
                        deal=old_name or self.env._("none"),
                        user=self.env.user.name,
                    )
                )

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # a credit note counts against the deal of the invoice it reverses
        if not default_values_list:
            default_values_list = [{} for _move in self]
        for move, default_values in zip(self, default_values_list):
            if move.opportunity_id and "opportunity_id" not in default_values:
                default_values["opportunity_id"] = move.opportunity_id.id
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted.filtered(
            lambda move: move.move_type == "out_invoice"
        ).opportunity_id._sff_follow_documents("invoice")
        return posted
