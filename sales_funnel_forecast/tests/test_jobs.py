# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's scheduled jobs beside the users and the other jobs of a
multi-worker server: two real transactions, each committed, as a cron
worker and a request run them. A batch that meets a change committed
after it started is undone and runs again a minute later; Odoo would mark
the run failed and leave the rest of the work to the next day."""

import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from ..const import TZ_PARAM
from .common import committing_cursor
from .test_funnel_summary import totals_and_rows


@tagged("post_install", "-at_install")
class TestJobsBesideOthers(TransactionCase):
    def setUp(self):
        super().setUp()
        # the jobs run as a cron worker runs them, each batch in a
        # transaction of its own (a test's thread keeps them in its own)
        self.patch(threading.current_thread(), "testing", False)

    def cursor(self):
        return committing_cursor(self.registry)

    def committed_deal(self, name):
        """A team with a stage of its own (flag after 10 days) and an
        opportunity in it past the limit, committed. Returns their ids."""
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team = env["crm.team"].create({"name": name})
            stage = env["crm.stage"].create(
                {
                    "name": name,
                    "sequence": 950,
                    "team_id": team.id,
                    "forecast_probability": 20,
                    "stall_days": 10,
                    "stall_action": "flag",
                }
            )
            deal = env["crm.lead"].create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": stage.id,
                    "expected_revenue": 1000,
                }
            )
            env.flush_all()
            env["crm.lead.stage.history"]._sff_flush_pending()
            cr.execute(
                """UPDATE crm_lead_stage_history SET stall_due = '2000-01-01'
                    WHERE lead_id = %s AND date_out IS NULL""",
                [deal.id],
            )
            return {"team": team.id, "stage": stage.id, "deal": deal.id}

    def remove(self, ids):
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.lead"].with_context(active_test=False).search(
                [("team_id", "=", ids["team"])]
            ).unlink()
            env["crm.stage"].browse(ids["stage"]).unlink()
            env["crm.team"].browse(ids["team"]).unlink()

    def save_meanwhile(self, model, batch_method, save):
        """Make the job's batch (``model``'s ``batch_method``) meet a save
        committed after it started: the batch reads (its snapshot), then
        ``save(env)`` commits in another transaction, then the batch runs."""
        model_class = type(self.env[model])
        original = getattr(model_class, batch_method)

        def batch(records, *args, **kwargs):
            records.env.cr.execute("SELECT 1 FROM crm_lead LIMIT 1")
            with self.cursor() as cr:
                save(api.Environment(cr, SUPERUSER_ID, {}))
            return original(records, *args, **kwargs)

        self.patch(model_class, batch_method, batch)
        return original

    def run_job(self, job, method, **kwargs):
        """Run the job's method in a cron worker's transaction (its runner
        has read the job first); returns what it returned and whether it
        asked to run again within the next two minutes."""
        cr = self.cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            record = env.ref(f"sales_funnel_forecast.{job}")
            cr.execute("SELECT id FROM ir_cron WHERE id = %s", [record.id])
            result = method(env, **kwargs)
            soon = env["ir.cron.trigger"].search_count(
                [
                    ("cron_id", "=", record.id),
                    ("call_at", "<=", fields.Datetime.now() + timedelta(minutes=2)),
                ]
            )
            cr.commit()  # pylint: disable=invalid-commit
            return result, bool(soon)
        finally:
            cr.close()

    def test_stall_job_meets_a_save_committed_meanwhile(self):
        """A rep saves a deal past its stage's limit just after the stall
        job's batch started: the batch is undone, the job runs again a
        minute later and then flags the deal."""
        ids = self.committed_deal("Stall beside a save")
        try:

            def save(env):
                env["crm.lead"].browse(ids["deal"]).expected_revenue = 2000

            original = self.save_meanwhile("crm.lead", "_sff_apply_stall_rules", save)
            remaining, again = self.run_job(
                "ir_cron_apply_stall_rules",
                lambda env: env["crm.lead"]._cron_apply_stall_rules(batch_size=1),
            )
            self.assertGreaterEqual(remaining, 1)
            self.assertTrue(again, "runs again a minute later")
            self.patch(type(self.env["crm.lead"]), "_sff_apply_stall_rules", original)
            self.run_job(
                "ir_cron_apply_stall_rules",
                lambda env: env["crm.lead"]._cron_apply_stall_rules(batch_size=1000),
            )
            with self.cursor() as cr:
                deal = api.Environment(cr, SUPERUSER_ID, {})["crm.lead"].browse(ids["deal"])
                self.assertEqual((deal.is_stalled, deal.expected_revenue), (True, 2000.0))
        finally:
            self.remove(ids)

    def test_prorated_job_meets_a_save_committed_meanwhile(self):
        """A rep saves one of the deals whose prorated revenue the job
        refreshes, just after its batch started: undone, run again a minute
        later, then refreshed."""
        ids = self.committed_deal("Prorated beside a save")
        try:
            with self.cursor() as cr:
                cr.execute(
                    "UPDATE crm_lead SET prorated_pending = TRUE WHERE id = %s", [ids["deal"]]
                )

            def save(env):
                env["crm.lead"].browse(ids["deal"]).expected_revenue = 3000

            original = self.save_meanwhile("crm.lead", "_sff_refresh_prorated_batch", save)
            remaining, again = self.run_job(
                "ir_cron_refresh_prorated_revenue",
                lambda env: env["crm.lead"]._cron_refresh_prorated_revenue(batch_size=100000),
            )
            self.assertGreaterEqual(remaining, 1)
            self.assertTrue(again)
            self.patch(type(self.env["crm.lead"]), "_sff_refresh_prorated_batch", original)
            self.run_job(
                "ir_cron_refresh_prorated_revenue",
                lambda env: env["crm.lead"]._cron_refresh_prorated_revenue(batch_size=100000),
            )
            with self.cursor() as cr:
                cr.execute("SELECT prorated_pending FROM crm_lead WHERE id = %s", [ids["deal"]])
                self.assertFalse(cr.fetchone()[0])
        finally:
            with self.cursor() as cr:
                cr.execute(
                    "UPDATE crm_lead SET prorated_pending = FALSE WHERE id = %s", [ids["deal"]]
                )
            self.remove(ids)

    def test_snapshot_job_meets_a_manager_snapshot(self):
        """A manager takes today's snapshot and refreshes the accuracy just
        after the snapshot job's batch started (one writer at a time): the
        job runs again a minute later, then writes its days and refreshes
        the accuracy."""

        def save(env):
            admin = env.ref("base.user_admin")
            env["crm.pipeline.snapshot"].with_user(admin).action_take_snapshot()
            env["crm.forecast.accuracy.report"].with_user(admin).action_sff_refresh()

        refreshed_on = "SELECT value FROM ir_config_parameter WHERE key = %s"
        refresh_param = ["sales_funnel_forecast.accuracy_refreshed_on"]
        with self.cursor() as cr:
            cr.execute(refreshed_on, refresh_param)
            refreshed = cr.fetchall()
        original = self.save_meanwhile("crm.pipeline.snapshot", "_sff_take_batch", save)
        remaining, again = self.run_job(
            "ir_cron_take_pipeline_snapshots",
            lambda env: env["crm.pipeline.snapshot"]._cron_take_snapshots(),
        )
        self.assertGreaterEqual(remaining, 1)
        self.assertTrue(again)
        self.patch(type(self.env["crm.pipeline.snapshot"]), "_sff_take_batch", original)
        while self.run_job(
            "ir_cron_take_pipeline_snapshots",
            lambda env: env["crm.pipeline.snapshot"]._cron_take_snapshots(),
        )[0]:
            pass
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["crm.pipeline.snapshot"]._sff_days_missing(), [])
            cr.execute(refreshed_on, refresh_param)
            self.assertNotEqual(cr.fetchall(), refreshed, "the accuracy refreshed")

    def test_time_zone_rebuild_meets_the_hourly_fold(self):
        """The time zone's rebuild of the monthly totals starts while the
        hourly fold of the totals is between its delete and its commit (two
        cron workers): the rebuild waits for the fold, then works the
        totals out in the new time zone."""
        with self.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            setting = env["ir.config_parameter"].get_param(TZ_PARAM)
            built = env["crm.funnel.summary"]._sff_built_tz()
            new_tz = "Pacific/Kiritimati" if built != "Pacific/Kiritimati" else "UTC"
            env["ir.config_parameter"].set_param(TZ_PARAM, new_tz)
        fold_cr, rebuild_cr = self.cursor(), self.cursor()
        errors, rebuilt = [], []
        try:
            api.Environment(fold_cr, SUPERUSER_ID, {})["crm.funnel.summary"]._cron_compact()

            def rebuild():
                try:
                    env = api.Environment(rebuild_cr, SUPERUSER_ID, {})
                    rebuilt.append(env["crm.funnel.summary"]._cron_rebuild())
                    rebuild_cr.commit()  # pylint: disable=invalid-commit
                except Exception as error:  # noqa: BLE001 (reported below)
                    errors.append(error)

            thread = threading.Thread(target=rebuild)
            thread.start()
            # the rebuild waits on the fold's lock
            thread.join(2)
            self.assertTrue(thread.is_alive())
            fold_cr.commit()  # pylint: disable=invalid-commit
            thread.join(30)
            self.assertFalse(thread.is_alive())
            self.assertEqual((errors, rebuilt), ([], [True]))
            with self.cursor() as cr:
                kept, rows = totals_and_rows(cr, new_tz)
                self.assertEqual(kept, rows)
        finally:
            rebuild_cr.close()
            fold_cr.close()
            with self.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["ir.config_parameter"].set_param(TZ_PARAM, setting or False)
                env["crm.funnel.summary"]._sff_rebuild(built)
