# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every login of a CRM user, kept 13 months: Odoo keeps only the last one,
and adoption is read week by week."""

from odoo import api, models

LOGIN_MONTHS_KEPT = 13
PURGE_BATCH = 50000


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
