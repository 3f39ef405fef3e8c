# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmLeadStageReachPending(models.Model):
    """A deal whose funnel rows wait for the job that rebuilds them
    (``crm.lead.stage.reach._cron_rebuild_pending``): its pipeline changed
    for so many deals at once that rebuilding them all in the request would
    take too long. Written and read in SQL only; nobody reads it."""

    _name = "crm.lead.stage.reach.pending"
    _description = "Deal Whose Funnel Rows Wait for a Rebuild"
    _log_access = False

    lead_id = fields.Many2one("crm.lead", string="Deal", required=True, ondelete="cascade")

    _sql_constraints = [
        ("lead_unique", "UNIQUE (lead_id)", "A deal waits once for its funnel rows."),
    ]
