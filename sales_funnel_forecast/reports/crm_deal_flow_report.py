# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..const import FLOW_SIGNS, FLOW_STEPS, FORECAST_CATEGORY_SELECTION

# the context keys that carry the report's two dates, and the team and
# salesperson of the deals it counts
FROM_KEY, TO_KEY = "sff_flow_from", "sff_flow_to"
TEAM_KEY, USER_KEY = "sff_flow_team_id", "sff_flow_user_id"
# the steps as the report names them: numbered, so that grouping by step
# lists them in the order a waterfall draws them
REPORT_STEPS = [(f"{index}_{step}", label) for index, (step, label) in enumerate(FLOW_STEPS)]


class CrmDealFlowReport(models.Model):
    """Deal flow: how the pipeline of a period (open deals expected to close
    in it) changed between its first day and its last (or today). One row
    per deal and step; the two dates come from the context (the Deal Flow
    wizard puts them there), by default this month."""

    _name = "crm.deal.flow.report"
    _description = "Deal Flow Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "position, step_order, amount desc"

    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    step = fields.Selection(REPORT_STEPS, readonly=True)
    step_order = fields.Integer(readonly=True)
    position = fields.Integer(readonly=True)
    deal_count = fields.Integer(string="Deals", readonly=True)
    amount = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        help="The deal's expected revenue in the step: at the start for the "
        "pipeline at start and the deals that left it, at the end for the "
        "pipeline at end and the deals that came into it, the change for an "
        "amount increased or decreased.",
    )
    flow_amount = fields.Monetary(
        string="Change to Pipeline",
        readonly=True,
        currency_field="currency_id",
        help="The amount with the sign it gives the pipeline: what a "
        "waterfall draws between the two pipelines.",
    )
    start_stage_id = fields.Many2one("crm.stage", string="Stage at Start", readonly=True)
    end_stage_id = fields.Many2one("crm.stage", string="Stage at End", readonly=True)
    start_amount = fields.Monetary(
        string="Amount at Start", readonly=True, currency_field="currency_id"
    )
    end_amount = fields.Monetary(
        string="Amount at End", readonly=True, currency_field="currency_id"
    )
    start_deadline = fields.Date(string="Expected Closing at Start", readonly=True)
    end_deadline = fields.Date(string="Expected Closing at End", readonly=True)
    start_category = fields.Selection(
        FORECAST_CATEGORY_SELECTION, string="Category at Start", readonly=True
    )
    end_category = fields.Selection(
        FORECAST_CATEGORY_SELECTION, string="Category at End", readonly=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)

    @api.model
    def _sff_dates(self):
        """The period the report reads: the context's, else this month."""
        context = self.env.context
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(context.get(FROM_KEY)) or today.replace(day=1)
        date_to = fields.Date.to_date(context.get(TO_KEY)) or date_from + relativedelta(months=1)
        return date_from, date_to

    @api.model
    def _sff_lead_domain(self):
        """The deals the report counts: those of the context's team and
        salesperson (as they are now, as the wizard counts them)."""
        domain = []
        for key, field in ((TEAM_KEY, "team_id"), (USER_KEY, "user_id")):
            if self.env.context.get(key):
                domain.append((field, "=", int(self.env.context[key])))
        return domain

    @property
    def _table_query(self):
        date_from, date_to = self._sff_dates()
        signs = SQL(" ").join(
            SQL("WHEN %s THEN %s", step, sign) for step, sign in FLOW_SIGNS.items()
        )
        orders = SQL(" ").join(
            SQL("WHEN %s THEN %s", step, index) for index, (step, _label) in enumerate(FLOW_STEPS)
        )
        keys = SQL(" ").join(
            SQL("WHEN %s THEN %s", step, key)
            for (step, _label), (key, _label2) in zip(FLOW_STEPS, REPORT_STEPS)
        )
        return SQL(
            """SELECT flow.lead_id * 10 + (CASE flow.step %(orders)s END) AS id,
                      flow.lead_id, (CASE flow.step %(keys)s END) AS step,
                      (CASE flow.step %(orders)s END) AS step_order,
                      flow.position, 1 AS deal_count, flow.amount,
                      flow.amount * (CASE flow.step %(signs)s END) AS flow_amount,
                      flow.start_stage_id, flow.end_stage_id, flow.start_amount, flow.end_amount,
                      flow.start_deadline, flow.end_deadline, flow.start_category, flow.end_category,
                      flow.user_id, flow.team_id, flow.company_id, c.currency_id
                 FROM (%(flow)s) AS flow
            LEFT JOIN res_company c ON c.id = flow.company_id""",
            orders=orders,
            signs=signs,
            keys=keys,
            flow=self.env["crm.lead"]._sff_deal_flow_sql(
                date_from, date_to, self._sff_lead_domain()
            ),
        )
