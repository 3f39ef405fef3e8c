# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..const import SALE_DOCUMENTS
from ..models.crm_lead_invoice import untaxed_sql

# the journals money comes in and goes out through (payments, bank
# statement lines)
MONEY_JOURNAL_TYPES = ("bank", "cash", "credit")

# what the revenue rows of quota attainment read, beside the deals
REVENUE_DEPENDS = {
    "account.move": [
        "state",
        "move_type",
        "opportunity_id",
        "invoice_date",
        "amount_untaxed_signed",
        "invoice_cash_rounding_id",
        "amount_total",
        "invoice_user_id",
        "team_id",
        "company_id",
        "partner_id",
        "journal_id",
    ],
    "account.journal": ["type"],
    "account.move.line": [
        "move_id",
        "account_id",
        "date",
        "display_type",
        "balance",
        "tax_repartition_line_id",
    ],
    "account.account": ["account_type"],
    "account.partial.reconcile": [
        "debit_move_id",
        "credit_move_id",
        "debit_amount_currency",
        "credit_amount_currency",
    ],
    "res.company": ["crm_quota_basis", "currency_id"],
}


def quota_revenue_query():
    """The revenue rows of quota attainment, one per posted customer invoice
    or credit note (companies counting invoiced revenue) or per payment
    matched with one (companies counting cash): id, date, basis, move_id,
    move_type, lead_id, partner_id, user_id, team_id, company_id (the
    invoice's), amount, target (0) and credited_company_id (the deal's
    company, the invoice's for a deal without one or without a deal: whose
    forecast the revenue answers, in whose currency it is). The quota report and the forecast accuracy report read the
    same revenue."""
    credited = SQL(
        """CASE WHEN l.id IS NOT NULL THEN l.user_id ELSE m.invoice_user_id END AS user_id,
           CASE WHEN l.id IS NOT NULL THEN l.team_id ELSE m.team_id END AS team_id"""
    )
    credited_company = SQL("COALESCE(l.company_id, m.company_id) AS credited_company_id")

    def paid(offset, side, other_side, amount_currency):
        # the payments matched with the receivable line of an invoice (or
        # credit note) on one side of a reconciliation: the untaxed share
        # of what they settled, in the invoice's currency's proportion; an
        # invoice settled by a credit note was not paid (the two sides,
        # at their own rates, would not cancel out); an exchange difference
        # matched with it settles nothing in its currency, and is no row;
        # money comes in through a bank, cash or card journal (payments,
        # bank statement lines): a journal entry of another journal matched
        # with the invoice (reversing the sale, writing a debt off) is no
        # payment; a payment counts at its own date, when the money came in
        # (before the invoice, for one received in advance)
        return SQL(
            """
            SELECT p.id * 4 + %(offset)s AS id, oml.date, 'cash' AS basis,
                   m.id AS move_id, m.move_type, m.opportunity_id AS lead_id, m.partner_id,
                   %(credited)s, m.company_id,
                   COALESCE(%(untaxed)s * %(settled)s / NULLIF(m.amount_total, 0), 0)
                       AS amount, 0 AS target, %(credited_company)s
              FROM account_partial_reconcile p
              JOIN account_move_line ml ON ml.id = %(side)s
              JOIN account_account a ON a.id = ml.account_id
              JOIN account_move m ON m.id = ml.move_id
              JOIN res_company c ON c.id = m.company_id
              JOIN account_move_line oml ON oml.id = %(other_side)s
              JOIN account_move om ON om.id = oml.move_id
              JOIN account_journal oj ON oj.id = om.journal_id
         LEFT JOIN crm_lead l ON l.id = m.opportunity_id
             WHERE c.crm_quota_basis = 'cash' AND m.state = 'posted'
               AND m.move_type IN %(types)s
               AND om.move_type NOT IN %(types)s
               AND oj.type IN %(money_journals)s
               AND a.account_type = 'asset_receivable'
               AND %(settled)s <> 0
            """,
            offset=offset,
            untaxed=untaxed_sql("m"),
            credited=credited,
            types=SALE_DOCUMENTS,
            money_journals=MONEY_JOURNAL_TYPES,
            credited_company=credited_company,
            side=SQL.identifier("p", side),
            other_side=SQL.identifier("p", other_side),
            settled=SQL.identifier("p", amount_currency),
        )

    return SQL(
        """
        SELECT m.id * 4 AS id, m.invoice_date AS date, 'accrual' AS basis,
               m.id AS move_id, m.move_type, m.opportunity_id AS lead_id, m.partner_id,
               %(credited)s, m.company_id, %(untaxed)s AS amount, 0 AS target,
               %(credited_company)s
          FROM account_move m
          JOIN res_company c ON c.id = m.company_id
     LEFT JOIN crm_lead l ON l.id = m.opportunity_id
         WHERE COALESCE(c.crm_quota_basis, 'accrual') = 'accrual' AND m.state = 'posted'
           AND m.move_type IN %(types)s
        UNION ALL %(debit)s
        UNION ALL %(credit)s
        """,
        credited=credited,
        untaxed=untaxed_sql("m"),
        types=SALE_DOCUMENTS,
        credited_company=credited_company,
        debit=paid(2, "debit_move_id", "credit_move_id", "debit_amount_currency"),
        credit=paid(3, "credit_move_id", "debit_move_id", "credit_amount_currency"),
    )


class CrmQuotaReport(models.Model):
    """Quota attainment: the revenue each salesperson and team brought in,
    from the accountants' documents. One row per posted customer invoice or
    credit note (companies counting invoiced revenue), or per payment matched
    with one (companies counting cash): its untaxed amount in company
    currency (its product lines, as Odoo's Invoicing Analysis counts it), or the untaxed share of what the payment settled, credited to
    the salesperson and team of the linked deal, or to the invoice's own when
    no deal is linked; cut by the deal's source, medium, campaign and origin
    type, and by the industry of the customer billed."""

    _name = "crm.quota.report"
    _inherit = ["crm.funnel.report.deal.mixin"]
    _description = "Quota Attainment"
    _auto = False
    _rec_name = "move_id"
    _order = "date desc, id desc"
    _depends = {
        **REVENUE_DEPENDS,
        "crm.lead": [
            "user_id",
            "team_id",
            "company_id",
            "source_id",
            "medium_id",
            "campaign_id",
            "origin_type",
        ],
        "res.partner": ["industry_id"],
        "crm.target.plan": ["user_id", "team_id", "company_id", "active", "parent_id"],
        "crm.target.plan.period": [
            "plan_id",
            "period_type",
            "in_plan",
            "date_from",
            "revenue_target",
        ],
    }

    date = fields.Date(
        readonly=True, help="The invoice date, or the payment date when attainment counts payments."
    )
    basis = fields.Selection(
        [("accrual", "Invoiced"), ("cash", "Paid"), ("target", "Target")],
        readonly=True,
        help="What the company counts: posted invoices, or payments received; target rows "
        "carry the target plans' monthly revenue targets.",
    )
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection(
        [("out_invoice", "Invoice"), ("out_refund", "Credit Note")], string="Type", readonly=True
    )
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    # the salesperson, team, company and customer: the mixin's, credited as
    # said above; the source, medium, campaign and origin type: the deal's;
    # the industry: the customer billed's, as its tags filter the rows
    amount = fields.Monetary(
        string="Revenue",
        readonly=True,
        currency_field="currency_id",
        help="Untaxed, in the company's currency; credit notes subtract.",
    )
    target = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        help="The revenue target of the salesperson's (or team's) target plan for the month.",
    )

    def _select(self):
        return SQL(
            """u.*, l.source_id, l.medium_id, l.campaign_id, l.origin_type,
               p.industry_id"""
        )

    def _from(self):
        # the revenue rows, then the plans' monthly targets
        return SQL(
            """(
            %(revenue)s
            UNION ALL
            -- the monthly targets of the plans (of the members' plans where a
            -- team plan is split, so that nothing counts twice)
            SELECT pp.id * 4 + 1, pp.date_from, 'target', NULL, NULL, NULL, NULL,
                   p.user_id, p.team_id, p.company_id, 0, pp.revenue_target, p.company_id
              FROM crm_target_plan_period pp
              JOIN crm_target_plan p ON p.id = pp.plan_id
             WHERE pp.period_type = 'month' AND pp.in_plan AND p.active
               AND NOT EXISTS (SELECT 1 FROM crm_target_plan c WHERE c.parent_id = p.id AND c.active)
            ) AS u""",
            revenue=quota_revenue_query(),
        )

    def _join(self):
        # on primary keys, left out of the queries that read none of their
        # columns (the pivots' sums)
        return SQL(
            """LEFT JOIN crm_lead l ON l.id = u.lead_id
               LEFT JOIN res_partner p ON p.id = u.partner_id"""
        )

    def _sff_attainment(self, domain):
        """Revenue by salesperson (rows) and month (columns) for ``domain``
        (record rules apply): what the spreadsheet shows."""
        cells = self._read_group(
            domain + [("basis", "!=", "target")], ["user_id", "date:month"], ["amount:sum"]
        )
        months = sorted({month for _user, month, _amount in cells if month})
        rows = {}
        for user, month, amount in cells:
            row = rows.setdefault(
                user,
                {
                    "user": user.name or self.env._("No salesperson"),
                    "amounts": [0.0] * len(months),
                    "total": 0.0,
                },
            )
            if month:
                row["amounts"][months.index(month)] += amount
            row["total"] += amount
        return {
            # as the forecast's months: in the user's language
            "months": [format_date(self.env, month, date_format="MMM y") for month in months],
            "rows": sorted(rows.values(), key=lambda row: row["user"]),
        }
