# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, sql

from ..const import (
    CHANGE_SIGNS,
    FLOW_SIGNS,
    FLOW_STEPS,
    FORECAST_CATEGORY_SELECTION,
    REPORT_STEPS,
)


class CrmDealFlowReport(models.Model):
    """Deal flow: how the pipeline of a period (open deals expected to close
    in it) changed between its first day and its last (or today). One row
    per deal and step, written once when the Deal Flow wizard opens them
    (with the rights of the user who asked), so that every regrouping of
    the pivot reads these rows instead of working the flow out again; each
    user reads only the rows written for them.

    The rows live in a table of their own, made from the fields once every
    model is set up (``_sff_create_table``, which ``init`` leaves to the
    registry's post-init), whose only foreign key is the wizard's (they go
    with it when Odoo's vacuum of transient records clears it): a table
    Odoo made would check a foreign key per many2one on every row written,
    which would cost more than working the flow out."""

    _name = "crm.deal.flow.report"
    _description = "Deal Flow Analysis"
    _auto = False
    _table = "crm_deal_flow_line"
    _rec_name = "lead_id"
    _order = "position, step_order, amount desc"

    wizard_id = fields.Integer(
        readonly=True, required=True, help="The Deal Flow wizard that wrote the row."
    )
    requested_uid = fields.Many2one(
        "res.users",
        string="Opened By",
        readonly=True,
        required=True,
        help="Whose rights the row was read with.",
    )
    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True, required=True)
    step = fields.Selection(REPORT_STEPS, readonly=True, required=True)
    step_order = fields.Integer(readonly=True, required=True)
    position = fields.Integer(readonly=True, required=True)
    deal_count = fields.Integer(string="Deals", readonly=True, required=True)
    amount = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        help="The deal's expected revenue in the step: at the start for the "
        "pipeline at start and the deals that left it, at the end for the "
        "pipeline at end and the deals that came into it, the change for an "
        "amount increased or decreased; for a deal that came and left in "
        "between, its amount when it was last in the period's pipeline.",
    )
    flow_amount = fields.Monetary(
        string="Waterfall Amount",
        readonly=True,
        currency_field="currency_id",
        help="What a waterfall draws: the two pipelines as they stand, and "
        "between them each change with the sign it gives the pipeline.",
    )
    change_amount = fields.Monetary(
        string="Change to Pipeline",
        readonly=True,
        currency_field="currency_id",
        help="The amount with the sign it gives the pipeline, none for the "
        "pipelines at start and at end: the rows' total is how much the "
        "pipeline grew (or shrank) over the period.",
    )
    start_stage_id = fields.Many2one("crm.stage", string="Stage at Start", readonly=True)
    end_stage_id = fields.Many2one("crm.stage", string="Stage at End", readonly=True)
    start_amount = fields.Monetary(
        string="Amount at Start", readonly=True, currency_field="currency_id"
    )
    end_amount = fields.Monetary(
        string="Amount at End", readonly=True, currency_field="currency_id"
    )
    start_deadline = fields.Date(string="Expected Closing at Start", readonly=True)
    end_deadline = fields.Date(string="Expected Closing at End", readonly=True)
    start_category = fields.Selection(
        FORECAST_CATEGORY_SELECTION, string="Category at Start", readonly=True
    )
    end_category = fields.Selection(
        FORECAST_CATEGORY_SELECTION, string="Category at End", readonly=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)

    def init(self):
        # the table refers to the wizards', which may not exist yet: made
        # once every model of the registry is set up
        self.pool.post_init(self._sff_create_table)

    @api.model
    def _sff_create_table(self):
        """The table of the rows, through Odoo's own schema helpers: a
        column per stored field, typed as Odoo types it, not null where the
        field is required; a field another module adds comes as a column of
        a table made before it (without the constraint: the rows already
        written have no value for it)."""
        cr = self.env.cr
        made = not sql.table_exists(cr, self._table)
        if made:
            sql.create_model_table(cr, self._table, self._description)
        columns = sql.table_columns(cr, self._table)
        for name, field in self._fields.items():
            if field.store and field.column_type and name not in columns:
                sql.create_column(cr, self._table, name, field.column_type[1], field.string)
                if field.required and made:
                    sql.set_not_null(cr, self._table, name)
        # the rows go with their wizard
        if not sql.get_foreign_keys(
            cr, self._table, "wizard_id", "crm_deal_flow_wizard", "id", "cascade"
        ):
            sql.add_foreign_key(
                cr, self._table, "wizard_id", "crm_deal_flow_wizard", "id", "cascade"
            )
        sql.create_index(cr, f"{self._table}_wizard_idx", self._table, ["wizard_id"])

    @api.model
    def _sff_fill(self, wizard):
        """Writes the rows of ``wizard``'s period, team and salesperson (the
        deals the current user reads), in place of those it had."""
        # the wizard's row first: a second opening of the same wizard at once
        # waits, then is retried by Odoo (it fails to serialise), rather than
        # writing its rows beside these; and the vacuum of transient records
        # counts the wizard's age from its last opening
        self.env.cr.execute(
            SQL(
                "UPDATE crm_deal_flow_wizard SET write_date = %s WHERE id = %s",
                self.env.cr.now(),
                wizard.id,
            )
        )
        self.env.cr.execute(SQL("DELETE FROM crm_deal_flow_line WHERE wizard_id = %s", wizard.id))

        def signs_sql(signs):
            return SQL(" ").join(SQL("WHEN %s THEN %s", step, sign) for step, sign in signs.items())

        signs = signs_sql(FLOW_SIGNS)
        orders = SQL(" ").join(
            SQL("WHEN %s THEN %s", step, index) for index, (step, _label) in enumerate(FLOW_STEPS)
        )
        keys = SQL(" ").join(
            SQL("WHEN %s THEN %s", step, key)
            for (step, _label), (key, _label2) in zip(FLOW_STEPS, REPORT_STEPS)
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO crm_deal_flow_line (
                       wizard_id, requested_uid, lead_id, step, step_order, position,
                       deal_count, amount, flow_amount, change_amount,
                       start_stage_id, end_stage_id,
                       start_amount, end_amount, start_deadline, end_deadline,
                       start_category, end_category, user_id, team_id, company_id, currency_id)
                SELECT %(wizard)s, %(uid)s, flow.lead_id, (CASE flow.step %(keys)s END),
                       (CASE flow.step %(orders)s END), flow.position, 1, flow.amount,
                       flow.amount * (CASE flow.step %(signs)s END),
                       flow.amount * (CASE flow.step %(change_signs)s END),
                       flow.start_stage_id, flow.end_stage_id, flow.start_amount, flow.end_amount,
                       flow.start_deadline, flow.end_deadline, flow.start_category,
                       flow.end_category, flow.user_id, flow.team_id, flow.company_id,
                       %(currency)s
                  FROM (%(flow)s) AS flow""",
                wizard=wizard.id,
                # the flow's amounts are those of its companies' pipelines,
                # in the wizard's currency: not the currency of the company
                # a deal was handed to since (nor none, for a deal of no
                # company)
                currency=wizard.currency_id.id,
                keys=keys,
                orders=orders,
                signs=signs,
                change_signs=signs_sql(CHANGE_SIGNS),
                uid=self.env.uid,
                flow=self.env["crm.lead"]._sff_deal_flow_sql(
                    wizard.date_from, wizard.date_to, **wizard._flow_scope()
                ),
            )
        )
        self.invalidate_model()
        return self.env.cr.rowcount
