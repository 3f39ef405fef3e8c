# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

PERIOD_CHOICES = [
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
    ("last_12_months", "Last 12 months"),
    ("all", "All time"),
    ("custom", "Dates of my choice"),
]
MODE_CHOICES = [
    ("flow", "Stages reached in the period (flow)"),
    ("cohort", "Deals created in the period (cohort)"),
]
COMPARE_CHOICES = [
    ("none", "No comparison"),
    ("previous", "Previous period"),
    ("last_year", "Same period last year"),
]


class CrmFunnelExport(models.TransientModel):
    """Print the funnel, conversion and forecast of a team and period as a
    PDF, or download them as a spreadsheet."""

    _name = "crm.funnel.export"
    _description = "Print or Export the Sales Funnel"

    team_id = fields.Many2one(
        "crm.team", string="Sales Team", help="Empty: every team you can see."
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", help="Empty: every salesperson you can see."
    )
    period = fields.Selection(PERIOD_CHOICES, required=True, default="this_year")
    date_from = fields.Date(string="From")
    date_to = fields.Date(string="To", help="First day after the period.")
    mode = fields.Selection(MODE_CHOICES, required=True, default="flow")
    compare = fields.Selection(
        COMPARE_CHOICES, string="Compare With", required=True, default="none"
    )

    @api.constrains("period", "date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.period == "custom" and not (wizard.date_from and wizard.date_to):
                raise UserError(self.env._("Give the first day and the day after the period."))
            if wizard.period == "custom" and wizard.date_to <= wizard.date_from:
                raise UserError(self.env._("The period must end after it starts."))

    def _sff_params(self):
        """The funnel's parameters as the dashboard sends them."""
        self.ensure_one()
        return {
            "team_id": self.team_id.id,
            "user_id": self.user_id.id,
            "period": self.period,
            "date_from": self.date_from and self.date_from.isoformat(),
            "date_to": self.date_to and self.date_to.isoformat(),
            "mode": self.mode,
            "compare": self.compare,
        }

    def action_export_xlsx(self):
        return self.env["crm.funnel.dashboard"]._sff_export_action(self._sff_params(), "xlsx")

    def action_print_pdf(self):
        return self.env["crm.funnel.dashboard"]._sff_export_action(self._sff_params(), "pdf")
