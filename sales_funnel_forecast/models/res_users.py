# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every login of a CRM user, kept 13 months: Odoo keeps only the last one,
and adoption is read week by week."""
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

LOGIN_MONTHS_KEPT = 13
PURGE_BATCH = 50000


class CrmUserLogin(models.Model):
    _name = "crm.user.login"
    _description = "Login of a CRM User"
    _order = "date desc, id desc"
    _log_access = False

    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True,
                              ondelete="cascade")
    date = fields.Datetime(required=True, readonly=True, index=True)

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


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _update_last_login(self):
        result = super()._update_last_login()
        if self.env.user.has_group("sales_team.group_sale_salesman"):
            # one small insert per login, in SQL: the login must not wait on
            # the ORM (nor need rights on the table)
            self.env.cr.execute(
                "INSERT INTO crm_user_login (user_id, date) VALUES (%s, now() at time zone 'UTC')",
                [self.env.uid],
            )
        return result
