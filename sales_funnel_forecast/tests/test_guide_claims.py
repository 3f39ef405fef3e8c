# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The user guide (readme/USAGE.md, readme/CONFIGURE.md) tried claim by
claim, as a manager and a salesperson meet it."""

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from ..install import rebuild
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestAccuracyAfterTimeZoneChange(FunnelCase):
    """CONFIGURE: a change of the funnel totals' time zone has the job take
    the pipeline snapshots again, the forecast accuracy being worked out
    once they all are. A rep committed 100,000 for the month before last and
    won it at 80,000: Commit 75 % accurate."""

    def setUp(self):
        super().setUp()
        this_month = date.today().replace(day=1)
        self.first = this_month - relativedelta(months=2)
        self.set_now(datetime.combine(self.first - timedelta(days=11), time(10)))
        big = self.make_deal(
            "Big", self.s_proposal, 100000, date_deadline=self.first + timedelta(days=14)
        )
        big.forecast_category = "commit"
        won_on = datetime.combine(self.first + timedelta(days=9), time(10))
        self.set_now(won_on)
        big.write({"expected_revenue": 80000, "stage_id": self.s_won.id})
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, big.id])
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        monday = self.first - timedelta(days=self.first.weekday())
        self.env["crm.pipeline.snapshot"]._sff_take([monday])
        self.env.invalidate_all()
        self.set_now(datetime.combine(this_month, time(9)))
        self.env["crm.forecast.accuracy.report"]._sff_refresh()

    def commit_line(self):
        line = self.env["crm.forecast.accuracy.report"].search(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", self.first),
                ("lead_days", "=", 0),
                ("user_id", "=", self.rep.id),
                ("team_id", "=", self.team.id),
                ("method", "=", "commit"),
            ]
        )
        return line.forecast_amount, line.actual_amount, line.accuracy

    def test_refresh_now_keeps_the_lines_while_snapshots_are_taken_again(self):
        """A manager's Refresh Now, or a company's quota basis changed,
        right after the time zone was changed, read the accuracy from the
        snapshots the job has not taken again yet: every line was gone
        (Refresh Now said "no line, nothing was forecast or won") until
        the job ended. They stay as they were, and the job's end works
        them out again."""
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        settings = self.env["res.config.settings"].create({})
        settings.sff_funnel_summary_tz = (
            "Asia/Tokyo" if settings.sff_funnel_summary_tz != "Asia/Tokyo" else "Europe/Paris"
        )
        settings.execute()
        Report = self.env["crm.forecast.accuracy.report"]
        action = Report.with_user(self.manager).action_sff_refresh()
        self.env.invalidate_all()
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("being taken again", action["params"]["message"])
        self.company.crm_quota_basis = (
            "cash" if self.company.crm_quota_basis == "accrual" else "accrual"
        )
        self.env.invalidate_all()
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        # the job takes them all again, then works the lines out: the
        # month's Commit read at its start in the new time zone
        Snapshot = self.env["crm.pipeline.snapshot"]
        Snapshot._sff_take_batch(len(Snapshot._sff_days_missing()))
        self.assertFalse(Snapshot._sff_retaking())
        self.env.invalidate_all()
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        # Refresh Now works the lines out at once again
        action = Report.with_user(self.manager).action_sff_refresh()
        self.assertEqual(action["params"]["type"], "success")

    def test_refresh_now_says_the_job_is_off(self):
        """The snapshots' job switched off by an administrator never takes
        them again: Refresh Now said "being taken again" forever. It says
        the job is off, by the name Settings > Technical > Scheduled Actions
        lists it under, and keeps the lines as they were."""
        Report = self.env["crm.forecast.accuracy.report"]
        job = self.env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots")
        job.active = False
        self.env["crm.pipeline.snapshot"]._sff_take_again()
        action = Report.with_user(self.manager).action_sff_refresh()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(
            action["params"]["message"],
            "The pipeline snapshots are to be taken again in the funnel totals' new time "
            "zone, but the scheduled action “Sales funnel: weekly snapshots of the "
            "pipeline” that takes them is switched off: an administrator can switch it on "
            "again in Settings > Technical > Scheduled Actions. Until then the forecast "
            "accuracy's lines stay as they were.",
        )
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        # switched on again: taking them, then done
        job.active = True
        action = Report.with_user(self.manager).action_sff_refresh()
        self.assertIn("being taken again", action["params"]["message"])
        Snapshot = self.env["crm.pipeline.snapshot"]
        Snapshot._sff_take_batch(len(Snapshot._sff_days_missing()))
        action = Report.with_user(self.manager).action_sff_refresh()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))

    def test_upgrade_keeps_the_lines_until_the_snapshots_are_taken_again(self):
        """An upgrade that has the snapshots taken again (their days start
        at another hour, as 18.0.1.18.0's did) and the accuracy worked out
        again (18.0.1.27.0's, where invoices have a cash rounding) worked
        the lines out from the snapshots it had just deleted: every line
        was gone until the job had taken them all again. It keeps them, as
        Refresh Now does, the job's end working them out."""
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        rebuild.request(self.env.cr, "snapshots_again")
        rebuild.request(self.env.cr, "accuracy_lines")
        self.assertEqual(rebuild.run_requested(self.env), ["snapshots_again", "accuracy_lines"])
        Snapshot = self.env["crm.pipeline.snapshot"]
        self.assertTrue(Snapshot._sff_retaking())
        self.env.invalidate_all()
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        # the job takes them all again, then works the lines out
        Snapshot._sff_take_batch(len(Snapshot._sff_days_missing()))
        self.assertFalse(Snapshot._sff_retaking())
        self.env.invalidate_all()
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
