# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two users at once, and jobs running while reps work: two transactions of
their own (cursors of the registry), committed, and what the module keeps
compared with what the deals give."""

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import FunnelCase, team_and_deal


@tagged("post_install", "-at_install")
class TestConcurrencyTwoUsers(FunnelCase):
    def test_two_users_change_the_buying_roles_of_one_deal(self):
        """One user takes the deal's only decision maker (Ann) off its
        buying roles while another adds a second one (Bob), each from the
        roles' own list, an import or the API (not the deal's form): the
        second fails to serialise, for Odoo to run it again, instead of
        leaving the deal "without decision maker" beside Bob's deciding
        role (each worked the flag out from the roles it saw: False for
        the first, True, unchanged, for the second, which wrote nothing)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team, deal = team_and_deal(env, "Roles at once")
            decides = env["crm.buying.role.type"].create(
                {"name": "Roles at once: decides", "is_decision_maker": True}
            )
            ann, bob = env["res.partner"].create([{"name": "Ann Decides"}, {"name": "Bob Decides"}])
            role = env["crm.lead.buying.role"].create(
                {"lead_id": deal.id, "partner_id": ann.id, "role_id": decides.id}
            )
            self.assertTrue(deal.has_decision_maker)
            ids = {
                "team": team.id,
                "deal": deal.id,
                "type": decides.id,
                "people": (ann | bob).ids,
                "role": role.id,
            }
        try:
            with self.registry.cursor() as adding_cr:
                # the second request's snapshot, taken before the first one
                # commits; a regression fails, rather than waits
                adding_cr.execute("SET LOCAL lock_timeout = '5s'")
                adding_cr.execute("SELECT count(*) FROM crm_lead_buying_role")
                with self.registry.cursor() as removing_cr:
                    removing_cr.execute("SET LOCAL lock_timeout = '5s'")
                    env = api.Environment(removing_cr, SUPERUSER_ID, {})
                    env["crm.lead.buying.role"].browse(ids["role"]).unlink()
                    env.flush_all()
                env = api.Environment(adding_cr, SUPERUSER_ID, {})
                bob_role = {
                    "lead_id": ids["deal"],
                    "partner_id": ids["people"][1],
                    "role_id": ids["type"],
                }
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    env["crm.lead.buying.role"].create(bob_role)
                    env.flush_all()
                adding_cr.rollback()
                # run again, as Odoo does
                env["crm.lead.buying.role"].create(bob_role)
                env.flush_all()
            with self.registry.cursor() as cr:
                cr.execute(
                    """SELECT l.has_decision_maker,
                              (SELECT count(*) FROM crm_lead_buying_role r
                                WHERE r.lead_id = l.id),
                              (SELECT array_agg(DISTINCT r.has_decision_maker)
                                 FROM crm_lead_stage_reach r WHERE r.lead_id = l.id)
                         FROM crm_lead l WHERE l.id = %s""",
                    [ids["deal"]],
                )
                # Bob decides: the deal and its funnel row (its first stage) say so
                self.assertEqual(cr.fetchone(), (True, 1, [True]))
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.lead"].browse(ids["deal"]).unlink()
                env["crm.team"].browse(ids["team"]).unlink()
                env["res.partner"].browse(ids["people"]).unlink()
                env["crm.buying.role.type"].browse(ids["type"]).unlink()
