# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.16.0 -> 18.0.1.17.0: deals lost then restored before the install
were out of the pipeline in between.

The install rebuilt their stays from the chatter as if they had stayed in
their stage all along; the rebuild now ends a stay when the chatter tracked
the deal's archiving and starts another in the same stage at its
restoration, as the live path writes them. The upgrade cuts the stays
rebuilt before, marks the versions of those times lost, works out the
deals' funnel rows again, and takes the snapshots of those times again
(then the accuracy lines).

The stages made from a catalogue's steps remember their step, so that a
language installed later names them as the step: the stages of a team's
catalogue are linked to the step of the same English name, and take the
steps' names in the languages installed."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "lost_periods")
    cr.execute(
        """UPDATE crm_stage s SET catalogue_line_id = l.id
             FROM crm_team t
             JOIN crm_stage_catalogue_line l ON l.catalogue_id = t.stage_catalogue_id
            WHERE s.team_id = t.id AND s.catalogue_line_id IS NULL
              AND s.name->>'en_US' = l.name->>'en_US'"""
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.stage"]._sff_translate_catalogue_stages(
        [code for code, _name in env["res.lang"].get_installed()]
    )
