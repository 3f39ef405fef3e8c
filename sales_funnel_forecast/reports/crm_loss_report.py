# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..const import DEAL_DIMENSIONS, LOSS_CATEGORIES


class CrmLossReport(models.Model):
    """Losses: one row per lost deal or lead (disqualified prospects among
    them), why and at which stage it was lost."""

    _name = "crm.loss.report"
    _inherit = ["crm.funnel.report.deal.mixin"]
    _description = "Loss Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date_closed desc"
    _depends = {
        "crm.lead": [
            *DEAL_DIMENSIONS,
            "lost_reason_id",
            "lost_stage_id",
            "date_closed",
            "expected_revenue",
            "contact_status",
        ],
        "crm.lost.reason": ["category"],
        "res.partner": ["industry_id"],
    }

    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    lead_type = fields.Selection(
        [("lead", "Lead"), ("opportunity", "Opportunity")], string="Type", readonly=True
    )
    lost_reason_id = fields.Many2one("crm.lost.reason", readonly=True)
    category = fields.Selection(LOSS_CATEGORIES, string="Reason Category", readonly=True)
    lost_stage_id = fields.Many2one("crm.stage", string="Lost at Stage", readonly=True)
    date_closed = fields.Datetime(string="Lost On", readonly=True)
    lead_create_date = fields.Datetime(string="Deal Created On", readonly=True)
    lost_count = fields.Integer(string="Deals Lost", readonly=True)
    lost_amount = fields.Monetary(string="Amount Lost", readonly=True, currency_field="currency_id")

    def _select(self):
        return SQL(
            """l.id, l.id AS lead_id, l.type AS lead_type, l.lost_reason_id,
               COALESCE(r.category, 'other') AS category,
               COALESCE(l.lost_stage_id, l.stage_id) AS lost_stage_id,
               l.user_id, l.team_id, l.company_id, l.partner_id, p.industry_id,
               l.source_id, l.medium_id, l.campaign_id, l.origin_type,
               l.date_closed, l.create_date AS lead_create_date,
               1 AS lost_count, COALESCE(l.expected_revenue, 0) AS lost_amount"""
        )

    def _from(self):
        return SQL("crm_lead l")

    def _join(self):
        return SQL(
            """LEFT JOIN crm_lost_reason r ON r.id = l.lost_reason_id
               LEFT JOIN res_partner p ON p.id = l.partner_id"""
        )

    def _where(self):
        return SQL("NOT l.active")

    def _sff_losses(self, domain):
        """Losses of ``domain`` by category and reason, and by stage: what the
        spreadsheet shows."""
        # one grouped read, added up by reason and by stage
        reasons, stages = {}, {}
        for category, reason, stage, count, amount in self._read_group(
            domain,
            ["category", "lost_reason_id", "lost_stage_id"],
            ["lost_count:sum", "lost_amount:sum"],
        ):
            for totals, key in ((reasons, (category, reason)), (stages, stage)):
                total = totals.setdefault(key, [0, 0.0])
                total[0] += count
                total[1] += amount
        by_reason = [
            {
                "category": category,
                "reason": reason.name or self.env._("No reason given"),
                "count": count,
                "amount": amount,
            }
            for (category, reason), (count, amount) in reasons.items()
        ]
        # in stage order, deals lost without a stage last
        order = {
            stage: index
            for index, stage in enumerate(self.env["crm.stage"].union(*stages)._sff_sorted())
        }
        by_stage = [
            {"stage": stage.name or "-", "count": count, "amount": amount}
            for stage, (count, amount) in sorted(
                stages.items(),
                key=lambda item: (not item[0], order.get(item[0], 0)),
            )
        ]
        return {"by_reason": by_reason, "by_stage": by_stage}
