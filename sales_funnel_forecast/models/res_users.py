# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every login of a CRM user, kept 13 months: Odoo keeps only the last one,
and adoption is read week by week."""

from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError

from ..tools.formats import named
from ..tools.holders import holders

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
            self.env["res.users"].flush_model(["sale_team_id", "company_id"])
            self.env.cr.execute(
                """INSERT INTO crm_user_login (user_id, date, team_id, company_id)
                   SELECT u.id, now() at time zone 'UTC', u.sale_team_id, u.company_id
                     FROM res_users u WHERE u.id = %s""",
                [self.env.uid],
            )
        return result

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_funnel_records(self):
        # a plan, a call or a forecast of a salesperson stays theirs: it
        # does not become the team's or nobody's when they are deleted
        # (holders: the plans, archived ones too, and the calls and
        # forecasts of every company, whoever deletes the users)
        plans = holders(self.env, "crm.target.plan", "user_id", self.ids)
        if plans:
            raise UserError(
                self.env._(
                    "These users have target plans (%(plans)s): delete the plans first, "
                    "or archive the users.",
                    plans=named(plans),
                )
            )
        recorded = self.browse()
        for model in ("crm.lead.call", "crm.forecast.submission", "crm.forecast.adjustment"):
            for (user,) in (
                self.env[model].sudo()._read_group([("user_id", "in", self.ids)], ["user_id"])
            ):
                recorded |= user
        if recorded:
            raise UserError(
                self.env._(
                    "These users have logged calls or submitted or adjusted forecasts "
                    "(%(users)s): archive the users instead, what they did stays under "
                    "their name.",
                    users=named(recorded, "name"),
                )
            )

    def action_archive(self):
        # Odoo deletes the activities of the users it archives: the stall
        # to-dos of their stalled deals go to the deals' team leaders
        # instead, as the stall job gives them for a salesperson gone (it
        # gives a stall its to-do once). sudo: every deal's to-do, whoever
        # archives the users
        Activity = self.env["mail.activity"].sudo()
        Lead = self.env["crm.lead"].sudo()
        deals = Lead.browse(
            set(
                Activity.search(
                    [("user_id", "in", self.ids), ("res_model", "=", "crm.lead")]
                ).mapped("res_id")
            )
        ).exists()
        todos = Activity.search(deals._sff_stall_todo_domain() + [("user_id", "in", self.ids)])
        # the deals' leaders, read for all the deals at once
        leaders = {deal.id: deal.team_id.user_id for deal in deals}
        per_leader = defaultdict(lambda: Activity)
        for todo in todos:
            leader = leaders[todo.res_id]
            if leader.active and leader not in self:
                per_leader[leader] |= todo
        for leader, given in per_leader.items():
            # one write per leader, without a mail per to-do (their
            # activities list them)
            given.with_context(mail_activity_quick_update=True).write({"user_id": leader.id})
        return super().action_archive()
