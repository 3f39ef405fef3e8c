# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

from ..const import FLOW_STEPS
from ..reports.common import currency_companies
from ..tools.days import local_today


class CrmDealFlowWizard(models.TransientModel):
    """Pick the period whose pipeline's flow the Deal Flow report shows, and
    see its steps at once."""

    _name = "crm.deal.flow.wizard"
    _description = "Deal Flow"

    date_from = fields.Date(
        string="From",
        required=True,
        # the month of the funnel totals' time zone, as the Forecast screen's
        default=lambda self: local_today(self.env).replace(day=1),
        help="The period's first day: the pipeline is read as it stood at its start.",
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: local_today(self.env).replace(day=1) + relativedelta(months=1),
        help="The day after the period: the pipeline is read as it stood then, or now "
        "if that is later than today. Deals count when expected to close from the "
        "first day up to the day before this one.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team")
    company_id = fields.Many2one(
        "res.company",
        help="The deals of this company (and of none) only; left empty, those of the "
        "selected companies that keep their books in the current company's currency.",
    )
    user_id = fields.Many2one("res.users", string="Salesperson")
    step_ids = fields.One2many("crm.deal.flow.wizard.step", "wizard_id", compute="_compute_steps")
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, readonly=False
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_to <= wizard.date_from:
                raise ValidationError(self.env._("The period must end after it starts."))

    @api.depends("company_id")
    def _compute_currency_id(self):
        """The currency of the companies whose pipelines the flow counts
        (``_company_ids``): the one chosen's, else the current company's."""
        for wizard in self:
            wizard.currency_id = wizard.company_id.currency_id or self.env.company.currency_id

    def _company_ids(self):
        """The companies whose pipelines the flow counts: the one chosen,
        else the selected companies in the currency its amounts are shown
        in. The flow reads them in the deals' versions (``sff_deal_flow``):
        a deal handed to another company during the period left these
        companies' pipeline, one handed to them came into it."""
        return self.company_id.ids or currency_companies(self.env).ids

    def _flow_scope(self):
        """The pipelines whose flow the wizard shows, as ``sff_deal_flow``
        takes them: those of the companies (``_company_ids``), team and
        salesperson chosen, read in the deals' versions, as the snapshots
        and the forecast accuracy read them (a deal handed to another team
        during the period left this team's pipeline)."""
        return {
            "company_ids": self._company_ids(),
            "team_id": self.team_id.id,
            "user_id": self.user_id.id,
        }

    @api.depends("date_from", "date_to", "team_id", "user_id", "company_id")
    def _compute_steps(self):
        for wizard in self:
            if not (wizard.date_from and wizard.date_to) or wizard.date_to <= wizard.date_from:
                wizard.step_ids = [Command.clear()]
                continue
            flow = self.env["crm.lead"].sff_deal_flow(
                wizard.date_from, wizard.date_to, **wizard._flow_scope()
            )
            wizard.step_ids = [Command.clear()] + [
                Command.create(
                    {
                        "step": step,
                        "deal_count": flow[step][0],
                        "amount": flow[step][1],
                        "currency_id": wizard.currency_id.id,
                    }
                )
                for step, _label in FLOW_STEPS
            ]

    def action_open_report(self):
        """The period's deals, step by step, in the report: their rows are
        written now, once, and every regrouping reads them."""
        self.ensure_one()
        self.env["crm.deal.flow.report"]._sff_fill(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_funnel_forecast.crm_deal_flow_report_action"
        )
        name = self.env._(
            "Deal Flow %(start)s - %(end)s",
            start=format_date(self.env, self.date_from),
            end=format_date(self.env, self.date_to - relativedelta(days=1)),
        )
        action.update(
            {
                # the web client shows display_name before name
                "name": name,
                "display_name": name,
                "domain": [("wizard_id", "=", self.id)],
                "target": "current",
            }
        )
        return action
