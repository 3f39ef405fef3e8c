# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.17.0 -> 18.0.1.18.0: the stall rules' to-dos have a type of their
own ("Stalled Deal"), which a deal moved on or kept open does away with.

The to-dos the stall rules gave before, still open, take that type: the
automated to-dos of deals whose summary is the stall rules' in one of the
installed languages."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    todo = env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
    if not todo:
        return
    Lead = env["crm.lead"]
    summaries = sorted(
        {Lead._sff_stall_todo_summary(code) for code, _name in env["res.lang"].get_installed()}
    )
    cr.execute(
        """UPDATE mail_activity SET activity_type_id = %s
            WHERE res_model = 'crm.lead' AND automated AND activity_type_id = %s
              AND summary = ANY(%s)""",
        [env.ref("sales_funnel_forecast.mail_activity_type_stalled").id, todo.id, summaries],
    )
