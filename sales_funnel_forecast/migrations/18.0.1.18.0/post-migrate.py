# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.17.0 -> 18.0.1.18.0: the stall rules' to-dos have a type of their
own ("Stalled Deal"), which a deal moved on or kept open does away with;
weighted amounts to each currency's decimals; snapshots read at their
days' first instant in the funnel totals' time zone.

The to-dos the stall rules gave before (automated To-Dos whose summary is
the stall rules' in one of the installed languages), still open: the
newest of a deal still stalled takes that type, the others go (their deal
moved on, was won or kept open, or stalled twice), as the stall rules now
do them away with."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sales_funnel_forecast.install.rebuild import request
from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    # each deal's weighted amounts to its currency's decimals; the job's
    # snapshots read again at their days' first instant in the funnel
    # totals' time zone (they were read at midnight UTC), then the accuracy
    request(cr, "weighted_amounts", "snapshots_again")
    env = api.Environment(cr, SUPERUSER_ID, {})
    todo = env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
    if not todo:
        return
    Lead = env["crm.lead"]
    summaries = sorted(
        {Lead._sff_stall_todo_summary(code) for code, _name in env["res.lang"].get_installed()}
    )
    # the newest of an open deal still stalled takes the type; the others
    # (a deal moved on, won, kept open, or stalled twice) go, as the stall
    # rules now do them away with
    stall_todos = SQL(
        """SELECT a.id, a.res_id, l.active AND COALESCE(l.is_stalled, FALSE) AS stalled
             FROM mail_activity a JOIN crm_lead l ON l.id = a.res_id
            WHERE a.res_model = 'crm.lead' AND a.automated AND a.activity_type_id = %s
              AND a.summary = ANY(%s)""",
        todo.id,
        summaries,
    )
    cr.execute(
        SQL(
            """UPDATE mail_activity SET activity_type_id = %s
                WHERE id IN (SELECT DISTINCT ON (t.res_id) t.id FROM (%s) t
                              WHERE t.stalled ORDER BY t.res_id, t.id DESC)""",
            env.ref("sales_funnel_forecast.mail_activity_type_stalled").id,
            stall_todos,
        )
    )
    cr.execute(SQL("DELETE FROM mail_activity WHERE id IN (SELECT t.id FROM (%s) t)", stall_todos))
