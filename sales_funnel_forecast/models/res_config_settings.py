# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError

from ..const import (
    ACCURACY_LEAD_DAYS_PARAM,
    DEFAULT_ACCURACY_LEAD_DAYS,
    MAX_ACCURACY_LEAD_DAYS,
    TZ_PARAM,
)
from ..tools.formats import count_text
from .crm_forecast_submission_screen import DEFAULT_STALE_DAYS, MAX_STALE_DAYS, STALE_DAYS_PARAM
from .crm_pipeline_snapshot import WEEKDAY_PARAM, WEEKDAYS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_probability_from_stage = fields.Boolean(
        related="company_id.crm_probability_from_stage",
        readonly=False,
    )
    crm_lost_reason_required = fields.Boolean(
        related="company_id.crm_lost_reason_required",
        readonly=False,
    )
    crm_quota_basis = fields.Selection(
        related="company_id.crm_quota_basis",
        readonly=False,
    )
    sff_funnel_summary_tz = fields.Selection(
        _tz_get,
        string="Funnel Totals Time Zone",
        config_parameter=TZ_PARAM,
        default=lambda self: self.env["crm.funnel.summary"]._sff_tz(),
        help="The months of the funnel's monthly totals start at midnight in this time zone.",
    )

    sff_snapshot_weekday = fields.Selection(
        WEEKDAYS,
        string="Pipeline Snapshot Day",
        config_parameter=WEEKDAY_PARAM,
        default="0",
        help="The day of the week the pipeline's weekly snapshot is written, as it stood "
        "at the start of that day.",
    )

    # kept by get_values/set_values, not as a config_parameter field: Odoo
    # saves 0 as no value, which reads as the default
    sff_accuracy_lead_days = fields.Integer(
        string="Forecast Accuracy Lead Time",
        default=DEFAULT_ACCURACY_LEAD_DAYS,
        help="Forecast accuracy compares each period's forecast at its start and this "
        "many days before it with what was won.",
    )

    sff_submission_stale_days = fields.Integer(
        string="Forecast Submission Reminder",
        default=DEFAULT_STALE_DAYS,
        help="The Forecast screen marks the salespeople who have not submitted a forecast "
        "for the period in this many days; at 0 it marks nobody.",
    )

    sff_funnel_summary_tz_built = fields.Char(
        string="Funnel Totals Worked Out In",
        compute="_compute_sff_funnel_summary_tz_built",
        help="The time zone the funnel's monthly totals are in now. After a change of the "
        "setting, a background job works them out again within minutes.",
    )

    @api.depends("company_id")  # computed when the settings form opens
    def _compute_sff_funnel_summary_tz_built(self):
        built = self.env["crm.funnel.summary"]._sff_built_tz() or "-"
        for settings in self:
            settings.sff_funnel_summary_tz_built = built

    @api.constrains("sff_accuracy_lead_days", "sff_submission_stale_days")
    def _check_sff_days(self):
        for settings in self:
            if settings.sff_accuracy_lead_days < 0:
                raise ValidationError(
                    self.env._(
                        "The forecast accuracy lead time is a number of days before each "
                        "period's start: 0 or more."
                    )
                )
            if settings.sff_accuracy_lead_days > MAX_ACCURACY_LEAD_DAYS:
                raise ValidationError(
                    self.env._(
                        "The forecast accuracy lead time is at most %(days)s days: the "
                        "snapshots it reads go back 24 months.",
                        days=count_text(self.env, MAX_ACCURACY_LEAD_DAYS),
                    )
                )
            if settings.sff_submission_stale_days < 0:
                raise ValidationError(
                    self.env._("The forecast submission reminder is a number of days: 0 or more.")
                )
            if settings.sff_submission_stale_days > MAX_STALE_DAYS:
                raise ValidationError(
                    self.env._(
                        "The forecast submission reminder is at most %(days)s days.",
                        days=count_text(self.env, MAX_STALE_DAYS),
                    )
                )

    @api.model
    def get_values(self):
        # what the module reads, which a value written over RPC that the
        # form would refuse does not change (the form would not open on it)
        return dict(
            super().get_values(),
            sff_funnel_summary_tz=self.env["crm.funnel.summary"]._sff_tz(),
            sff_snapshot_weekday=str(self.env["crm.pipeline.snapshot"]._sff_weekday()),
            sff_accuracy_lead_days=self.env["crm.forecast.accuracy.report"]._sff_lead_days(),
            sff_submission_stale_days=self.env["crm.forecast.submission"]._sff_stale_days(),
        )

    def set_values(self):
        Summary = self.env["crm.funnel.summary"]
        Accuracy = self.env["crm.forecast.accuracy.report"]
        tz_before = Summary._sff_tz()
        lead_days_before = Accuracy._sff_lead_days()
        result = super().set_values()
        # sudo: the parameters behind the settings, as Odoo's settings write them
        Param = self.env["ir.config_parameter"].sudo()
        if not Param.get_param(TZ_PARAM):
            # cleared: the time zone the module falls back on is written, which
            # the reports' SQL reads (the same for the totals and the rows)
            Param.set_param(TZ_PARAM, tz_before)
        for settings in self:
            Param.set_param(ACCURACY_LEAD_DAYS_PARAM, str(settings.sff_accuracy_lead_days))
            Param.set_param(STALE_DAYS_PARAM, str(settings.sff_submission_stale_days))
        if Summary._sff_tz() != Summary._sff_built_tz():
            # the months start at another hour: the totals are worked out
            # again by a job, whose transaction can lock the funnel rows
            # before it reads them (a request has read much already)
            Summary._sff_schedule_rebuild()
        if Summary._sff_tz() != tz_before:
            # the plans' actuals count months in that time zone too; the
            # snapshots read the pipeline at its days' first instant: their
            # job takes them again, then works the accuracy out
            self.env["crm.target.plan"]._sff_refresh_all_actuals()
            self.env["crm.pipeline.snapshot"]._sff_take_again()
        elif Accuracy._sff_lead_days() != lead_days_before:
            # the accuracy compares the forecasts of other days: the
            # snapshots' job takes those it lacks, then works the accuracy
            # out (sudo: whoever saves the setting may start the job)
            self.env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots").sudo()._trigger()
        return result
