# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sales year lived with the clock moving: a small team's deals created,
moved, slipped, won, lost and invoiced through month, quarter and year
ends, with the module's scheduled jobs run on their own days as the
scheduler runs them; the figures checked at each period's end against
what a person counts by hand."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from ..const import ACCURACY_LEAD_DAYS_PARAM, TZ_PARAM
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestYearLived(FunnelCase):
    def setUp(self):
        super().setUp()
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param(TZ_PARAM, "Europe/Brussels")
        Param.set_param(ACCURACY_LEAD_DAYS_PARAM, "30")
        # the test's year only: no snapshot of the database's own days
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        self.freezer = None
        self.addCleanup(self.stop_clock)

    def stop_clock(self):
        if self.freezer:
            self.freezer.stop()
            self.freezer = None

    def at(self, moment):
        """The clock reads ``moment`` (UTC): Python's (freezegun) and the
        transaction's."""
        self.stop_clock()
        self.set_now(moment)
        self.freezer = freeze_time(moment)
        self.freezer.start()

    def set_history_weight(self, stage, weight):
        """The stage's win rate as the nightly job wrote it."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_stage SET history_weight = %s WHERE id = %s", [weight, stage.id]
        )
        self.env.invalidate_all()

    def snapshot_job(self):
        """The weekly snapshots' job, run by the scheduler until it has
        written every day it finds missing (then the accuracy)."""
        Snapshot = self.env["crm.pipeline.snapshot"]
        while Snapshot._cron_take_snapshots(batch_days=1000):
            pass
        self.env.invalidate_all()

    def accuracy(self, month, lead_days, method, period_type="month"):
        line = self.env["crm.forecast.accuracy.report"].search(
            [
                ("period_type", "=", period_type),
                ("date_from", "=", month),
                ("lead_days", "=", lead_days),
                ("team_id", "=", self.team.id),
                ("user_id", "=", self.rep.id),
                ("method", "=", method),
            ]
        )
        return (line.date_snapshot, line.forecast_amount, line.actual_amount, line.accuracy)

    def test_lead_time_forecast_is_read_on_its_day(self):
        """Lead time 30 days: June 2027's forecast a lead time ahead is the
        pipeline of Sunday 2 May 2027 (1 June less 30 days). A deal of
        1,000 at Qualified is expected on 15 June; on 2 May the stage's win
        rate (the nightly job's) is 50 %, by 1 June it has fallen to 20 %.
        The snapshots' job runs every day at 05:00 UTC. The deal is won on
        10 June at 1,000. On 1 July the accuracy lines say: 30 days ahead,
        the history-weighted forecast was 500 (1,000 x 50 %, as read on 2
        May), 50 % accurate; at June's start, 200 (20 %), 20 % accurate."""
        self.at(datetime(2027, 4, 20, 9, 0))
        deal = self.make_deal("June deal", self.s_qualified, 1000, date_deadline=date(2027, 6, 15))
        self.set_history_weight(self.s_qualified, 0.5)
        for day in (date(2027, 5, 1), date(2027, 5, 2), date(2027, 5, 3)):
            self.at(datetime.combine(day, datetime.min.time()).replace(hour=5))
            self.snapshot_job()
        self.set_history_weight(self.s_qualified, 0.2)
        self.at(datetime(2027, 6, 1, 5, 0))
        self.snapshot_job()
        self.at(datetime(2027, 6, 10, 9, 0))
        deal.action_set_won()
        self.at(datetime(2027, 7, 1, 5, 0))
        self.snapshot_job()
        self.assertEqual(
            self.accuracy(date(2027, 6, 1), 30, "history_weighted"),
            (date(2027, 5, 2), 500.0, 1000.0, 50.0),
        )
        self.assertEqual(
            self.accuracy(date(2027, 6, 1), 0, "history_weighted"),
            (date(2027, 6, 1), 200.0, 1000.0, 20.0),
        )
