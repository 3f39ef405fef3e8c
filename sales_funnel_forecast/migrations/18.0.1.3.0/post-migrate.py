# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0 -> 18.0.1.3.0: stall rules, loss categories, dispositions.
Lost reasons get a category from their name, deals a contact status from
what they are (as on a first install), the current stays in stages with a
stall limit the day they stall, and the funnel rows their new columns."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sales_funnel_forecast.hooks import deal_lookups, initial_contact_status_sql
from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lost.reason"]._sff_guess_categories()
    env.flush_all()
    look = deal_lookups(env)
    cr.execute(
        SQL(
            """UPDATE crm_lead SET contact_status = %s
            WHERE contact_status = 'not_attempted' AND type = 'opportunity'""",
            initial_contact_status_sql(look["won"], look["disqualified"]),
        )
    )
    env["crm.lead"].invalidate_model(["contact_status"])
    cr.execute("SELECT id FROM crm_stage WHERE stall_days > 0")
    env["crm.lead.stage.history"]._sff_stage_rule_changed([row[0] for row in cr.fetchall()])
    env["crm.lead.stage.reach"]._sff_fill()
