# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .res_users import LOGIN_MONTHS_KEPT, PURGE_BATCH


class CrmUserLogin(models.Model):
    _name = "crm.user.login"
    _description = "Login of a CRM User"
    _order = "date desc, id desc"
    _log_access = False

    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="cascade"
    )
    date = fields.Datetime(required=True, readonly=True, index=True)
    # the user's sales team and company when logging in: the adoption report
    # counts past logins where the user worked then
    team_id = fields.Many2one("crm.team", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, ondelete="cascade")

    @api.model
    def _cron_purge(self, batch_size=PURGE_BATCH):
        """Logins older than 13 months go, one batch per call: the scheduler
        calls again while some remain, committing in between."""
        limit = fields.Datetime.now() - relativedelta(months=LOGIN_MONTHS_KEPT)
        self.env.cr.execute(
            """DELETE FROM crm_user_login WHERE id IN (
                   SELECT id FROM crm_user_login WHERE date < %s ORDER BY date LIMIT %s)""",
            [limit, batch_size],
        )
        done = self.env.cr.rowcount
        self.env.cr.execute("SELECT count(*) FROM crm_user_login WHERE date < %s", [limit])
        remaining = self.env.cr.fetchone()[0]
        self.invalidate_model()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining
