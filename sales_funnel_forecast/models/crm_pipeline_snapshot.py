# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from .. import engine_sql
from ..const import (
    FORECAST_CATEGORY_SELECTION,
)
from ..tools.days import day_start, local_today
from ..tools.formats import count_text
from ..tools.jobs import run_batch
from ..tools.notify import notification
from ..tools.writers import claim_writer_row

WEEKDAY_PARAM = "sales_funnel_forecast.snapshot_weekday"
# when snapshots were last written: every writer writes it first
WRITTEN_PARAM = "sales_funnel_forecast.snapshot_written_on"
# set while the job takes the snapshots again in another time zone: the
# forecast accuracy is worked out when it has them all, not before
RETAKING_PARAM = "sales_funnel_forecast.snapshots_retaking"
WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
# how far back the job writes the weekly snapshots it finds missing
HISTORY_MONTHS = 24
# snapshots written per run of the job (each reads every forecast version once)
BATCH_DAYS = 8


class CrmPipelineSnapshot(models.Model):
    """The open pipeline as it stood at the start of a day, in totals per
    company, team, salesperson, stage, forecast category and expected
    closing month, read from the deals' forecast versions: written each
    week on the day the settings give, on demand, and for the past 24
    months after the install. Trend pivots read these few rows rather than
    every deal."""

    _name = "crm.pipeline.snapshot"
    _inherit = ["crm.system.record.mixin"]
    _description = "Pipeline Snapshot"
    _order = "date_snapshot desc, id"
    _log_access = False
    _rec_name = "date_snapshot"

    date_snapshot = fields.Date(
        string="Snapshot Day",
        required=True,
        readonly=True,
        index=True,
        help="The pipeline as it stood at the start of this day, in the funnel totals' "
        "time zone (CRM settings).",
    )
    weekly = fields.Boolean(
        readonly=True,
        help="Taken on the weekly snapshot day of the settings, which the trend views "
        "show by default (one snapshot a week, so that a week's figures are not "
        "added up twice). The others are the pipeline at each month's start and "
        "the forecast accuracy's lead time before it, and those taken on demand.",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="cascade")
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, ondelete="set null")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, ondelete="set null")
    stage_id = fields.Many2one("crm.stage", readonly=True, ondelete="cascade")
    forecast_category = fields.Selection(FORECAST_CATEGORY_SELECTION, readonly=True)
    deadline_month = fields.Date(string="Expected Closing Month", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", related="company_id.currency_id", string="Currency"
    )
    deal_count = fields.Integer(string="Deals", readonly=True)
    expected_revenue = fields.Monetary(
        string="Pipeline", readonly=True, currency_field="currency_id"
    )
    forecast_revenue = fields.Monetary(
        string="Stage-weighted Forecast",
        readonly=True,
        currency_field="currency_id",
        help="Amount x each deal's probability then; 0 for deals out of the forecast.",
    )
    history_forecast_revenue = fields.Monetary(
        string="History-weighted Forecast",
        readonly=True,
        currency_field="currency_id",
        help="Amount x the stage's win rate of the last 12 months as the snapshot was "
        "written; 0 for deals out of the forecast.",
    )

    def _sff_manual_change_message(self):
        return self.env._(
            "Pipeline snapshots are written from the deals' forecast versions; "
            "they cannot be created or edited by hand."
        )

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    @api.model
    def _sff_take(self, days):
        """Write the snapshots of ``days`` (dates), replacing those already
        written for them, in one statement per day. Returns the rows
        written."""
        cr = self.env.cr
        # one writer at a time: two writers of a day's first snapshot would
        # each write it, and the day would count every deal twice
        claim_writer_row(cr, WRITTEN_PARAM)
        self.env["crm.lead.forecast.version"].flush_model()
        self.env["crm.stage"].flush_model(["history_weight", "forecast_probability"])
        weekday = self._sff_mark_weekly()
        count = 0
        for day in days:
            cr.execute(
                SQL(
                    """
                DELETE FROM crm_pipeline_snapshot WHERE date_snapshot = %(day)s;
                INSERT INTO crm_pipeline_snapshot
                    (date_snapshot, weekly, company_id, team_id, user_id, stage_id, forecast_category,
                     deadline_month, deal_count, expected_revenue, forecast_revenue,
                     history_forecast_revenue)
                SELECT %(day)s, %(weekly)s, v.company_id, v.team_id, v.user_id, v.stage_id, v.forecast_category,
                       date_trunc('month', v.date_deadline)::date, COUNT(*),
                       SUM(COALESCE(v.expected_revenue, 0)),
                       SUM(%(weighted)s),
                       SUM(CASE WHEN v.forecast_excluded THEN 0
                                ELSE COALESCE(v.expected_revenue, 0)
                                     * COALESCE(s.history_weight, COALESCE(s.forecast_probability, 0) / 100) END)
                  FROM crm_lead_forecast_version v
             LEFT JOIN crm_stage s ON s.id = v.stage_id
                 WHERE v.deal_state = 'open' AND v.valid_from <= %(moment)s
                   AND (v.valid_to IS NULL OR v.valid_to > %(moment)s)
              GROUP BY v.company_id, v.team_id, v.user_id, v.stage_id, v.forecast_category,
                       date_trunc('month', v.date_deadline)
                """,
                    day=day,
                    weekly=day.weekday() == weekday,
                    moment=day_start(self.env, day),
                    # each open deal's weighted amount to its currency's
                    # decimals, as the deal and the revenue forecast have it
                    weighted=engine_sql.weighted_revenue(
                        SQL("v.expected_revenue"),
                        SQL("v.probability"),
                        SQL("TRUE"),
                        SQL("FALSE"),
                        SQL("v.forecast_excluded"),
                        self.env["crm.lead"]._sff_decimals_sql(SQL("v.company_id")),
                    ),
                )
            )
            if not cr.rowcount:
                # no open deal then: one empty row says the day was taken
                cr.execute(
                    """INSERT INTO crm_pipeline_snapshot (date_snapshot, weekly, deal_count,
                                                          expected_revenue, forecast_revenue,
                                                          history_forecast_revenue)
                       VALUES (%s, %s, 0, 0, 0, 0)""",
                    [day, day.weekday() == weekday],
                )
            count += cr.rowcount
        self.invalidate_model()
        return count

    @api.model
    def _sff_weekday(self):
        """The weekly snapshot's day of the week (Monday 0), as the settings
        give it."""
        # sudo: the setting is a system parameter, read by the job
        value = self.env["ir.config_parameter"].sudo().get_param(WEEKDAY_PARAM, "0")
        return int(value) if value in dict(WEEKDAYS) else 0

    @api.model
    def _sff_mark_weekly(self):
        """Mark the weekly snapshots as the settings' weekday now says (a
        change of the day leaves the old day's rows out of the trend
        views, the job then writing the new day's); returns the weekday."""
        weekday = self._sff_weekday()
        self.env.cr.execute(
            """UPDATE crm_pipeline_snapshot
                  SET weekly = (EXTRACT(ISODOW FROM date_snapshot)::int - 1 = %(weekday)s)
                WHERE weekly IS DISTINCT FROM (EXTRACT(ISODOW FROM date_snapshot)::int - 1 = %(weekday)s)""",
            {"weekday": weekday},
        )
        if self.env.cr.rowcount:
            self.invalidate_model(["weekly"])
        return weekday

    @api.model
    def _sff_days_missing(self, today=None, every=False):
        """The snapshot days up to today that have no snapshot yet, oldest
        first: the weekly days of the last 24 months (on the settings'
        weekday), and the days the forecast accuracy reads its periods'
        forecasts at: the first day of every month of its 24 months and 8
        quarters, and the lead time's number of days before each, a coming
        month's too once its day has come (all of them with ``every``)."""
        # days of the funnel totals' time zone, as the snapshots read the
        # pipeline at their first instant there
        today = today or local_today(self.env)
        weekday = self._sff_weekday()
        last = today - timedelta(days=(today.weekday() - weekday) % 7)
        first = today - relativedelta(months=HISTORY_MONTHS)
        days = []
        day = last
        while day >= first:
            days.append(day)
            day -= timedelta(days=7)
        # the lead time the accuracy reads its forecasts at, as it reads it
        lead = timedelta(days=self.env["crm.forecast.accuracy.report"]._sff_lead_days())
        # the accuracy's first quarter starts up to two months before its
        # first month
        month = today.replace(day=1, month=(today.month - 1) // 3 * 3 + 1) - relativedelta(
            months=HISTORY_MONTHS
        )
        # up to the months whose lead time's day has come: that day's
        # pipeline is read on the day, with the stages' win rates of then,
        # not a month later at the month's start
        while month - lead <= today:
            days += [day for day in (month, month - lead) if day <= today]
            month += relativedelta(months=1)
        days = list(set(days))
        if every:
            return sorted(days)
        self.env.cr.execute(
            "SELECT DISTINCT date_snapshot FROM crm_pipeline_snapshot WHERE date_snapshot = ANY(%s)",
            [days],
        )
        present = {row[0] for row in self.env.cr.fetchall()}
        return sorted(set(days) - present)

    @api.model
    def _cron_take_snapshots(self, batch_days=BATCH_DAYS):
        """This week's snapshot on the settings' weekday, and those of the
        past 24 months that are missing (after the install: all of them),
        a batch per run, oldest first: the scheduler runs the job again
        while some remain, committing in between."""
        return run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_take_pipeline_snapshots",
            lambda: self._sff_take_batch(batch_days),
            # a manager writing snapshots meanwhile (one writer at a time):
            # the days still missing, and the accuracy's refresh, a minute later
            lambda: len(self._sff_days_missing()) or 1,
        )

    @api.model
    def _sff_take_batch(self, batch_days):
        """One batch of the job: returns (days written, days missing)."""
        missing = self._sff_days_missing()
        batch = missing[:batch_days]
        if batch:
            self._sff_take(batch)
        remaining = len(missing) - len(batch)
        if not remaining:
            # every snapshot written: the accuracy lines read them (and the
            # day's won deals and revenue), worked out once a day
            # (sudo: the job's parameter, whoever runs the job)
            self.env["ir.config_parameter"].sudo().set_param(RETAKING_PARAM, False)
            self.env["crm.forecast.accuracy.report"]._sff_refresh()
        return len(batch), remaining

    @api.model
    def _sff_take_again(self):
        """The days start at another hour (the funnel totals' time zone
        changed): the snapshots the job writes (24 months of weekly days
        and the accuracy's days) are taken again by it, a batch per run,
        which then works the accuracy out; older ones and those taken by
        hand on other days stay as they were read."""
        self.env.cr.execute(
            "DELETE FROM crm_pipeline_snapshot WHERE date_snapshot = ANY(%s)",
            [self._sff_days_missing(every=True)],
        )
        self.invalidate_model()
        # until the job has them all, the accuracy lines stay as they were:
        # worked out now, they would find no snapshot and be no more
        # (sudo: the job's parameter, whoever saves the setting)
        self.env["ir.config_parameter"].sudo().set_param(RETAKING_PARAM, "1")
        # sudo: whoever saves the setting may start the job, not edit it
        self.env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots").sudo()._trigger()

    @api.model
    def _sff_retaking(self):
        """Whether the job is taking the snapshots again (the funnel totals'
        time zone changed) and has not got them all yet."""
        # sudo: a system parameter, read for every manager's refresh
        return bool(self.env["ir.config_parameter"].sudo().get_param(RETAKING_PARAM))

    def action_take_snapshot(self):
        """Write today's snapshot now (managers), replacing one of today."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                self.env._("Only sales managers can take a snapshot of the pipeline.")
            )
        today = local_today(self.env)
        # sudo: snapshots are written by the system; the button is the managers'
        # the accuracy lines of closed periods read older snapshots: the
        # daily job and Refresh Now work them out again, not this button
        self.sudo()._sff_take([today])
        day = format_date(self.env, today)
        # then the day's rows, listed: the trend's default filter shows the
        # weekly snapshots only, which today's is on one day of the week
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_funnel_forecast.crm_pipeline_snapshot_action"
        )
        name = self.env._("Pipeline Snapshot of %(day)s", day=day)
        action.update(
            {
                # the web client shows display_name before name
                "name": name,
                "display_name": name,
                "domain": [("date_snapshot", "=", fields.Date.to_string(today))],
                "context": {},
                "views": sorted(action["views"], key=lambda view: view[1] != "list"),
            }
        )
        # the rows the manager reads, as the list then shows them (the
        # snapshot is every company's); no open deal (a new database, deals
        # all leads): the day's one empty row is no row to speak of
        [(rows, deals)] = self._read_group(
            [("date_snapshot", "=", today)], [], ["__count", "deal_count:sum"]
        )
        if not deals:
            message = self.env._(
                "Snapshot of %(day)s written: no deal was open at the start of the day.", day=day
            )
        elif rows == 1:
            message = self.env._("Snapshot of %(day)s written: 1 row.", day=day)
        else:
            message = self.env._(
                "Snapshot of %(day)s written: %(rows)s rows.",
                day=day,
                # in the user's notation, as the module's other counts
                rows=count_text(self.env, rows),
            )
        return notification(message, then=action)

    @api.model
    def _sff_last_snapshot(self):
        """The day of the latest snapshot, for the views to say it."""
        self.env.cr.execute("SELECT MAX(date_snapshot) FROM crm_pipeline_snapshot")
        return self.env.cr.fetchone()[0]
