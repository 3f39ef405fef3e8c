# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.formats import count_text, named
from ..tools.holders import holders


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_probability_from_stage = fields.Boolean(
        string="Probability Follows Stage",
        default=True,
        help="When a deal changes stage, its probability becomes the "
        "percentage of the new stage. A probability typed on the deal holds "
        "until its next stage change.",
    )

    crm_lost_reason_required = fields.Boolean(
        string="Lost Reason Required",
        help="A deal can only be marked lost with a lost reason.",
    )
    crm_quota_basis = fields.Selection(
        [("accrual", "Invoiced (posted invoices)"), ("cash", "Paid (payments received)")],
        string="Quota Attainment Basis",
        default="accrual",
        required=True,
        help="Invoiced: quota attainment counts posted invoices and credit notes at their "
        "date. Paid: it counts what customers paid, at the date of each payment.",
    )

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_deals(self):
        # Odoo keeps a deleted company's deals (without a company); their
        # stays, versions and calls are the company's and would go with it
        # sudo: the deals of the companies, whoever may read them
        count = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("company_id", "in", self.ids)])
        )
        if count == 1:
            raise UserError(
                self.env._(
                    "One lead or deal belongs to this company: its stage history and calls "
                    "would be erased with it. Archive the company instead."
                )
            )
        if count:
            raise UserError(
                self.env._(
                    "%(count)s leads and deals belong to this company: their stage history and "
                    "calls would be erased with it. Archive the company instead.",
                    count=count_text(self.env, count),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_plans_and_forecasts(self):
        plans = holders(self.env, "crm.target.plan", "company_id", self.ids)
        if plans:
            raise UserError(
                self.env._(
                    "These companies have target plans (%(plans)s): delete the plans first, "
                    "or archive the companies.",
                    plans=named(plans),
                )
            )
        forecast_companies = holders(
            self.env, "crm.forecast.submission", "company_id", self.ids
        ).company_id
        if forecast_companies:
            raise UserError(
                self.env._(
                    "These companies have forecasts submitted in them (%(companies)s): "
                    "archive the companies instead, the forecasts stay with them.",
                    companies=named(forecast_companies, "name"),
                )
            )

    def write(self, vals):
        changed = self.browse()
        if "crm_probability_from_stage" in vals:
            changed = self.filtered(
                lambda company: (
                    company.crm_probability_from_stage != bool(vals["crm_probability_from_stage"])
                )
            )
        basis_changed = "crm_quota_basis" in vals and any(
            company.crm_quota_basis != vals["crm_quota_basis"] for company in self
        )
        if "currency_id" in vals:
            # the deals' weighted amounts round to it
            # (crm.lead._sff_currency_decimals): computed again during the
            # write, read again by every server after it
            self.env.registry.clear_cache()
        result = super().write(vals)
        if "currency_id" in vals:
            self.env.registry.clear_cache()
        if basis_changed:
            # the plans' invoiced revenue counts payments, or invoices, now
            self.env["crm.target.plan"]._sff_refresh_all_actuals()
            if not self.env["crm.pipeline.snapshot"]._sff_retaking():
                # (while the snapshots are taken again, their job's end does)
                self.env["crm.forecast.accuracy.report"]._sff_refresh()
        if changed and vals["crm_probability_from_stage"]:
            # Deals of these companies take their stage percentage again,
            # except those whose probability was typed by a rep.
            self.env["crm.lead"]._sff_align_probability_to_stage(
                company_ids=changed.ids,
                include_automated=True,
            )
        elif changed:
            self.env["crm.lead"]._sff_restore_automated_probability(changed.ids)
        return result
