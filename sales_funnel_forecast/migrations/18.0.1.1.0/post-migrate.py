# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.0.0 -> 18.0.1.1.0: the pipeline value is new, and the weighted
forecast now rounds half-cents the same way in Python and SQL."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"]._sff_refresh_weighted_amounts()
    # teams to which a catalogue was applied have, from now on, exactly its
    # stages: recognise them by their own stages carrying every step's name
    Stage = env["crm.stage"].with_context(lang="en_US")
    catalogues = env["crm.stage.catalogue"].with_context(lang="en_US").search([])
    for team in (
        env["crm.team"].with_context(active_test=False).search([("stage_catalogue_id", "=", False)])
    ):
        names = set(Stage.search([("team_id", "=", team.id)]).mapped("name"))
        for catalogue in catalogues:
            steps = set(catalogue.line_ids.mapped("name"))
            if steps and steps <= names:
                team.stage_catalogue_id = catalogue
                break
