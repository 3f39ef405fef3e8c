# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the accountants' invoices say about a deal: invoiced, paid and
overdue amounts, and the stages a deal reaches when its documents move."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..const import SALE_DOCUMENTS
from ..tools.days import local_today
from ..tools.jobs import run_batch

_logger = logging.getLogger(__name__)

DOCUMENT_TRIGGERS = [
    ("order", "Quotation confirmed"),
    ("invoice", "First invoice posted"),
    ("payment", "Invoices fully paid"),
]
# invoices Odoo considers settled: paid, paid but not yet matched with the
# bank statement, or cancelled out by a credit note
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")


def untaxed_sql(move_alias):
    """The untaxed amount of the invoice or credit note ``move_alias`` (an
    ``account_move`` row), in company currency, credit notes negative, as
    Odoo's Invoicing Analysis counts it: its product lines. Odoo's own
    untaxed amount counts a cash rounding's line too (added to round the
    total, of no tax): it is taken back out. Only invoices with a cash
    rounding read their lines."""
    return SQL(
        """(%(untaxed)s + CASE WHEN %(rounding)s IS NULL THEN 0 ELSE COALESCE(
                (SELECT SUM(r.balance) FROM account_move_line r
                  WHERE r.move_id = %(move)s AND r.display_type = 'rounding'
                    AND r.tax_repartition_line_id IS NULL), 0) END)""",
        untaxed=SQL.identifier(move_alias, "amount_untaxed_signed"),
        rounding=SQL.identifier(move_alias, "invoice_cash_rounding_id"),
        move=SQL.identifier(move_alias, "id"),
    )


def invoice_figures_sql(lead_filter, today):
    """Per deal, from its posted customer invoices and credit notes (untaxed
    as ``untaxed_sql`` counts it, company currency at the invoice date,
    credit notes negative): invoiced,
    paid (each document's untaxed amount times the share of its total that is
    settled) and overdue (what customers still owe on the installments of
    invoices past their due date, as the invoice's own "overdue installments"
    say: an invoice's due date is its last installment's). ``lead_filter`` is
    an SQL condition on ``m.opportunity_id``; ``today`` the day of the funnel
    totals' time zone (``local_today``), the same whoever posts or pays."""
    return SQL(
        """
        SELECT m.opportunity_id AS lead_id,
               SUM(%(untaxed)s) AS invoiced,
               SUM(CASE WHEN m.amount_total <> 0
                        THEN %(untaxed)s * (m.amount_total - m.amount_residual) / m.amount_total
                        WHEN m.payment_state IN %(settled)s THEN %(untaxed)s
                        ELSE 0 END) AS paid,
               SUM(COALESCE(late.amount, 0)) AS overdue
          FROM account_move m
     LEFT JOIN LATERAL (
                SELECT SUM(t.amount_residual) AS amount
                  FROM account_move_line t
                 WHERE t.move_id = m.id AND m.move_type = 'out_invoice'
                   AND t.display_type = 'payment_term' AND t.date_maturity < %(today)s
               ) late ON TRUE
         WHERE m.state = 'posted' AND m.move_type IN %(types)s AND %(lead_filter)s
      GROUP BY m.opportunity_id
        """,
        untaxed=untaxed_sql("m"),
        settled=SETTLED_PAYMENT_STATES,
        today=today,
        types=SALE_DOCUMENTS,
        lead_filter=lead_filter,
    )


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    invoice_ids = fields.One2many(
        "account.move",
        "opportunity_id",
        string="Invoices",
        domain=[("move_type", "in", SALE_DOCUMENTS)],
    )
    # the customer's invoices in figures: for the company's own users (a
    # reseller on Odoo's partner portal reads the deal, not its invoices)
    invoice_count = fields.Integer(compute="_compute_invoice_count", groups="base.group_user")
    invoiced_amount = fields.Monetary(
        groups="base.group_user",
        prefetch="sff_deal_figures",
        string="Invoiced",
        currency_field="company_currency",
        compute="_compute_invoice_amounts",
        store=True,
        copy=False,
        help="Untaxed amount of the posted customer invoices linked to the deal, net of "
        "credit notes, in the company's currency at each invoice's date.",
    )
    paid_amount = fields.Monetary(
        groups="base.group_user",
        prefetch="sff_deal_figures",
        string="Paid",
        currency_field="company_currency",
        compute="_compute_invoice_amounts",
        store=True,
        copy=False,
        help="The part of the invoiced amount the customer has paid (untaxed, in "
        "proportion to what is paid of each invoice).",
    )
    overdue_amount = fields.Monetary(
        groups="base.group_user",
        prefetch="sff_deal_figures",
        string="Overdue",
        currency_field="company_currency",
        compute="_compute_invoice_amounts",
        store=True,
        copy=False,
        help="What the customer still owes (taxes included) on posted invoices of the "
        "deal past their due date, in the company's currency.",
    )

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("opportunity_id", "in", self.ids), ("move_type", "in", SALE_DOCUMENTS)],
                ["opportunity_id"],
                ["__count"],
            )
        )
        for lead in self:
            lead.invoice_count = counts.get(lead._origin, 0)

    @api.depends(
        "invoice_ids.state",
        "invoice_ids.move_type",
        "invoice_ids.amount_untaxed_signed",
        "invoice_ids.invoice_cash_rounding_id",
        "invoice_ids.amount_residual",
        "invoice_ids.amount_total",
        "invoice_ids.invoice_date_due",
        "invoice_ids.payment_state",
    )
    def _compute_invoice_amounts(self):
        lead_ids = [lead_id for lead_id in self._ids if isinstance(lead_id, int)]
        figures = {}
        if lead_ids:
            self.env["account.move"].flush_model(
                [
                    "opportunity_id",
                    "state",
                    "move_type",
                    "amount_untaxed_signed",
                    "invoice_cash_rounding_id",
                    "amount_residual",
                    "amount_total",
                    "amount_residual_signed",
                    "invoice_date_due",
                    "payment_state",
                ]
            )
            self.env["account.move.line"].flush_model(
                [
                    "move_id",
                    "display_type",
                    "date_maturity",
                    "amount_residual",
                    "balance",
                    "tax_repartition_line_id",
                ]
            )
            self.env.cr.execute(
                invoice_figures_sql(
                    SQL("m.opportunity_id = ANY(%s)", lead_ids), local_today(self.env)
                )
            )
            figures = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for lead in self:
            invoiced, paid, overdue = figures.get(lead._origin.id, (0.0, 0.0, 0.0))
            currency = lead.company_currency or self.env.company.currency_id
            lead.invoiced_amount = currency.round(float(invoiced or 0))
            lead.paid_amount = currency.round(float(paid or 0))
            lead.overdue_amount = currency.round(float(overdue or 0))
        if lead_ids:
            # the funnel rows carry the invoiced amount
            self.env["crm.lead.stage.history"].sudo()._sff_refresh_reach(lead_ids)

    # (a new salesperson or team changes the deal's company through Odoo's
    # compute, whose new value Odoo checks against this rule)
    @api.constrains("company_id")
    def _check_invoice_currency(self):
        """A deal keeps the currency of its invoices: their amounts, in the
        currency of their company, are added up as the deal's (its invoiced
        and paid amounts, the forecast accuracy's revenue). A new
        salesperson or team may move the deal to another company (Odoo's
        rule): one keeping its books in another currency is refused, and so
        is any other company while invoices name the deal (their deal field
        takes a deal of their own company, as their credit notes do)."""
        # the companies of the deal's invoices, whoever moves the deal
        moves = self._sff_sale_documents(self.filtered("company_id").ids, cancelled=False)
        for move in moves:
            lead = move.opportunity_id
            if move.company_id.currency_id != lead.company_id.currency_id:
                raise ValidationError(
                    self.env._(
                        "%(deal)s has invoices of %(company)s, in %(currency)s: it cannot move "
                        "to %(new_company)s, which keeps its books in %(new_currency)s. Keep "
                        "the deal in %(company)s.",
                        deal=lead.display_name,
                        company=move.company_id.name,
                        currency=move.company_id.currency_id.name,
                        new_company=lead.company_id.name,
                        new_currency=lead.company_id.currency_id.name,
                    )
                )
            if not lead._sff_nameable_by(move.company_id):
                # Odoo's rule for the invoice's deal field: a deal of the
                # invoice's company or of none (a credit note of the
                # invoice, which takes its deal, would be refused)
                raise ValidationError(
                    self.env._(
                        "%(deal)s has invoices of %(company)s, which can only name a deal of "
                        "their own company: it cannot move to %(new_company)s while they "
                        "name it. Keep the deal in %(company)s, or credit the invoices "
                        "and invoice it again from %(new_company)s.",
                        deal=lead.display_name,
                        company=move.company_id.name,
                        new_company=lead.company_id.name,
                    )
                )

    @api.model
    def _sff_fill_invoice_amounts(self, overdue_only=False):
        """Set-based: the amounts of every deal with invoices (on install and
        upgrade), or only the overdue amounts, which move with the calendar
        (the daily job). Deals whose figures did not change are not
        written. Returns the number of deals written."""
        self.env.flush_all()
        figures = invoice_figures_sql(SQL("m.opportunity_id IS NOT NULL"), local_today(self.env))
        # the deal's company currency's decimals (the current company's for
        # deals without a company), as Monetary fields round
        digits = SQL(
            "COALESCE(cur.decimal_places, %s)", self.env.company.currency_id.decimal_places
        )
        if overdue_only:
            query = SQL(
                """
                UPDATE crm_lead l SET overdue_amount = ROUND(COALESCE(f.overdue, 0), %(digits)s)
                  -- the deals with invoices, or with an overdue amount still
                  -- (paid since, or their invoices unlinked): read from
                  -- indexes, not the whole table
                  FROM (SELECT m.opportunity_id AS id FROM account_move m
                         WHERE m.opportunity_id IS NOT NULL AND m.state = 'posted'
                           AND m.move_type IN %(types)s
                         UNION
                        SELECT d.id FROM crm_lead d WHERE d.overdue_amount <> 0) k
                  JOIN crm_lead d ON d.id = k.id
             LEFT JOIN (%(figures)s) f ON f.lead_id = d.id
             LEFT JOIN res_company c ON c.id = d.company_id
             LEFT JOIN res_currency cur ON cur.id = c.currency_id
                 WHERE d.id = l.id
                   AND l.overdue_amount IS DISTINCT FROM ROUND(COALESCE(f.overdue, 0), %(digits)s)
                """,
                figures=figures,
                digits=digits,
                types=SALE_DOCUMENTS,
            )
        else:
            query = SQL(
                """
                UPDATE crm_lead l
                   SET invoiced_amount = ROUND(f.invoiced, %(digits)s),
                       paid_amount = ROUND(f.paid, %(digits)s),
                       overdue_amount = ROUND(f.overdue, %(digits)s)
                  FROM (%(figures)s) f
                  JOIN crm_lead d ON d.id = f.lead_id
             LEFT JOIN res_company c ON c.id = d.company_id
             LEFT JOIN res_currency cur ON cur.id = c.currency_id
                 WHERE f.lead_id = l.id
                   AND (l.invoiced_amount, l.paid_amount, l.overdue_amount)
                       IS DISTINCT FROM (ROUND(f.invoiced, %(digits)s), ROUND(f.paid, %(digits)s),
                                         ROUND(f.overdue, %(digits)s))
                """,
                figures=figures,
                digits=digits,
            )
        self.env.cr.execute(query)
        written = self.env.cr.rowcount
        if not overdue_only:
            self.env.cr.execute(
                """UPDATE crm_lead_stage_reach r SET invoiced_amount = l.invoiced_amount
                     FROM crm_lead l
                    WHERE l.id = r.lead_id AND r.invoiced_amount IS DISTINCT FROM l.invoiced_amount"""
            )
            self.env["crm.lead.stage.reach"].invalidate_model(["invoiced_amount"])
        self.invalidate_model(["invoiced_amount", "paid_amount", "overdue_amount"])
        return written

    @api.model
    def _cron_refresh_overdue_amounts(self):
        """Daily: invoices that fell due yesterday make their deals' amounts
        overdue today. One statement, which writes the deals whose amount
        changes only, in a transaction of its own: a deal saved by a user
        meanwhile undoes it, and the job runs again a minute later instead
        of failing for the day."""

        def refresh():
            written = self._sff_fill_invoice_amounts(overdue_only=True)
            _logger.info("sales_funnel_forecast: overdue amounts of %s deals refreshed", written)
            return written, 0

        return run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_refresh_overdue_amounts",
            refresh,
            lambda: 1,
            # the statement writes what is pending first, itself
            flush=False,
        )

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """The deal field of an invoice (context ``sff_link_invoice``) offers
        billing users every opportunity of their companies, so that an
        accountant who is also a salesperson limited to own deals, who reads
        only those everywhere else, still links an invoice to any deal."""
        if not (
            self.env.context.get("sff_link_invoice")
            and self.env.user.has_group("account.group_account_invoice")
        ):
            return super().name_search(name, args, operator, limit)
        # sudo: names of the companies' opportunities only, for billing
        # users; of the caller's own conditions only the companies are kept
        # (the invoice's, which it may name), so that nothing but a name is
        # searched beyond the user's rules
        companies, without = self.env.companies.ids, True
        for leaf in args or []:
            if (
                isinstance(leaf, list | tuple)
                and len(leaf) == 3
                and leaf[0] == "company_id"
                and leaf[1] in ("=", "in")
            ):
                wanted = leaf[2] if isinstance(leaf[2], list | tuple) else [leaf[2]]
                companies = [company for company in companies if company in wanted]
                without = without and False in wanted
        domain = [
            ("type", "=", "opportunity"),
            ("company_id", "in", companies + ([False] if without else [])),
        ]
        return super(CrmLead, self.sudo()).name_search(name, domain, operator, limit)

    def _merge_dependences(self, opportunities):
        # the invoices linked to the merged deals by hand follow the deal
        # kept (those of orders follow their orders); each deal's chatter
        # says so
        moves = self._sff_sale_documents(opportunities.ids)
        for company in moves.company_id:
            if not self._sff_nameable_by(company):
                # refused before anything is merged: the invoice would lose
                # its deal
                move = moves.filtered(lambda move, company=company: move.company_id == company)[0]
                raise UserError(
                    self.env._(
                        "Invoice %(invoice)s of %(company)s bills %(merged)s: it can only "
                        "name a deal of its own company, not %(deal)s. Merge into a deal "
                        "of %(company)s.",
                        invoice=move.display_name,
                        company=move.company_id.name,
                        merged=move.opportunity_id.display_name,
                        deal=self.display_name,
                    )
                )
        result = super()._merge_dependences(opportunities)
        if moves:
            moves.write({"opportunity_id": self.id})
        return result

    @api.model
    def _sff_sale_documents(self, lead_ids, cancelled=True):
        """The customer invoices and credit notes naming the deals
        ``lead_ids`` (sudo: whoever moves or merges the deals, a salesperson
        may read no invoices; their companies and links only are used)."""
        domain = [("opportunity_id", "in", list(lead_ids)), ("move_type", "in", SALE_DOCUMENTS)]
        if not cancelled:
            domain.append(("state", "!=", "cancel"))
        return self.env["account.move"].sudo().search(domain)

    def _sff_nameable_by(self, company):
        """Whether an invoice of ``company`` may name this deal: Odoo's
        company rule of its deal field (a deal of its company or of none)."""
        return bool(self.filtered_domain(self._check_company_domain(company)))

    @api.readonly
    def action_view_invoices(self):
        """The deal form's Invoices button: its customer invoices and
        credit notes, listed (reads only: on a read-only cursor, a
        replica's when the server has one)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        # the untaxed amounts in the company's currency, totalled: the
        # button's figure (Odoo's list totals those of the invoices' own
        # currencies, which do not add up across currencies)
        deal_list = self.env.ref("sales_funnel_forecast.account_move_view_list_deal_invoices")
        action.update(
            {
                "views": [
                    (deal_list.id if view_type == "list" else view_id, view_type)
                    for view_id, view_type in action["views"]
                ],
                "domain": [("opportunity_id", "=", self.id), ("move_type", "in", SALE_DOCUMENTS)],
                "context": {
                    # the posted ones, which the deal's figures count; the
                    # drafts and cancelled ones a filter away
                    "search_default_posted": 1,
                    "default_opportunity_id": self.id,
                    "default_move_type": "out_invoice",
                    "default_partner_id": self.partner_id.id,
                    "create": False,
                },
            }
        )
        return action

    # ------------------------------------------------------------------
    # Stages that follow the documents
    # ------------------------------------------------------------------
    def _sff_follow_documents(self, event):
        """Move each open deal forward to the stage of its team's pipeline
        that ``event`` (``order``, ``invoice`` or ``payment``) reaches, when
        that stage comes after the deal's own; never backwards. ``payment``
        needs every posted invoice of the deal settled."""
        Stage = self.env["crm.stage"]
        # sudo: the accountant posting an invoice, or the salesperson
        # confirming an order, moves the deal without needing CRM rights on it
        deals = self.sudo().filtered(
            lambda lead: lead.active and lead.type == "opportunity" and not lead.stage_id.is_won
        )
        if event == "payment":
            deals = deals.filtered(lambda lead: lead._sff_invoices_settled())
        pipelines = {}
        targets = {}
        for deal in deals:
            team_id = deal.team_id.id
            if team_id not in pipelines:
                pipelines[team_id] = (
                    Stage.sudo().search(Stage._sff_pipeline_domain(team_id))._sff_sorted()
                )
            pipeline = pipelines[team_id]
            target = pipeline.filtered(lambda stage: stage.document_trigger == event)[:1]
            if not target or deal.stage_id not in pipeline:
                continue
            order = list(pipeline)
            if order.index(target) > order.index(deal.stage_id):
                targets.setdefault(target, deals.browse())
                targets[target] |= deal
        for stage, leads in targets.items():
            leads.with_context(stage_history_reason="accounting").write({"stage_id": stage.id})
        return deals.browse().union(*targets.values()) if targets else deals.browse()

    def _sff_invoices_settled(self):
        """Whether the deal's invoices are paid: those a credit note cancels
        (reversed) are no sale, neither paid nor due; a deal whose invoices
        are all reversed was not paid, nor one whose confirmed orders still
        have something to invoice, now or once delivered (a down payment, or
        the first of several invoices, paid is not the full payment)."""
        if any(
            line._sff_more_to_invoice()
            for line in self.order_ids.filtered(lambda order: order.state == "sale").order_line
            if not line.display_type and not line.is_downpayment
        ):
            return False
        invoices = self.invoice_ids.filtered(
            lambda move: (
                move.state == "posted"
                and move.move_type == "out_invoice"
                and move.payment_state != "reversed"
            )
        )
        return bool(invoices) and all(
            move.payment_state in ("paid", "in_payment") for move in invoices
        )
