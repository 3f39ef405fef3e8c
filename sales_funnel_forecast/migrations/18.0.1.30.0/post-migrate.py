# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""-> 18.0.1.30.0: the months of a split team plan's members are rounded
one on top of the other, so that they add up to the team's month (each
rounded alone, three members' months of 106,666.666... made 320,000.01 of
a team's 320,000.00). Where a team plan is split, its members' figures are
worked out again at the end of the upgrade.

The statement is this migration's own (frozen)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    cr.execute("SELECT 1 FROM crm_target_plan WHERE parent_id IS NOT NULL LIMIT 1")
    if cr.fetchone():
        request(cr, "split_plans")
