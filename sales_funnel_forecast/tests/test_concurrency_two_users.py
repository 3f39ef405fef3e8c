# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two users at once, and jobs running while reps work: two transactions of
their own (cursors of the registry), committed, and what the module keeps
compared with what the deals give."""

from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, fields
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

    def test_stall_job_lets_a_rep_make_a_quotation_of_a_deal_it_flags(self):
        """The stall job's batch holds its deals until it commits (up to
        5,000 deals, their notes and to-dos written meanwhile): as a save
        holds them (no key changes), so that a rep may still make a
        quotation of one of them, whose reference to the deal the database
        checks, instead of waiting for the whole batch (a lock for a
        deal's deletion)."""
        # a deal committed before the test (the demo data's), open in a
        # stage that flags deals after 10 days, 30 days past it
        deal = self.committed_deal_past_its_limit([("partner_id", "!=", False)])
        # the job's batch, in this test's transaction, not committed
        self.env["crm.lead"]._sff_apply_stall_rules(2000)
        self.env.invalidate_all()
        self.assertTrue(deal.is_stalled)
        with self.registry.cursor() as rep_cr:
            # a regression fails, rather than waits for this test's transaction
            rep_cr.execute("SET LOCAL lock_timeout = '2s'")
            env = api.Environment(rep_cr, SUPERUSER_ID, {})
            order = env["sale.order"].create(
                {"partner_id": deal.partner_id.id, "opportunity_id": deal.id}
            )
            env.flush_all()
            self.assertEqual(order.opportunity_id.id, deal.id)
            rep_cr.rollback()

    def test_stall_rule_changed_while_a_rep_moves_a_deal_into_the_stage(self):
        """A manager sets a 10-day limit on a stage while a rep moves a deal
        into it, in two requests at once: the rep's stay, written from the
        stage as the rep's request saw it (no limit), is not among those the
        manager's change puts right. The stall job, which the change starts
        a few minutes later, gives it the stage's 10 days from its entry
        (it would never have stalled)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team, deal = team_and_deal(env, "Rule at once")
            stage = env["crm.stage"].create(
                {"name": "Rule at once: stage", "team_id": team.id, "sequence": 950}
            )
            ids = {"team": team.id, "deal": deal.id, "stage": stage.id}
        try:
            with self.registry.cursor() as moving_cr:
                moving_cr.execute("SET LOCAL lock_timeout = '5s'")
                # the rep's request has read before the manager's commits
                moving_cr.execute("SELECT stall_days FROM crm_stage WHERE id = %s", [ids["stage"]])
                with self.registry.cursor() as rule_cr:
                    env = api.Environment(rule_cr, SUPERUSER_ID, {})
                    env["crm.stage"].browse(ids["stage"]).stall_days = 10
                    env.flush_all()
                env = api.Environment(moving_cr, SUPERUSER_ID, {})
                env["crm.lead"].browse(ids["deal"]).stage_id = ids["stage"]
                env.flush_all()
                env.cr.precommit.run()

            def stay():
                with self.registry.cursor() as cr:
                    cr.execute(
                        """SELECT stall_due - date_in FROM crm_lead_stage_history
                            WHERE lead_id = %s AND date_out IS NULL""",
                        [ids["deal"]],
                    )
                    return cr.fetchone()[0]

            self.assertIsNone(stay(), "the race: the stay has the former rule")
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                job = env.ref("sales_funnel_forecast.ir_cron_apply_stall_rules")
                triggers = env["ir.cron.trigger"].search(
                    [("cron_id", "=", job.id), ("call_at", ">", fields.Datetime.now())]
                )
                # the change started the job, a few minutes later
                self.assertTrue(triggers)
                triggers.unlink()
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.lead"]._cron_apply_stall_rules()
            self.assertEqual(stay(), timedelta(days=10))
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.lead"].browse(ids["deal"]).unlink()
                env["crm.stage"].browse(ids["stage"]).unlink()
                env["crm.team"].browse(ids["team"]).unlink()
