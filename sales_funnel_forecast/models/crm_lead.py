# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, float_compare
from odoo.tools import sql as sql_tools

from .. import engine, engine_sql
from ..const import FORECAST_CATEGORY_SELECTION, ORIGIN_TYPES, REACH_LEAD_FIELDS
from ..tools.jobs import run_batch
from .crm_lead_stage_history import HISTORY_REASONS

HISTORY_REASON_KEYS = {key for key, _label in HISTORY_REASONS}
REACH_FIELDS = set(REACH_LEAD_FIELDS) | {"referred"}
# Fields whose change can move a deal to another company or owner.
OWNER_FIELDS = {"company_id", "team_id", "user_id", "partner_id"}
# crm_livechat's source of the leads made from a chat (when installed)
LIVECHAT_SOURCE = "crm_livechat.utm_source_livechat"
# Fields whose change can start or end a stay in the pipeline.
PIPELINE_FIELDS = {"stage_id", "active", "type"}
# Odoo's stored amounts computed from the probability: recomputed by Odoo's
# own methods after the module changed probabilities in SQL.
ODOO_PROBABILITY_AMOUNTS = (
    "prorated_revenue",
    "recurring_revenue_prorated",
    "recurring_revenue_monthly_prorated",
)
# Deals whose Odoo amounts are recomputed at once; more go to the refresh job.
SYNC_REFRESH_LIMIT = 5000
# the deal's stall, kept by the stall rules (crm_lead_stall.py)
STALL_FIELDS = {"is_stalled", "stalled_date", "stall_excluded", "stall_reset_date"}
# the deal's call figures, kept by the calls (crm_lead_calls.py)
CALL_FIGURES = {"call_count", "call_attempt_count", "date_first_conversation"}
# worked out from the posted invoices (crm_lead_invoice.py): never typed
INVOICE_FIGURES = {"invoiced_amount", "paid_amount", "overdue_amount"}
# worked out by the module (the weighted forecast, the buying roles' flag,
# the job's mark): never typed
DERIVED_FIGURES = {"forecast_revenue", "pipeline_amount", "has_decision_maker", "prorated_pending"}
SEARCH_OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "crm.import.empty.cell.mixin"]
    # an empty probability cell: the stage's percentage (a new deal, an
    # update alike); elsewhere False is 0 %, as Odoo stores it (Odoo's
    # partner portal sends a typed 0 as False)
    _sff_empty_cell_fields = ("probability",)

    stage_history_ids = fields.One2many(
        "crm.lead.stage.history",
        "lead_id",
        readonly=True,
    )
    stage_age_days = fields.Integer(
        string="Days in Stage",
        compute="_compute_stage_age_days",
        search="_search_stage_age_days",
        help="Whole days (24-hour periods) since the deal entered its current "
        "stage, from its stage history; 0 for leads and lost deals.",
    )
    pipeline_stage_ids = fields.Many2many(
        "crm.stage",
        string="Pipeline Stages",
        compute="_compute_pipeline_stage_ids",
        help="The stages of the deal's team pipeline (and its current stage).",
    )
    stage_forecast_probability = fields.Float(
        related="stage_id.forecast_probability",
        string="Stage %",
    )
    probability_is_manual = fields.Boolean(
        string="Probability Typed by Hand",
        copy=False,
        readonly=True,
        help="The probability was typed on the deal instead of taken from its "
        "stage; it holds until the deal's next stage change.",
    )
    forecast_excluded = fields.Boolean(
        string="Out of Forecast",
        copy=False,
        tracking=True,
        help="The deal counts for nothing in the weighted forecast.",
    )
    forecast_category = fields.Selection(
        FORECAST_CATEGORY_SELECTION,
        compute="_compute_forecast_category",
        store=True,
        readonly=False,
        copy=False,
        help="Pipeline, Best Case or Commit: the stage's category, or the one the "
        "salesperson chose, which holds until the deal's next stage change. "
        "Closed (Won) once won; Omitted once lost or out of the forecast.",
    )
    forecast_category_is_manual = fields.Boolean(
        string="Category Chosen by Hand",
        copy=False,
        readonly=True,
        help="The forecast category was chosen on the deal instead of taken from "
        "its stage; it holds until the deal's next stage change.",
    )
    forecast_revenue = fields.Monetary(
        string="Weighted Forecast",
        compute="_compute_forecast_revenue",
        store=True,
        currency_field="company_currency",
        help="Expected revenue x probability for open deals; 0 for won, lost, "
        "archived deals and deals taken out of the forecast.",
    )
    pipeline_amount = fields.Monetary(
        string="Pipeline Value",
        compute="_compute_forecast_revenue",
        store=True,
        currency_field="company_currency",
        help="What the deal adds to its pipeline column: the weighted forecast "
        "while it is open, its whole expected revenue once won, 0 when lost.",
    )
    prorated_pending = fields.Boolean(
        string="Prorated Revenue to Refresh",
        copy=False,
        readonly=True,
        help="The probability changed in bulk (stage percentages edited, "
        "module installed): Odoo's prorated revenue of the deal is refreshed "
        "by a background job within minutes.",
    )
    origin_type = fields.Selection(
        ORIGIN_TYPES,
        compute="_compute_origin_type",
        store=True,
        readonly=False,
        tracking=True,
        help="How the deal came: a referral (seed), inbound marketing (net) or "
        "outbound prospecting (spear). Taken from the deal's source, or seed "
        "when someone referred it; editable.",
    )
    lost_stage_id = fields.Many2one(
        "crm.stage",
        string="Lost at Stage",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The stage the deal was in when it was lost.",
    )

    def _auto_init(self):
        # Create the new columns before the ORM does, with constant defaults:
        # PostgreSQL adds them without rewriting the table, and the
        # post-install hook only writes the deals whose values differ.
        cr = self.env.cr
        for column, column_type, default in (
            ("forecast_revenue", "numeric", "0"),
            ("pipeline_amount", "numeric", "0"),
            ("probability_is_manual", "boolean", "FALSE"),
            ("forecast_category", "varchar", "NULL"),
            ("forecast_category_is_manual", "boolean", "FALSE"),
            ("forecast_excluded", "boolean", "FALSE"),
            ("prorated_pending", "boolean", "FALSE"),
            ("origin_type", "varchar", "NULL"),
            ("is_stalled", "boolean", "FALSE"),
            ("stall_excluded", "boolean", "FALSE"),
            ("has_decision_maker", "boolean", "FALSE"),
            ("contact_status", "varchar", "'not_attempted'"),
            ("lost_stage_id", "int4", "NULL"),
            ("invoiced_amount", "numeric", "0"),
            ("paid_amount", "numeric", "0"),
            ("overdue_amount", "numeric", "0"),
            ("call_count", "int4", "0"),
            ("call_attempt_count", "int4", "0"),
            ("date_first_conversation", "timestamp", "NULL"),
            ("date_last_activity", "timestamp", "NULL"),
        ):
            if not sql_tools.column_exists(cr, self._table, column):
                cr.execute(
                    SQL(
                        "ALTER TABLE crm_lead ADD COLUMN %s %s DEFAULT %s",
                        SQL.identifier(column),
                        SQL(column_type),
                        SQL(default),
                    )
                )
        return super()._auto_init()

    def init(self):
        result = super().init()
        # the deals whose Odoo prorated amounts wait for the refresh job
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_prorated_pending_idx
               ON crm_lead (id) WHERE prorated_pending"""
        )
        # The deals a manager reads, by their company (Odoo's multi-company
        # rule), as the pipeline at a moment and the deal flow check them
        # against the versions: read from this index alone, a tenth of the
        # deals' table, rather than from the table.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_lead_company_id_id_idx ON crm_lead (company_id, id)"
        )
        # the deals with an amount overdue, which the daily job reads again
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_overdue_idx
               ON crm_lead (id) WHERE overdue_amount <> 0"""
        )
        return result

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_stage_age_days(self):
        now = self.env.cr.now()
        dates = {}
        ids = [lead_id for lead_id in self.ids if lead_id]
        if ids:
            self.env["crm.lead.stage.history"]._sff_flush_pending()
            self.env.cr.execute(
                """SELECT lead_id, date_in FROM crm_lead_stage_history
                    WHERE lead_id = ANY(%s) AND date_out IS NULL""",
                [ids],
            )
            dates = dict(self.env.cr.fetchall())
        for lead in self:
            lead.stage_age_days = engine.whole_days(dates.get(lead.id), now)

    def _search_stage_age_days(self, operator, value):
        if operator not in SEARCH_OPERATORS or not isinstance(value, int | float):
            raise NotImplementedError(self.env._("Unsupported search on days in stage."))
        self.env["crm.lead.stage.history"]._sff_flush_pending()
        return [
            (
                "id",
                "in",
                SQL(
                    """(SELECT l.id FROM crm_lead l
                  LEFT JOIN crm_lead_stage_history h ON h.lead_id = l.id AND h.date_out IS NULL
                 WHERE COALESCE(FLOOR(%s), 0) %s %s)""",
                    engine_sql.days_between(SQL.identifier("h", "date_in"), self.env.cr.now()),
                    SQL(SEARCH_OPERATORS[operator]),
                    value,
                ),
            )
        ]

    @api.depends("source_id", "referred")
    def _compute_origin_type(self):
        # looked up once for the batch: an external id not found (crm_livechat
        # not installed) is not kept by Odoo's cache, a query per deal
        livechat = self._sff_livechat_source_id()
        for lead in self:
            # a type on the deal whose source stays (Referred By typed in the
            # form) is kept: the rep may have chosen it; a save protects
            # it likewise (write, ``_sff_origin_type_kept``)
            kept = not lead.id and lead._origin and lead._origin.source_id == lead.source_id
            if kept and lead.referred == lead._origin.referred and lead._origin.origin_type:
                # its source put back in the form (changed, then changed
                # again): the type it has, not the other source's
                lead.origin_type = lead._origin.origin_type
            elif lead.source_id.origin_type and not (kept and lead.origin_type):
                lead.origin_type = lead.source_id.origin_type
            elif lead.origin_type:
                lead.origin_type = lead.origin_type
            elif lead._sff_inbound_by_odoo(livechat):
                lead.origin_type = "net"
            elif lead.referred:
                lead.origin_type = "seed"
            else:
                lead.origin_type = False

    def _sff_origin_type_kept(self, vals):
        """The deals whose origin type a save of ``vals`` leaves as it is:
        those that have one and keep their source (Referred By typed, the
        same source imported again); the type a rep chose holds until the
        deal's source changes."""
        if "origin_type" in vals or not {"source_id", "referred"} & set(vals):
            return self.browse()
        return self.filtered(
            lambda lead: (
                lead.origin_type
                and ("source_id" not in vals or lead.source_id.id == (vals["source_id"] or False))
            )
        )

    def _sff_livechat_source_id(self):
        """crm_livechat's source of the leads made from a chat, 0 where it is
        not installed."""
        return self.env["ir.model.data"]._xmlid_to_res_id(LIVECHAT_SOURCE, raise_if_not_found=False)

    def _sff_inbound_by_odoo(self, livechat=None):
        """Came in through one of Odoo's own inbound channels, which write
        their own words into *Referred By* (not a referral): a live chat
        (crm_livechat's source, the operator's name) or an event
        registration (event_crm's event, the event's name). ``livechat``:
        the live chat's source (``_sff_livechat_source_id``), when known."""
        self.ensure_one()
        if livechat is None:
            livechat = self._sff_livechat_source_id()
        return bool(
            (livechat and self.source_id.id == livechat)
            or ("event_id" in self._fields and self.event_id)
        )

    @api.depends("team_id", "team_id.stage_catalogue_id", "stage_id")
    def _compute_pipeline_stage_ids(self):
        Stage = self.env["crm.stage"]
        by_team = {}
        for lead in self:
            team_id = lead.team_id.id
            if team_id not in by_team:
                by_team[team_id] = Stage.search(Stage._sff_pipeline_domain(team_id))
            lead.pipeline_stage_ids = by_team[team_id] | lead.stage_id

    @api.depends(
        "expected_revenue",
        "probability",
        "active",
        "stage_id.is_won",
        "forecast_excluded",
        "company_id.currency_id.decimal_places",
    )
    def _compute_forecast_revenue(self):
        for lead in self:
            values = (
                lead.expected_revenue,
                lead.probability,
                lead.active,
                lead.stage_id.is_won,
                lead.forecast_excluded,
                # to the currency's decimals (the current company's for a
                # deal of none), as the SQL twins round
                self._sff_currency_decimals(lead.company_id.id or self.env.company.id),
            )
            lead.forecast_revenue = engine.weighted_revenue(*values)
            lead.pipeline_amount = engine.pipeline_amount(*values)

    @api.depends("active", "stage_id", "stage_id.is_won", "forecast_excluded")
    def _compute_forecast_category(self):
        # A stage's own category is not a dependency: a manager's change of
        # it reaches the stage's deals in SQL (``_sff_align_forecast_category``).
        for lead in self:
            # in the form, a stage changed since the deal was opened ends the
            # salesperson's choice, as saving it will
            stage_changed = bool(lead._origin) and lead._origin.stage_id != lead.stage_id
            # the choice as saved: not what the form showed meanwhile
            chosen = (
                lead.forecast_category_is_manual
                and not stage_changed
                and (lead._origin or lead).forecast_category
            )
            lead.forecast_category = engine.deal_forecast_category(
                lead.active,
                lead.stage_id.is_won,
                lead.forecast_excluded,
                chosen,
                lead.stage_id.forecast_category,
            )

    def _sff_default_forecast_category(self):
        """The category the deal takes without a salesperson's choice."""
        self.ensure_one()
        return engine.deal_forecast_category(
            self.active,
            self.stage_id.is_won,
            self.forecast_excluded,
            False,
            self.stage_id.forecast_category,
        )

    def _compute_probabilities(self):
        """Keep the probability on the stage percentage.

        Odoo recomputes the probability from its predictive scoring when the
        stage or a scoring field changes. While the company lets stages drive
        probabilities, an open deal keeps its stage's percentage, unless its
        probability was typed by hand since its last stage change (a stage
        change in the form, not yet saved, counts as a new stage).
        """
        # Called as a plain method (Odoo does so when restoring a deal), the
        # assignments below are writes, which flag typed probabilities: read
        # the flags first.
        typed = {
            lead: lead.probability_is_manual
            # in the form: a probability typed since the record was opened
            or (
                lead._origin.id != lead.id
                and bool(lead._origin)
                and lead.probability != lead._origin.probability
            )
            for lead in self
        }
        result = super()._compute_probabilities()
        for lead in self:
            if not lead.active or not lead.stage_id or not lead._sff_follows_stage():
                continue
            stage_changed = bool(lead._origin) and lead._origin.stage_id != lead.stage_id
            if stage_changed or not typed[lead]:
                lead.probability = lead.stage_id._sff_stage_probability()
        return result

    def _sff_follows_stage(self):
        self.ensure_one()
        return (self.company_id or self.env.company).crm_probability_from_stage

    def _sff_in_pipeline(self):
        """An opportunity that is open or won has a current stay; a lead or
        a lost deal has none."""
        self.ensure_one()
        return bool(self.active and self.type == "opportunity" and self.stage_id)

    # ------------------------------------------------------------------
    # Pipelines: a team with a stage catalogue has exactly its own stages
    # ------------------------------------------------------------------
    @api.model
    def _read_group_stage_ids(self, stages, domain):
        team_id = self.env.context.get("default_team_id")
        team = (
            self.env["crm.team"].browse(team_id).exists()
            if team_id
            else self.env["crm.team"]._sff_own_team()
        )
        # the pipeline of a team the user no longer reads (its company
        # unticked since, or the team deleted: the action's context stays):
        # Odoo's own columns
        if not team.has_access("read") or not team.stage_catalogue_id:
            return super()._read_group_stage_ids(stages, domain)
        # the team's columns, and any other stage that holds deals shown
        stage_ids = stages.sudo()._search(
            ["|", ("id", "in", stages.ids), ("team_id", "=", team.id)],
            order=stages._order,
        )
        return stages.browse(stage_ids)

    def _convert_opportunity_data(self, customer, team_id=False):
        """A lead converted into a team with a stage catalogue enters that
        team's pipeline (Odoo gives a stage only to a lead without one: a
        lead in a shared stage would stay out of the team's stages and
        funnel)."""
        values = super()._convert_opportunity_data(customer, team_id=team_id)
        # Odoo's Convert dialogs convert without a team and give the team
        # afterwards: they say which (wizards/crm_lead_to_opportunity.py)
        team_id = team_id or self.env.context.get("sff_convert_teams", {}).get(self.id)
        team = self.env["crm.team"].browse(team_id) if team_id else self.team_id
        if team.stage_catalogue_id and "stage_id" not in values and self.stage_id.team_id != team:
            if self.type == "lead" or not self.stage_id:
                values["stage_id"] = self.browse()._stage_find(team_id=team.id).id
            else:
                # an opportunity the dialog merged the lead into enters the
                # team's pipeline and keeps its progress, as a merge does
                values["stage_id"] = team._sff_pipeline_stage(self.stage_id).id
        return values

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        # an opportunity converted into a team with a stage catalogue (a
        # lead merged into it by the Convert dialogs) enters that team's
        # pipeline: no move by hand (a lead's first stay is its creation)
        return super(CrmLead, self.with_context(stage_history_reason="team")).convert_opportunity(
            partner, user_ids=user_ids, team_id=team_id
        )

    def _merge_opportunity(self, user_id=False, team_id=False, auto_unlink=True, max_length=5):
        # the deal kept enters its team's pipeline (``write``: Odoo counts
        # the shared stages as every team's), which is no move by hand
        return (
            super(
                CrmLead,
                self.with_context(
                    sff_merging=True, sff_merge_team_id=team_id, stage_history_reason="team"
                ),
            )
            ._merge_opportunity(
                user_id=user_id, team_id=team_id, auto_unlink=auto_unlink, max_length=max_length
            )
            .with_env(self.env)
        )

    def _merge_data(self, fnames=None):
        data = super()._merge_data(fnames=fnames)
        if not self.env.context.get("sff_merging") or not data.get("stage_id"):
            return data
        # a deal kept that enters a team with a process of its own takes the
        # team's stage of its step, or nearest its progress (Odoo would put
        # a deal of another team's stage in the team's first stage, and a
        # won one back in the pipeline): before Odoo checks the stage
        team = self.env["crm.team"].browse(
            self.env.context.get("sff_merge_team_id") or data.get("team_id")
        )
        # sudo: the team's process decides, whoever merges (as _sff_own_stage)
        if len(team) == 1 and team.sudo().stage_catalogue_id:
            stage = self.env["crm.stage"].browse(data["stage_id"])
            data["stage_id"] = team._sff_pipeline_stage(stage).id
        return data

    def _stage_find(self, team_id=False, domain=None, order=None, limit=1):
        teams = self.mapped("team_id")
        if team_id:
            teams |= self.env["crm.team"].browse(team_id)
        own = teams.filtered("stage_catalogue_id")
        if not own:
            return super()._stage_find(
                team_id=team_id, domain=domain, order=order or "sequence, id", limit=limit
            )
        # a catalogue's pipeline: its first stage (or won stage) as its
        # kanban shows them, in the stage order (sequence, name, id); the
        # stages of the team's process first (crm.team._sff_process_domain:
        # an earlier catalogue's stay while deals are in them, but a new
        # deal or a won one goes to the new process), then any of its own
        order = order or self.env["crm.stage"]._order
        others = teams - own

        def find(current_steps):
            parts = [
                team._sff_process_domain() if current_steps else [("team_id", "=", team.id)]
                for team in own
            ]
            if others:
                parts.append(["|", ("team_id", "=", False), ("team_id", "in", others.ids)])
            search_domain = expression.OR(parts)
            if domain:
                search_domain = expression.AND([search_domain, list(domain)])
            return self.env["crm.stage"].search(search_domain, order=order, limit=limit)

        return find(True) or find(False)

    def _pls_prepare_frequencies(self, lead_values, leads_pls_fields, target_state=None):
        # Odoo's scoring reads every stage to place the closed deals' stages
        # in its order, and cannot archive a stage; the module can (a stage
        # left with lost deals only, an earlier catalogue's): the archived
        # stages are read too, else a deal lost in one breaks the scoring
        # job and its restore (the stage's order would be missing)
        return super(CrmLead, self.with_context(active_test=False))._pls_prepare_frequencies(
            lead_values, leads_pls_fields, target_state=target_state
        )

    def action_set_won(self):
        # Odoo looks for the won stage among the stages of every deal's team
        # at once: one team at a time, each deal goes to its own team's.
        teams = self.grouped("team_id")
        if len(teams) <= 1:
            return super().action_set_won()
        for leads in teams.values():
            super(CrmLead, leads).action_set_won()
        return True

    # ------------------------------------------------------------------
    # CRUD: probability follows the stage, history follows every move
    # ------------------------------------------------------------------
    def copy_data(self, default=None):
        # a lost deal duplicated (to try the customer again) is a new open
        # deal: not a second loss, at a stage it never was in, and without
        # the lost reason of the first
        vals_list = super().copy_data(default=default)
        for lead, vals in zip(self, vals_list, strict=True):
            if not lead.active and not (default and "active" in default):
                vals["active"] = True
                if not (default and "lost_reason_id" in default):
                    vals["lost_reason_id"] = False
        return vals_list

    @api.model_create_multi
    def create(self, vals_list):
        # the call figures are counted from the calls, in SQL, the invoice
        # figures from the invoices: an import's or a copy's column of them
        # is not taken
        vals_list = [
            {key: value for key, value in vals.items() if key not in self._sff_counted_fields()}
            for vals in vals_list
        ]
        if any(vals.get("forecast_excluded") for vals in vals_list) and not (
            self._sff_manages_forecast()
        ):
            raise AccessError(
                self.env._(
                    "Only a sales manager takes a deal out of the forecast or brings it back."
                )
            )
        # asked once per creation (many deals: an import)
        catalogues_used = (
            self._sff_catalogues_used()
            if self.env.context.get("default_stage_id")
            or any(vals.get("stage_id") for vals in vals_list)
            else False
        )
        # the stage of each (team, stage) worked out once (an import)
        mapped = {}
        for vals in vals_list:
            # a stage of another team of the same catalogue: the team's own
            # (the team given, or the one Odoo gives the salesperson); a
            # stage outside the pipeline of a team with a process of its own
            # (the form's stage kept when its team was changed before the
            # first save, a shared column of the kanban): the team's stage
            # nearest in progress, as a deal handed over takes; another
            # team's won stage (an import of won deals, the stage found by
            # name): the team's won stage
            stage = self.env["crm.stage"].browse(
                vals.get("stage_id") or self.env.context.get("default_stage_id")
            )
            if stage and (
                stage.catalogue_line_id or catalogues_used or (stage.is_won and stage.team_id)
            ):
                team = self._sff_team_of(vals)
                key = (team.id, stage.id)
                if key not in mapped:
                    mapped[key] = team._sff_entry_stage(stage)
                stage = mapped[key]
                vals["stage_id"] = stage.id
            if (
                stage.is_won
                and not vals.get("date_closed")
                and not self.env.context.get("import_file")
            ):
                # created won (the kanban's quick create in the won column,
                # the form): closed now, as Odoo closes a deal moved there;
                # an import of past deals keeps its file's closing dates
                # (or none), not today's
                vals["date_closed"] = fields.Datetime.now()
            # nor is an empty category cell a category
            if "forecast_category" in vals and not vals["forecast_category"]:
                del vals["forecast_category"]
        leads = super().create(vals_list)
        # an amount of more decimals than the deal's currency has (an
        # import's column, a call): as a save keeps it, before the history
        # and the reports read it
        leads.browse(
            lead.id
            for lead, vals in zip(leads, vals_list)
            if float(vals.get("expected_revenue") or 0) % 1
        )._sff_round_amounts()
        # A probability given at creation is the user's (an import column, a
        # field of the form): it holds like a typed one.
        leads.browse(
            lead.id for lead, vals in zip(leads, vals_list) if "probability" in vals
        )._sff_flag_typed_probability()
        # likewise a category given at creation
        leads.browse(
            lead.id for lead, vals in zip(leads, vals_list) if vals.get("forecast_category")
        )._sff_flag_chosen_category(check=True)
        opportunities = leads.filtered(lambda lead: lead.type == "opportunity" and lead.stage_id)
        if opportunities:
            # sudo: history rows are the deal's own record, written for whoever
            # moves the deal; nobody holds create rights on them by design
            History = self.env["crm.lead.stage.history"].sudo()
            History._sff_record_moves(
                {lead.id: (False, lead.stage_id.id) for lead in opportunities},
                reason="create",
            )
            # created already lost (an import of old deals): the stay ends
            lost = opportunities.filtered(lambda lead: not lead.active)
            if lost:
                lost._sff_update_lost_stage(lost)
                History._sff_close_stays(lost.ids)
        return leads

    def _sff_round_amounts(self):
        """The expected revenue of these new deals to their currency's
        decimals, in the database as on the screen: Odoo rounds a monetary
        amount when a deal is saved, not when it is created (it knows no
        currency yet), so that deals imported at 100.4 yen showed 100 each
        and added up to 301 in the reports."""
        self.flush_recordset(["expected_revenue", "company_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead l
                      SET expected_revenue = ROUND(l.expected_revenue, %(decimals)s)
                    WHERE l.id = ANY(%(ids)s)
                      AND l.expected_revenue <> ROUND(l.expected_revenue, %(decimals)s)
                RETURNING l.id""",
                decimals=self._sff_decimals_sql(SQL.identifier("l", "company_id")),
                ids=self.ids,
            )
        )
        rounded = self.browse(row[0] for row in self.env.cr.fetchall())
        rounded.invalidate_recordset(["expected_revenue"])
        # what was worked out from the amount as given, again
        rounded.modified(["expected_revenue"])

    @api.model
    @tools.ormcache("company_id")
    def _sff_currency_decimals(self, company_id):
        """The decimals of the company's currency, kept by Odoo's cache of
        the registry (a save reads no company nor currency for them),
        cleared on every server when a company's currency or a currency's
        rounding changes (res.company, res.currency)."""
        # sudo: a company's currency, whoever saves its deals
        return self.env["res.company"].sudo().browse(company_id).currency_id.decimal_places

    @api.model
    def _sff_decimals_sql(self, company_column):
        """SQL: the decimals of the currency of the company in
        ``company_column`` (the current company's for a deal of none); a
        constant when every company's currency has as many."""
        self.env.cr.execute(
            """SELECT cur.decimal_places, array_agg(co.id) FROM res_company co
                 JOIN res_currency cur ON cur.id = co.currency_id GROUP BY cur.decimal_places"""
        )
        by_decimals = dict(self.env.cr.fetchall())
        default = self.env.company.currency_id.decimal_places
        if set(by_decimals) <= {default}:
            return SQL("%s", default)
        return SQL(
            "(CASE %s ELSE %s END)",
            SQL(" ").join(
                SQL("WHEN %s = ANY(%s) THEN %s", company_column, company_ids, decimals)
                for decimals, company_ids in by_decimals.items()
            ),
            default,
        )

    @api.model
    def _sff_catalogues_used(self):
        """Whether a sales team has a process of its own (sudo: any team,
        whoever creates the deal)."""
        return bool(
            self.env["crm.team"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("stage_catalogue_id", "!=", False)], limit=1)
        )

    @api.model
    def _sff_team_of(self, vals):
        """The team a deal created with ``vals`` gets: the one given, else
        the context's default, else the salesperson's as Odoo works it out
        (``crm.lead._compute_team_id``)."""
        Team = self.env["crm.team"]
        if "team_id" in vals:
            return Team.browse(vals["team_id"])
        if self.env.context.get("default_team_id"):
            return Team.browse(self.env.context["default_team_id"])
        user_id = vals.get("user_id", self.env.context.get("default_user_id", self.env.uid))
        if not user_id:
            return Team
        kind = "use_leads" if vals.get("type") == "lead" else "use_opportunities"
        return Team._get_default_team_id(user_id=user_id, domain=[(kind, "=", True)])

    @api.model
    def _sff_counted_fields(self):
        """The deals' figures counted from their calls and invoices, and
        those the module works out: never written by hand (the module's own
        code writes them in SQL, as the superuser, or computes them)."""
        return CALL_FIGURES if self.env.su else CALL_FIGURES | INVOICE_FIGURES | DERIVED_FIGURES

    def _sff_manages_forecast(self):
        """Whether the user sets the deals' stalls and takes deals out of
        the forecast: a sales manager (or the module's own code)."""
        return self.env.su or self.env.user.has_group("sales_team.group_sale_manager")

    def _sff_exclusion_changed(self, vals):
        """Whether ``vals`` takes one of these deals out of the forecast or
        brings one back, other than by the stage change that ends the stall
        that took it out (the stall rule's "out of the forecast" is the
        stall's: a stage change brings the deal back)."""
        if "forecast_excluded" not in vals:
            return False
        excluded = bool(vals["forecast_excluded"])
        return any(
            lead.forecast_excluded != excluded
            and not (
                not excluded
                and lead.stall_excluded
                and "stage_id" in vals
                and lead.stage_id.id != vals["stage_id"]
            )
            for lead in self
        )

    def write(self, vals):
        if not self._sff_manages_forecast():
            if STALL_FIELDS & set(vals) or (
                self.filtered("stall_excluded")._sff_exclusion_changed(vals)
            ):
                raise AccessError(
                    self.env._(
                        "A deal's stall is set by its stage's rule and ended by a stage change "
                        "or by a sales manager keeping it open."
                    )
                )
            if self._sff_exclusion_changed(vals):
                # a file of older values imported back, a call of the API
                raise AccessError(
                    self.env._(
                        "Only a sales manager takes a deal out of the forecast or brings it back."
                    )
                )
        if self._sff_counted_fields() & set(vals):
            # counted from the calls and invoices: never written by hand
            vals = {
                key: value for key, value in vals.items() if key not in self._sff_counted_fields()
            }
        if vals.get("stage_id"):
            # a stage named in an import may be another team's of the same
            # catalogue: the deals take their own team's
            by_stage = defaultdict(lambda: self.browse())
            stage = self._sff_new_stage(vals["stage_id"])
            by_team = defaultdict(lambda: self.browse())
            for lead in self:
                team = (
                    self.env["crm.team"].browse(vals["team_id"])
                    if "team_id" in vals
                    else lead.team_id
                )
                by_team[team] |= lead
            # one stage per team (an import of many deals: a search per team)
            for team, leads in by_team.items():
                own = (
                    # merged into a team with stages of its own: a stage of
                    # its pipeline (Odoo counts shared stages as every
                    # team's), not one outside it
                    team._sff_pipeline_stage(stage).id
                    if self.env.context.get("sff_merging") and len(team) == 1
                    else team._sff_own_stage(stage, by_name=True)
                )
                # likewise a shared stage saved (Odoo's partner portal offers
                # them beside the team's own; sudo: a reseller reads no team),
                # and another team's won stage (a mass edit, a server action
                # on deals of several teams): won in the deal's own pipeline,
                # at its team's won stage, as "Won" does
                stage_team = stage.sudo().team_id
                if (
                    own == stage.id
                    and len(team) == 1
                    and (
                        (not stage_team and team.sudo().stage_catalogue_id)
                        or (stage.is_won and stage_team and stage_team != team)
                    )
                ):
                    own = team._sff_pipeline_stage(stage).id
                by_stage[own] |= leads
            if len(by_stage) > 1:
                for stage_id, leads in by_stage.items():
                    leads.write(dict(vals, stage_id=stage_id))
                return True
            vals = dict(vals, stage_id=next(iter(by_stage), vals["stage_id"]))
        recompute_category = False
        if "forecast_category" in vals and not vals["forecast_category"]:
            # an empty category (an import's empty cell): none chosen, the
            # deal takes its own again
            vals = dict(vals, forecast_category_is_manual=False)
            del vals["forecast_category"]
            recompute_category = True
        if vals.get("forecast_category"):
            # refused before anything is written
            stage = self.env["crm.stage"].browse(vals["stage_id"]) if "stage_id" in vals else None
            for lead in self:
                lead._sff_check_category_choice(
                    vals["forecast_category"],
                    vals.get("active", lead.active),
                    lead.stage_id if stage is None else stage,
                    vals.get("forecast_excluded", lead.forecast_excluded),
                )
        if vals.get("forecast_excluded") and "forecast_category" not in vals:
            # out of the forecast: Omitted, and a salesperson's category
            # does not come back with the deal
            vals = dict(vals, forecast_category_is_manual=False)
        before = {}
        # an opportunity without a stage gets one from Odoo when its team,
        # salesperson or type change (crm.lead._compute_stage_id)
        if PIPELINE_FIELDS & set(vals) or any(
            not lead.stage_id and lead.type == "opportunity" for lead in self
        ):
            before = {
                lead.id: (lead.stage_id.id, lead._sff_in_pipeline(), lead.type) for lead in self
            }
        following = self.browse()
        if "stage_id" in vals and vals["stage_id"] and vals.get("active", True):
            new_stage = self._sff_new_stage(vals["stage_id"])
            following = self.filtered(
                lambda lead: (
                    lead.stage_id != new_stage and lead.active and lead._sff_follows_stage()
                )
            )
        was_active = self.filtered("active") if "active" in vals else self.browse()
        # whether the deals' probabilities followed their stage in the company
        # they were in: a save may hand them to another company, whose
        # setting they follow then (a company, team or salesperson changed)
        followed_before = (
            {lead.id: lead._sff_follows_stage() for lead in self}
            if OWNER_FIELDS & set(vals) and "probability" not in vals
            else {}
        )
        # the categories chosen before, which a save writing the same again
        # does not choose anew (but at another stage, where it is a choice)
        chosen_before = (
            {
                lead.id: lead.forecast_category
                for lead in self
                if lead.forecast_category_is_manual
                and ("stage_id" not in vals or lead.stage_id.id == vals["stage_id"])
            }
            if vals.get("forecast_category")
            else None
        )

        # a stage change ends a salesperson's category, unless one comes with it
        moving = self.browse()
        if "stage_id" in vals and "forecast_category" not in vals:
            moving = self.filtered(
                lambda lead: (
                    lead.forecast_category_is_manual
                    and lead.stage_id.id != (vals["stage_id"] or False)
                )
            )

        if following:
            stage_probability = new_stage._sff_stage_probability()
            # A probability other than the new stage's, written with the
            # stage (typed in the form before saving, an import with both
            # columns), is the user's: it holds.
            typed = (
                "probability" in vals
                and float_compare(vals["probability"] or 0.0, stage_probability, precision_digits=2)
                != 0
            )
            follow_vals = dict(vals, probability_is_manual=typed)
            if not typed:
                follow_vals["probability"] = stage_probability
            if not new_stage.is_won:
                # Odoo reopens a deal only for a probability above 0.
                follow_vals.setdefault("date_closed", False)
        else:
            follow_vals = vals
        # the deals by the values they are written with (a kanban drag: one)
        groups = {}
        following_ids, moving_ids = set(following.ids), set(moving.ids)
        for lead_id in self.ids:
            groups.setdefault((lead_id in following_ids, lead_id in moving_ids), []).append(lead_id)
        result = True
        with self.env.protecting([self._fields["origin_type"]], self._sff_origin_type_kept(vals)):
            for (is_following, is_moving), ids in groups.items():
                group_vals = follow_vals if is_following else vals
                if is_moving:
                    group_vals = dict(group_vals, forecast_category_is_manual=False)
                result = super(CrmLead, self.browse(ids)).write(group_vals) and result

        # the flags and the lost stage follow what the save wrote, which
        # passed the user's rights; a save that handed the deals to a
        # colleague, whose deals the user may not write (a salesperson
        # handing a deal over with a typed probability), writes them as
        # the superuser
        followed = self.sudo() if OWNER_FIELDS & set(vals) else self
        if "active" in vals:
            followed._sff_update_lost_stage(
                was_active.with_env(followed.env), probability_given="probability" in vals
            )
        if "probability" in vals:
            (followed - following)._sff_flag_typed_probability()
        if "forecast_category" in vals:
            followed._sff_flag_chosen_category(before=chosen_before)
        elif recompute_category:
            self.env.add_to_compute(self._fields["forecast_category"], self)
        if OWNER_FIELDS & set(vals):
            # sudo (here and below): see create, history rows are not the user's to write
            self.env["crm.lead.stage.history"].sudo()._sff_sync_owner(
                self.filtered(lambda lead: lead.type == "opportunity").ids
            )
        if before:
            self._sff_update_stays(before)
        if REACH_FIELDS & set(vals):
            # the funnel rows carry these values
            self.env["crm.lead.stage.history"].sudo()._sff_refresh_reach(self.ids)
        if ({"team_id", "user_id"} & set(vals) or vals.get("active")) and "stage_id" not in vals:
            self._sff_enter_team_pipeline()
        if followed_before:
            self._sff_follow_company_setting(followed_before)
        return result

    def _sff_follow_company_setting(self, followed_before):
        """Deals handed from a company where stages drive probabilities to
        one where they do not, or the other way, follow the setting of
        their new company as if that company had just turned it on (their
        stage percentage, but a probability other than Odoo's scoring's,
        typed there, holds) or off (Odoo's scoring, but a typed one
        holds). ``followed_before`` maps deal ids to whether their
        probability followed the stage before."""
        now_following = self.filtered(
            lambda lead: not followed_before[lead.id] and lead._sff_follows_stage()
        )
        no_longer = self.filtered(
            lambda lead: followed_before[lead.id] and not lead._sff_follows_stage()
        )
        if now_following:
            self._sff_align_probability_to_stage(include_automated=True, lead_ids=now_following.ids)
        if no_longer:
            # (deals of no company follow the current company's setting)
            self._sff_restore_automated_probability(
                (no_longer.company_id | self.env.company).ids, lead_ids=no_longer.ids
            )

    def _sff_enter_team_pipeline(self):
        """Open deals handed to a team with a process of its own (its team
        written, or worked out by Odoo from a new salesperson: a
        reassignment, Odoo's partner assignment; or restored after they were
        handed over lost) in a stage outside its pipeline enter it, as a
        merge brings them (crm.team._sff_pipeline_stage): else they are in
        no funnel of their team. Likewise a lost deal restored into a stage
        archived since: the nearest stage of its pipeline (else open in the
        forecast, in no funnel). Their stays say why ("Team's pipeline"),
        not a move by hand."""
        moves = defaultdict(lambda: self.browse())
        for lead in self:
            if (
                lead.active
                and lead.type == "opportunity"
                and lead.stage_id
                and (lead.team_id or not lead.stage_id.active)
            ):
                # the deal's stage where the team has no process of its own
                # or the stage is its own, and is not archived
                stage = lead.team_id._sff_pipeline_stage(lead.stage_id)
                if stage != lead.stage_id:
                    moves[stage.id] |= lead
        for stage_id, leads in moves.items():
            # sudo: the stage follows the team the user's own save gave
            # (which passed its rights), though the deals may now be a
            # colleague's that the user may not write; the user still moves
            # them (the stays' and the chatter's author)
            leads.sudo().with_context(stage_history_reason="team").write({"stage_id": stage_id})

    def _sff_new_stage(self, stage_id):
        """The stage a save moves these deals to, read with those they leave
        in the one query the rest of the save reads them with (the chatter's
        tracking names them all)."""
        return (
            self.env["crm.stage"]
            .browse(stage_id)
            .with_prefetch(tuple({stage_id, *self.stage_id._ids}))
        )

    def _sff_update_stays(self, before):
        """After a write: a deal that left the pipeline (lost, turned into a
        lead) ends its stay; one that entered it (converted, restored) or
        moved within it opens a new one, once, whatever came in the same
        write. ``before`` maps deal ids to (stage id, in pipeline, type) as
        they were before the write."""
        reason = self.env.context.get("stage_history_reason")
        if reason not in HISTORY_REASON_KEYS:
            reason = "manual"
        moves = {"create": {}, reason: {}}
        left = []
        for lead in self:
            stage_before, was_in, type_before = before[lead.id]
            now_in = lead._sff_in_pipeline()
            if was_in and not now_in:
                left.append(lead.id)
            elif now_in and type_before == "lead":
                # a lead converted into an opportunity: its first stay
                moves["create"][lead.id] = (False, lead.stage_id.id)
            elif now_in and (not was_in or stage_before != lead.stage_id.id):
                # restored, or moved within the pipeline
                moves[reason][lead.id] = (stage_before, lead.stage_id.id)
        History = self.env["crm.lead.stage.history"].sudo()  # see create
        History._sff_close_stays(left)
        for move_reason, previous in moves.items():
            History._sff_record_moves(previous, reason=move_reason)
        # a stalled deal that moves on (or leaves) is no longer stalled
        stalled = self.browse(left + list(moves[reason])).filtered("is_stalled")
        if stalled:
            stalled._sff_clear_stall()

    def _sff_flag_typed_probability(self):
        """A probability written without a stage change is a typed one: it
        holds until the next stage change. Typing the stage's own percentage
        back puts the deal on its stage again."""
        follow = self.filtered(
            lambda lead: lead.active and lead.stage_id and lead._sff_follows_stage()
        )
        typed = follow.filtered(
            lambda lead: (
                float_compare(
                    lead.probability, lead.stage_id._sff_stage_probability(), precision_digits=2
                )
                != 0
            )
        )
        to_flag = typed.filtered(lambda lead: not lead.probability_is_manual)
        if to_flag:
            to_flag.write({"probability_is_manual": True})
        to_unflag = (follow - typed).filtered("probability_is_manual")
        if to_unflag:
            to_unflag.write({"probability_is_manual": False})

    def _sff_check_category_choice(self, category, active, stage, excluded):
        """Refuse ``category`` for the deal when it is (or is being made)
        ``active``, in ``stage``, ``excluded`` from the forecast: only an
        open deal's category is chosen, Closed is for won deals, and a lost
        deal, or one out of the forecast, is Omitted."""
        self.ensure_one()
        # what the deal's state imposes, if anything
        if not active:
            default, reason = "omitted", self.env._("it is lost")
        elif stage.is_won:
            default, reason = "closed", self.env._("it is won")
        elif excluded:
            default, reason = "omitted", self.env._("it is out of the forecast")
        else:
            if category != "closed":
                return
            default = engine.deal_forecast_category(
                active, False, False, False, stage.forecast_category
            )
            reason = self.env._("Closed (Won) is for won deals")
        if category == default:
            return
        labels = dict(self._fields["forecast_category"]._description_selection(self.env))
        raise ValidationError(
            self.env._(
                "“%(deal)s” cannot be in the forecast category %(category)s: %(reason)s. "
                "Its category is %(default)s.",
                deal=self.display_name,
                category=labels.get(category, category),
                reason=reason,
                default=labels[default],
            )
        )

    def _sff_flag_chosen_category(self, check=False, before=None):
        """A category written on deals (the form, an import, a call of the
        API) is the salesperson's choice, which holds until the next stage
        change; writing the category the deal would have anyway is none.
        ``check``: refuse the categories the deals cannot have (a write
        refuses them before writing). ``before``: the deals' categories
        chosen before a write, by id: the same choice written again (a
        file imported back) says nothing more in the chatter."""
        if check:
            for lead in self:
                lead._sff_check_category_choice(
                    lead.forecast_category, lead.active, lead.stage_id, lead.forecast_excluded
                )
        chosen = self.filtered(
            lambda lead: lead.forecast_category != lead._sff_default_forecast_category()
        )
        to_flag = chosen.filtered(lambda lead: not lead.forecast_category_is_manual)
        if to_flag:
            to_flag.write({"forecast_category_is_manual": True})
        # the choice goes in the chatter (the category that follows the
        # stage is not tracked: a stage move already says where the deal went)
        labels = dict(self._fields["forecast_category"]._description_selection(self.env))
        noted = chosen.filtered(lambda lead: (before or {}).get(lead.id) != lead.forecast_category)
        if noted:
            # one batch of notes (a mass edit, an import)
            noted._message_log_batch(
                {
                    lead.id: self.env._(
                        "Forecast category chosen: %(category)s (until the next stage change).",
                        category=labels[lead.forecast_category],
                    )
                    for lead in noted
                },
                author_id=self.env.user.partner_id.id,
            )
        to_unflag = (self - chosen).filtered("forecast_category_is_manual")
        if to_unflag:
            to_unflag.write({"forecast_category_is_manual": False})

    @api.model
    def _sff_forget_chosen_category(self, stage_ids):
        """The deals of these stages no longer hold a category chosen by
        hand (the stage became won, or open again): they take the one their
        stage gives them."""
        self.flush_model(["forecast_category_is_manual", "stage_id"])
        self.env.cr.execute(
            """UPDATE crm_lead SET forecast_category_is_manual = FALSE
                WHERE stage_id = ANY(%s) AND forecast_category_is_manual
            RETURNING id""",
            [list(stage_ids)],
        )
        leads = self.browse(row[0] for row in self.env.cr.fetchall())
        self.invalidate_model(["forecast_category_is_manual"])
        if leads:
            self.env.add_to_compute(self._fields["forecast_category"], leads)

    @api.model
    def _sff_align_forecast_category(self, stage_ids=None, lead_ids=None):
        """Put deals whose category was not chosen by hand on their stage's
        (the stage's category changed, the module was upgraded), in SQL:
        a stage may hold most of the deals. ``stage_ids`` and ``lead_ids``
        limit it to the deals of these stages, or these deals."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            UPDATE crm_lead l SET forecast_category = %(category)s
              FROM crm_lead d
         LEFT JOIN crm_stage s ON s.id = d.stage_id
             WHERE d.id = l.id
               AND (%(all_stages)s OR l.stage_id = ANY(%(stage_ids)s))
               AND (%(all_leads)s OR l.id = ANY(%(lead_ids)s))
               AND l.forecast_category IS DISTINCT FROM %(category)s
         RETURNING l.id
            """,
                category=engine_sql.deal_forecast_category(
                    SQL("d.active"),
                    SQL("s.is_won"),
                    SQL("d.forecast_excluded"),
                    SQL("CASE WHEN d.forecast_category_is_manual THEN d.forecast_category END"),
                    SQL("s.forecast_category"),
                ),
                all_stages=stage_ids is None,
                stage_ids=list(stage_ids or []),
                all_leads=lead_ids is None,
                lead_ids=list(lead_ids or []),
            )
        )
        changed = [row[0] for row in cr.fetchall()]
        self.invalidate_model(["forecast_category"])
        return changed

    def _sff_update_lost_stage(self, was_active, probability_given=False):
        """A lost (archived) deal remembers the stage it was lost in and is
        at 0 %, however it was archived: Odoo's Lost filters and scoring
        read a lost deal as archived at 0 %, which Odoo's Lost and Archive
        buttons write but an import's or a client's archiving does not. A
        restored deal forgets its lost stage and, back from 0 % with no
        probability given, takes one as Odoo's Restore gives it (its stage
        percentage, or Odoo's scoring)."""
        lost = was_active.filtered(lambda lead: not lead.active)
        for stage, leads in lost.grouped("stage_id").items():
            leads.write(
                {
                    "lost_stage_id": stage.id,
                    "probability": 0,
                    "automated_probability": 0,
                    "probability_is_manual": False,
                    "forecast_category_is_manual": False,
                }
            )
        restored = (self - was_active).filtered("active")
        forgetting = restored.filtered("lost_stage_id")
        if forgetting:
            forgetting.write({"lost_stage_id": False})
        reopened = restored.filtered(lambda lead: not lead.probability)
        if reopened and not probability_given:
            reopened._compute_probabilities()

    def _handle_won_lost(self, vals):
        """Odoo's predictive scoring takes an open deal at 0 % for a lost one
        when it is won. With stage percentages, an open deal in a 0 % stage
        (a new prospect) is not lost: count it as won only."""
        if "stage_id" in vals:
            won_stage = self.env["crm.stage"].browse(vals["stage_id"]).is_won
            open_at_zero = (
                self.filtered(
                    lambda lead: lead.active and not lead.probability and not lead.stage_id.is_won
                )
                if won_stage
                else self.browse()
            )
            if open_at_zero:
                open_at_zero._pls_increment_frequencies(to_state="won")
                return super(CrmLead, self - open_at_zero)._handle_won_lost(vals)
        return super()._handle_won_lost(vals)

    # ------------------------------------------------------------------
    # Predictive lead scoring must not undo stage percentages
    # ------------------------------------------------------------------
    def _update_automated_probabilities(self):
        """Odoo's scoring cron rewrites, in SQL, every probability equal to
        its automated one: in the companies whose stages drive
        probabilities, typed probabilities are put back afterwards, the
        others back on their stage percentage; elsewhere the cron's stand.
        A deal saved while the cron ran (it commits between its batches:
        lost, typed again) keeps what was saved: only a probability the
        cron wrote (its automated one) is put back."""
        cr = self.env.cr
        self.flush_model(["probability", "probability_is_manual"])
        cr.execute("DROP TABLE IF EXISTS sff_probability_before")
        # a plain temporary table: the cron commits between its batches; the
        # open deals' probabilities, typed (put back) where the company's
        # stages drive them (deals of no company: as the current one's)
        cr.execute(
            """CREATE TEMPORARY TABLE sff_probability_before AS
               SELECT l.id, l.probability,
                      COALESCE(l.probability_is_manual, FALSE)
                      AND COALESCE(c.crm_probability_from_stage, %s) AS typed
                 FROM crm_lead l
            LEFT JOIN res_company c ON c.id = l.company_id
                WHERE l.active""",
            [bool(self.env.company.crm_probability_from_stage)],
        )
        result = super()._update_automated_probabilities()
        cr.execute(
            """UPDATE crm_lead l SET probability = t.probability
                 FROM sff_probability_before t
                WHERE t.id = l.id AND t.typed AND l.active
                  AND l.probability = l.automated_probability
                  AND l.probability IS DISTINCT FROM t.probability"""
        )
        cr.execute(
            """SELECT l.id FROM crm_lead l JOIN sff_probability_before t ON t.id = l.id
                WHERE l.probability IS DISTINCT FROM t.probability"""
        )
        changed = [row[0] for row in cr.fetchall()]
        cr.execute("DROP TABLE sff_probability_before")
        self._sff_after_sql_probabilities(changed)
        self._sff_align_probability_to_stage()
        return result

    @api.model
    def _sff_stage_won_changed(self, stage_ids):
        """The stages ``stage_ids`` were made won or open again: as Odoo
        closes a deal that enters a won stage (at 100 %) and reopens one
        that leaves it, their open deals are closed now, and the deals of a
        stage that is won no more are open again (lost deals keep their
        date). Before the funnel rows are rebuilt from the deals."""
        self.env.flush_all()
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
            UPDATE crm_lead l
               SET date_closed = CASE WHEN s.is_won THEN %(now)s END
              FROM crm_stage s
             WHERE s.id = l.stage_id AND l.stage_id = ANY(%(stage_ids)s) AND l.active
               AND l.type = 'opportunity'
               AND (l.date_closed IS NULL) = COALESCE(s.is_won, FALSE)
         RETURNING l.id
                """,
                now=now,
                stage_ids=list(stage_ids),
            )
        )
        changed = self.browse(row[0] for row in self.env.cr.fetchall())
        # Odoo works out what follows the date (its days to close)
        changed.invalidate_recordset(["date_closed"])
        changed.modified(["date_closed"])
        # won at 100 %, as Odoo sets a deal dragged into a won stage (a
        # typed probability too, whatever the company's setting)
        self.env.cr.execute(
            """
            UPDATE crm_lead l
               SET probability = 100, automated_probability = 100, probability_is_manual = FALSE
              FROM crm_stage s
             WHERE s.id = l.stage_id AND s.is_won AND l.stage_id = ANY(%s) AND l.active
               AND l.type = 'opportunity'
               AND (l.probability IS DISTINCT FROM 100 OR l.automated_probability IS DISTINCT FROM 100
                    OR COALESCE(l.probability_is_manual, FALSE))
         RETURNING l.id
            """,
            [list(stage_ids)],
        )
        self._sff_after_sql_probabilities([row[0] for row in self.env.cr.fetchall()])
        # open again: Odoo's scoring works the probability out again, as when
        # a deal leaves a won stage (the stage percentage where stages drive)
        reopened = (
            # sudo: every deal of the stage, whoever changes it (as above)
            self.sudo()
            .browse(changed.ids)
            .filtered(lambda lead: not lead.stage_id.is_won and not lead._sff_follows_stage())
        )
        if reopened:
            reopened._compute_probabilities()
            reopened.flush_recordset()

    @api.model
    def _sff_align_probability_to_stage(
        self, company_ids=None, stage_ids=None, include_automated=False, lead_ids=None
    ):
        """Put open deals whose probability was not typed back on their stage
        percentage, in SQL (Odoo's scoring cron writes probabilities in SQL
        too). Only companies that let stages drive probabilities are touched;
        ``stage_ids`` limits it to the deals of these stages, ``lead_ids`` to
        these deals.

        With ``include_automated`` (turning the setting on), deals whose
        probability differs from Odoo's automated probability are taken as
        typed by hand and only flagged as such.
        """
        cr = self.env.cr
        # stage percentages may just have been written through the ORM
        self.env.flush_all()
        # sudo: the scoring cron runs for every company, not only those of
        # the current user; only the setting is read
        companies = (
            self.env["res.company"]
            .sudo()
            .search(
                [("crm_probability_from_stage", "=", True)]
                + ([("id", "in", company_ids)] if company_ids else [])
            )
        )
        if not companies:
            return
        default_follows = self.env.company.crm_probability_from_stage
        scope = SQL(
            """(l.company_id = ANY(%s) OR (l.company_id IS NULL AND %s))
               AND (%s OR l.stage_id = ANY(%s)) AND (%s OR l.id = ANY(%s))""",
            companies.ids,
            # deals of no company follow the current company's setting
            bool(default_follows and (not company_ids or self.env.company.id in company_ids)),
            stage_ids is None,
            list(stage_ids or []),
            lead_ids is None,
            list(lead_ids or []),
        )
        if include_automated:
            cr.execute(
                SQL(
                    """
                UPDATE crm_lead l SET probability_is_manual = TRUE
                  FROM crm_stage s
                 WHERE s.id = l.stage_id AND l.active AND NOT COALESCE(s.is_won, FALSE)
                   AND %(scope)s
                   AND l.probability IS NOT NULL
                   AND l.probability IS DISTINCT FROM l.automated_probability
                   AND l.probability <> %(stage_probability)s
                """,
                    scope=scope,
                    stage_probability=engine_sql.stage_probability("s"),
                )
            )
        cr.execute(
            SQL(
                """
            UPDATE crm_lead l
               SET probability = %(stage_probability)s, probability_is_manual = FALSE
              FROM crm_stage s
             WHERE s.id = l.stage_id AND l.active
               AND %(scope)s
               AND NOT COALESCE(l.probability_is_manual, FALSE)
               AND l.probability IS DISTINCT FROM %(stage_probability)s
         RETURNING l.id
            """,
                scope=scope,
                stage_probability=engine_sql.stage_probability("s"),
            )
        )
        self._sff_after_sql_probabilities([row[0] for row in cr.fetchall()])

    @api.model
    def _sff_restore_automated_probability(self, company_ids, lead_ids=None):
        """The company stopped letting stages drive probabilities: deals whose
        probability was not typed go back to Odoo's automated probability
        (``lead_ids``: only these deals)."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE crm_lead l SET probability = l.automated_probability
              FROM crm_stage s
             WHERE s.id = l.stage_id AND l.active AND NOT COALESCE(s.is_won, FALSE)
               AND (l.company_id = ANY(%s) OR (l.company_id IS NULL AND %s))
               AND (%s OR l.id = ANY(%s))
               AND NOT COALESCE(l.probability_is_manual, FALSE)
               AND l.automated_probability IS NOT NULL
               AND l.probability IS DISTINCT FROM l.automated_probability
         RETURNING l.id
            """,
            # deals of no company follow the current company's setting
            [
                list(company_ids),
                self.env.company.id in company_ids,
                lead_ids is None,
                list(lead_ids or []),
            ],
        )
        self._sff_after_sql_probabilities([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _sff_after_sql_probabilities(self, lead_ids):
        """Probabilities of these deals were written in SQL: bring what
        depends on them up to date, ours in SQL with the engine's rules,
        Odoo's own amounts through Odoo's own computations."""
        if not lead_ids:
            return
        self._sff_refresh_weighted_amounts(lead_ids)
        self._sff_recompute_odoo_amounts(lead_ids)

    @api.model
    def _sff_refresh_weighted_amounts(self, lead_ids=None):
        """Recompute ``forecast_revenue`` and ``pipeline_amount`` in SQL, by
        the engine's rules (``engine_sql``), writing the deals whose amounts
        change. ``lead_ids=None``: every deal."""
        if lead_ids is not None and not lead_ids:
            return
        columns = dict(
            expected_revenue=SQL.identifier("l", "expected_revenue"),
            probability=SQL.identifier("l", "probability"),
            active=SQL.identifier("l", "active"),
            is_won=SQL.identifier("s", "is_won"),
            excluded=SQL.identifier("l", "forecast_excluded"),
            decimals=self._sff_decimals_sql(SQL.identifier("l", "company_id")),
        )
        self.env.cr.execute(
            SQL(
                """
            UPDATE crm_lead l
               SET forecast_revenue = %(forecast)s, pipeline_amount = %(pipeline)s
              FROM crm_lead d
         LEFT JOIN crm_stage s ON s.id = d.stage_id  -- a deal without a stage is open
             WHERE d.id = l.id AND (%(all)s OR l.id = ANY(%(ids)s))
               -- the deals whose amounts change only: every deal is a
               -- rewrite of the whole table (an upgrade's step)
               AND (l.forecast_revenue, l.pipeline_amount)
                   IS DISTINCT FROM (%(forecast)s, %(pipeline)s)
            """,
                forecast=engine_sql.weighted_revenue(**columns),
                pipeline=engine_sql.pipeline_amount(**columns),
                all=lead_ids is None,
                ids=list(lead_ids or []),
            )
        )
        self.invalidate_model(
            [
                "probability",
                "probability_is_manual",
                "forecast_revenue",
                "pipeline_amount",
            ]
        )

    @api.model
    def _sff_recompute_odoo_amounts(self, lead_ids, sync_limit=SYNC_REFRESH_LIMIT):
        """Odoo's prorated revenues follow probabilities written in SQL,
        computed by Odoo's own methods: at once for a few thousand deals,
        through the refresh job beyond (the ORM computes about 4,000 deals a
        second; installing onto a large database changes them all)."""
        if not lead_ids:
            return
        if len(lead_ids) <= sync_limit:
            self._sff_compute_odoo_amounts(list(lead_ids))
            return
        self.env.cr.execute(
            "UPDATE crm_lead SET prorated_pending = TRUE WHERE id = ANY(%s) AND NOT prorated_pending",
            [list(lead_ids)],
        )
        self.env.ref("sales_funnel_forecast.ir_cron_refresh_prorated_revenue")._trigger()

    @api.model
    def _sff_compute_odoo_amounts(self, lead_ids):
        fields_to_compute = [self._fields[name] for name in ODOO_PROBABILITY_AMOUNTS]
        leads = self.browse(lead_ids)
        for field in fields_to_compute:
            self.env.add_to_compute(field, leads)
        leads.flush_recordset(list(ODOO_PROBABILITY_AMOUNTS))
        self.env.cr.execute(
            "UPDATE crm_lead SET prorated_pending = FALSE WHERE id = ANY(%s) AND prorated_pending",
            [lead_ids],
        )
        leads.invalidate_recordset(["prorated_pending"])

    @api.model
    def _cron_refresh_prorated_revenue(self, batch_size=SYNC_REFRESH_LIMIT):
        """Refresh Odoo's prorated revenues of the deals whose probability was
        changed in bulk, one batch per call: the scheduler calls again while
        some remain, committing in between, and the job can be stopped and
        rerun at any point."""
        return run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_refresh_prorated_revenue",
            lambda: self._sff_refresh_prorated_batch(batch_size),
            self._sff_prorated_count,
        )

    @api.model
    def _sff_refresh_prorated_batch(self, batch_size):
        """One batch of the job: the deals locked as a save locks them,
        skipping those someone is saving (for the next batch). Returns
        (deals refreshed, deals left)."""
        cr = self.env.cr
        cr.execute(
            """SELECT id FROM crm_lead WHERE prorated_pending ORDER BY id LIMIT %s
               FOR NO KEY UPDATE SKIP LOCKED""",
            [batch_size],
        )
        lead_ids = [row[0] for row in cr.fetchall()]
        if lead_ids:
            self._sff_compute_odoo_amounts(lead_ids)
            self.invalidate_model()
        return len(lead_ids), self._sff_prorated_count()

    @api.model
    def _sff_prorated_count(self):
        self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE prorated_pending")
        return self.env.cr.fetchone()[0]
