# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stall rules and the module's scheduled jobs while people work."""

import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from .common import apply_catalogue, committing_cursor, make_plan, team_and_deal
from .test_stall import StallCase


@tagged("post_install", "-at_install")
class TestStallRulesWhilePeopleWork(StallCase):
    def test_move_back_stays_in_the_teams_process(self):
        """A team moves from the simple catalogue to the active-sales one:
        the simple catalogue's Qualification (sequence 20) stays while a
        deal is in it. A deal stalling in the new Presentation (sequence
        30) moves back one step to the new Meeting preparation (sequence
        20), not to the old Qualification, which sorts after it by name."""
        team = self.env["crm.team"].create({"name": "Switching process"})
        apply_catalogue(self.env, team)
        old = self.env["crm.stage"].search(
            [("team_id", "=", team.id), ("name", "=", "Qualification")]
        )
        self.set_now(self.day(0))
        self.env["crm.lead"].create(
            {"name": "Left behind", "type": "opportunity", "team_id": team.id, "stage_id": old.id}
        )
        stages = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_active_sales"
        )
        self.assertTrue(old.active, "the old stage holds a deal: it stays")
        by_name = {stage.name: stage for stage in stages}
        presentation = by_name["Presentation"]
        presentation.write({"stall_days": 3, "stall_action": "move_back"})
        deal = self.env["crm.lead"].create(
            {
                "name": "Stalls",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": presentation.id,
            }
        )
        self.set_now(self.day(4))
        self.run_job()
        self.assertEqual(deal.stage_id.name, "Meeting preparation")
        self.assertStructuresHold("moved back within the process")


@tagged("post_install", "-at_install")
class TestJobsWhilePeopleWork(TransactionCase):
    """The jobs beside the users: real transactions, each committed, as a
    cron worker and a request run them (as test_jobs)."""

    def setUp(self):
        super().setUp()
        # each batch in a transaction of its own, as in a cron worker
        self.patch(threading.current_thread(), "testing", False)

    def cursor(self):
        return committing_cursor(self.registry)

    def committed_deal(self, name, **values):
        """A team and an opportunity of it, committed; their ids."""
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team, deal = team_and_deal(env, name, **values)
            return {"team": team.id, "deal": deal.id}

    def remove(self, ids):
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.lead"].with_context(active_test=False).browse(ids["deal"]).unlink()
            env["crm.team"].browse(ids["team"]).unlink()

    def save_meanwhile(self, model, method, save):
        """``method`` of ``model`` meets a save committed after the job's
        transaction took its snapshot: ``save(env)`` commits in another
        transaction just before the method runs."""
        model_class = type(self.env[model])
        original = getattr(model_class, method)
        saved = []

        def patched(records, *args, **kwargs):
            if not saved:
                # once: the save itself may call the method
                saved.append(True)
                records.env.cr.execute("SELECT 1 FROM crm_lead LIMIT 1")
                with self.cursor() as cr:
                    save(api.Environment(cr, SUPERUSER_ID, {}))
            return original(records, *args, **kwargs)

        self.patch(model_class, method, patched)
        return original

    def run_job(self, xmlid, method):
        """The job as a cron worker runs it (its runner read the job
        first), committed; whether it asked to run again within two
        minutes."""
        cr = self.cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            job = env.ref(xmlid)
            cr.execute("SELECT id FROM ir_cron WHERE id = %s", [job.id])
            method(env)
            soon = env["ir.cron.trigger"].search_count(
                [
                    ("cron_id", "=", job.id),
                    ("call_at", "<=", fields.Datetime.now() + timedelta(minutes=2)),
                ]
            )
            cr.commit()  # pylint: disable=invalid-commit
            return bool(soon)
        finally:
            cr.close()

    def test_overdue_job_meets_a_save_committed_meanwhile(self):
        """A deal shows 500 overdue, its invoice since paid: the daily job
        brings it to 0. A rep saves the deal just after the job started:
        the job is not marked failed for the day, it runs again a minute
        later and then brings it to 0."""
        ids = self.committed_deal("Overdue beside a save", expected_revenue=1000)
        try:
            with self.cursor() as cr:
                cr.execute("UPDATE crm_lead SET overdue_amount = 500 WHERE id = %s", [ids["deal"]])

            def save(env):
                env["crm.lead"].browse(ids["deal"]).expected_revenue = 2000

            xmlid = "sales_funnel_forecast.ir_cron_refresh_overdue_amounts"
            original = self.save_meanwhile("crm.lead", "_sff_fill_invoice_amounts", save)
            again = self.run_job(xmlid, lambda env: env["crm.lead"]._cron_refresh_overdue_amounts())
            self.assertTrue(again, "runs again a minute later")
            self.patch(type(self.env["crm.lead"]), "_sff_fill_invoice_amounts", original)
            self.run_job(xmlid, lambda env: env["crm.lead"]._cron_refresh_overdue_amounts())
            with self.cursor() as cr:
                cr.execute(
                    "SELECT overdue_amount, expected_revenue FROM crm_lead WHERE id = %s",
                    [ids["deal"]],
                )
                self.assertEqual(cr.fetchone(), (0.0, 2000.0))
        finally:
            self.remove(ids)

    def test_win_rate_job_meets_a_stage_saved_meanwhile(self):
        """A manager drags a kanban column (the stage's sequence saved)
        just after the daily win-rate job started: the job is not marked
        failed for the day, it runs again a minute later and then works
        the stage's win rate out (no closed deal: its percentage, 35)."""
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team = env["crm.team"].create({"name": "Win rates beside a save"})
            stage = env["crm.stage"].create(
                {"name": "Rated", "sequence": 950, "team_id": team.id, "forecast_probability": 35}
            )
            cr.execute("UPDATE crm_stage SET history_win_rate = 0 WHERE id = %s", [stage.id])
            ids = {"team": team.id, "stage": stage.id}
        try:

            def save(env):
                env["crm.stage"].browse(ids["stage"]).sequence = 951

            xmlid = "sales_funnel_forecast.ir_cron_refresh_history_win_rates"
            original = self.save_meanwhile("crm.stage", "_sff_closed_counts", save)
            again = self.run_job(
                xmlid, lambda env: env["crm.stage"]._cron_refresh_history_win_rates()
            )
            self.assertTrue(again, "runs again a minute later")
            self.patch(type(self.env["crm.stage"]), "_sff_closed_counts", original)
            self.run_job(xmlid, lambda env: env["crm.stage"]._cron_refresh_history_win_rates())
            with self.cursor() as cr:
                cr.execute(
                    "SELECT sequence, history_win_rate FROM crm_stage WHERE id = %s", [ids["stage"]]
                )
                self.assertEqual(cr.fetchone(), (951, 35.0))
        finally:
            with self.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.stage"].browse(ids["stage"]).unlink()
                env["crm.team"].browse(ids["team"]).unlink()

    def test_plan_actuals_job_meets_a_plan_saved_meanwhile(self):
        """A manager raises a plan's target just after the daily job that
        refreshes the plans' actuals started: the job is not marked failed
        for the day, it runs again a minute later and then writes the
        actuals (a deal won in March 2027: one deal won in March)."""
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team, deal = team_and_deal(env, "Actuals beside a save", expected_revenue=1000)
            plan = make_plan(env, team)
            deal.action_set_won()
            env.flush_all()
            cr.execute(
                "UPDATE crm_lead SET date_closed = '2027-03-10 10:00:00' WHERE id = %s", [deal.id]
            )
            ids = {"team": team.id, "deal": deal.id, "plan": plan.id}
        try:

            def save(env):
                env["crm.target.plan"].browse(ids["plan"]).revenue_target = 240000

            xmlid = "sales_funnel_forecast.ir_cron_refresh_target_plan_actuals"
            Period = type(self.env["crm.target.plan.period"])
            original = self.save_meanwhile("crm.target.plan.period", "_sff_refresh_actuals", save)
            again = self.run_job(xmlid, lambda env: env["crm.target.plan"]._cron_refresh_actuals())
            self.assertTrue(again, "runs again a minute later")
            self.patch(Period, "_sff_refresh_actuals", original)
            self.run_job(xmlid, lambda env: env["crm.target.plan"]._cron_refresh_actuals())
            with self.cursor() as cr:
                plan = api.Environment(cr, SUPERUSER_ID, {})["crm.target.plan"].browse(ids["plan"])
                self.assertEqual(plan.revenue_target, 240000)
                self.assertEqual(
                    [
                        (period.period_type, str(period.date_from), period.actual_deals_won)
                        for period in plan.period_ids
                        if period.actual_deals_won
                    ],
                    [
                        ("year", "2027-01-01", 1),
                        ("quarter", "2027-01-01", 1),
                        ("month", "2027-03-01", 1),
                    ],
                )
        finally:
            with self.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.target.plan"].browse(ids["plan"]).unlink()
            self.remove(ids)
