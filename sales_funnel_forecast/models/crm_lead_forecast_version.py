# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools import sql as sql_tools

from ..const import DEAL_STATES, FORECAST_CATEGORY_SELECTION
from ..install.forecast_versions import rebuild_sql
from ..tools.bulk import bulk_load

_logger = logging.getLogger(__name__)

# The deal columns a version copies; a change of any of them starts a new
# version (``type``: a deal turned back into a lead leaves the pipeline).
VERSIONED_COLUMNS = (
    "stage_id",
    "expected_revenue",
    "probability",
    "date_deadline",
    "forecast_category",
    "forecast_excluded",
    "user_id",
    "team_id",
    "company_id",
)
WATCHED_COLUMNS = VERSIONED_COLUMNS + ("active", "type")
# What reading the versions writes first of the deals' pending changes: not
# the probability, whose flush would run Odoo's predictive scoring then
# rather than when Odoo itself needs it, and change what it computes (a
# merge reads the deals' versions); the database versions it when Odoo
# writes it, at the latest when the transaction commits.
FLUSHED_COLUMNS = tuple(name for name in WATCHED_COLUMNS if name != "probability")
# A session setting that, when set, stands for the transaction's clock in
# the versions the database writes (data migrations replaying changes of the
# past, and the tests' clock); empty: now.
MOMENT_SETTING = "sales_funnel_forecast.now"
# From this many stays in the stage history, the rebuild writes the versions
# without their indexes and keys, and builds them again after.
BULK_MIN_STAYS = 100000


class CrmLeadForecastVersion(models.Model):
    """What the forecast of a deal depended on, from one change to the next.

    PostgreSQL writes these rows itself, by triggers on the deals' table:
    whichever way a deal changes (form, kanban, import, RPC, merge, the
    module's own batch updates, another module's SQL), the version it leaves
    ends and a new one starts, at the transaction's time. Several changes
    made at one moment are one version. Opportunities only: a lead has
    none until it is converted.

    On install, the rows of the past are rebuilt from the stage history
    (itself rebuilt from the chatter) and the tracked changes of amount,
    salesperson and team; Odoo does not track the expected closing date,
    so the rebuilt rows carry today's, and only changes made from then on
    are known."""

    _name = "crm.lead.forecast.version"
    _inherit = ["crm.system.record.mixin"]
    _description = "Deal Forecast Version"
    _order = "valid_from desc, id desc"
    _log_access = False
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    valid_from = fields.Datetime(required=True, readonly=True)
    valid_to = fields.Datetime(
        readonly=True,
        help="Empty while this is how the deal stands now.",
    )
    stage_id = fields.Many2one("crm.stage", readonly=True, ondelete="restrict")
    expected_revenue = fields.Monetary(currency_field="company_currency", readonly=True)
    probability = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
    date_deadline = fields.Date(string="Expected Closing", readonly=True)
    forecast_category = fields.Selection(FORECAST_CATEGORY_SELECTION, readonly=True)
    forecast_excluded = fields.Boolean(
        string="Out of Forecast",
        readonly=True,
        help="The deal counted for nothing in the weighted forecast (its category is then "
        "Omitted; a deal a salesperson or its stage puts in Omitted still counts).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="cascade")
    company_currency = fields.Many2one(
        "res.currency",
        related="company_id.currency_id",
        string="Currency",
    )
    deal_state = fields.Selection(DEAL_STATES, readonly=True, required=True)
    slip_days = fields.Integer(
        string="Days Slipped",
        readonly=True,
        aggregator="sum",
        help="How many days later the expected closing date was set by the "
        "change that started this version; empty when it did not move later "
        "(and on the rows rebuilt on install, which do not know it).",
    )

    def _auto_init(self):
        # The flag comes to existing versions (18.0.1.15.0) with a constant
        # default: PostgreSQL adds it without rewriting the table; the
        # upgrade's script then sets it where the deal was out of the
        # forecast.
        cr = self.env.cr
        if sql_tools.table_exists(cr, self._table) and not sql_tools.column_exists(
            cr, self._table, "forecast_excluded"
        ):
            cr.execute(
                "ALTER TABLE crm_lead_forecast_version ADD COLUMN forecast_excluded boolean DEFAULT FALSE"
            )
        return super()._auto_init()

    def init(self):
        cr = self.env.cr
        cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS crm_lead_forecast_version_current_idx
               ON crm_lead_forecast_version (lead_id) WHERE valid_to IS NULL"""
        )
        cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_forecast_version_lead_idx
               ON crm_lead_forecast_version (lead_id, valid_from)"""
        )
        # the open versions by expected closing date: the deals a period's
        # pipeline had at some moment (deal flow)
        cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_forecast_version_deadline_idx
               ON crm_lead_forecast_version (date_deadline, valid_from)
               WHERE deal_state = 'open'"""
        )
        # the deals whose closing date slipped (the deals' "Slipped" filter)
        cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_forecast_version_slipped_idx
               ON crm_lead_forecast_version (lead_id) WHERE slip_days > 0"""
        )
        cr.execute(_trigger_function_sql())
        # The triggers are created by the rebuild of the install or of the
        # upgrade that brought this table, once the deals have been set up
        # in bulk; later upgrades only bring their definition up to date.
        cr.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'sff_forecast_version_update'")
        if cr.fetchone():
            self._sff_create_triggers()

    @api.model
    def _sff_create_triggers(self):
        """The deals' table writes the versions (install and upgrade only:
        creating a trigger locks the deals' table against writes)."""
        changed = SQL(" OR ").join(
            SQL("OLD.%s IS DISTINCT FROM NEW.%s", SQL.identifier(name), SQL.identifier(name))
            for name in WATCHED_COLUMNS
        )
        self.env.cr.execute(
            SQL(
                """DROP TRIGGER IF EXISTS sff_forecast_version_update ON crm_lead;
               CREATE TRIGGER sff_forecast_version_update
                   AFTER UPDATE OF %(columns)s ON crm_lead FOR EACH ROW
                   WHEN (%(changed)s)
                   EXECUTE FUNCTION sff_forecast_version();
               DROP TRIGGER IF EXISTS sff_forecast_version_insert ON crm_lead;
               CREATE TRIGGER sff_forecast_version_insert
                   AFTER INSERT ON crm_lead FOR EACH ROW
                   WHEN (NEW.type = 'opportunity')
                   EXECUTE FUNCTION sff_forecast_version()""",
                columns=SQL(", ").join(SQL.identifier(name) for name in WATCHED_COLUMNS),
                changed=changed,
            )
        )

    @api.model
    def _sff_drop_triggers(self):
        self.env.cr.execute(
            """DROP TRIGGER IF EXISTS sff_forecast_version_update ON crm_lead;
               DROP TRIGGER IF EXISTS sff_forecast_version_insert ON crm_lead;
               DROP FUNCTION IF EXISTS sff_forecast_version() CASCADE"""
        )

    # ------------------------------------------------------------------
    # The deals' own record: no hand-made rows.
    # ------------------------------------------------------------------
    def _sff_manual_change_message(self):
        return self.env._(
            "The forecast versions are written by the deals themselves when they "
            "change; they cannot be created or edited by hand."
        )

    def flush_model(self, fnames=None):
        # the rows are written by the database when the deals are: reading
        # them first writes what the deals have pending
        self.env["crm.lead"].flush_model(FLUSHED_COLUMNS)
        return super().flush_model(fnames)

    def _fetch_query(self, query, fields):
        self.env["crm.lead"].flush_model(FLUSHED_COLUMNS)
        return super()._fetch_query(query, fields)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        self.env["crm.lead"].flush_model(FLUSHED_COLUMNS)
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    # ------------------------------------------------------------------
    # Reading: the pipeline at a moment
    # ------------------------------------------------------------------
    @api.model
    def _sff_at_sql(self, moment, domain=None, lead_domain=None, columns=None, check_leads=True):
        """The versions in force at ``moment`` (one per deal at most) that
        ``domain`` selects, of the deals that ``lead_domain`` selects,
        archived ones included, as a SELECT of the versions' ``columns``
        (by default the deal, its state, the version's start and slip, and
        the versioned values). The record rules of both models apply, the
        deals' unless ``check_leads`` is false: for a caller whose
        ``domain`` already keeps only the deals the user reads."""
        leads = []
        if check_leads:
            leads = [
                (
                    "lead_id",
                    "in",
                    self.env["crm.lead"].with_context(active_test=False)._search(lead_domain or []),
                )
            ]
        query = self._search(
            expression.AND(
                [
                    [
                        ("valid_from", "<=", moment),
                        "|",
                        ("valid_to", "=", False),
                        ("valid_to", ">", moment),
                    ],
                    leads,
                    domain or [],
                ]
            )
        )
        return self._sff_select(query, columns)

    @api.model
    def _sff_started_sql(self, start, end, domain):
        """The versions that started after the moment ``start`` and before
        ``end`` that ``domain`` selects (record rules apply), as a SELECT of
        the columns ``_sff_at_sql`` gives by default."""
        query = self._search(
            expression.AND([[("valid_from", ">", start), ("valid_from", "<", end)], domain])
        )
        return self._sff_select(query)

    def _sff_select(self, query, columns=None):
        query.order = None
        return query.select(
            *(
                SQL("%s AS %s", self._field_to_sql(self._table, name, query), SQL.identifier(name))
                for name in columns
                or ("lead_id", "deal_state", "valid_from", "slip_days") + VERSIONED_COLUMNS
            )
        )

    # ------------------------------------------------------------------
    # Rebuilding the past (installation, upgrade)
    # ------------------------------------------------------------------
    @api.model
    def _sff_rebuild(self):
        """Write the versions of every opportunity from its stays in the
        stage history and the chatter's tracked changes of amount,
        salesperson, team and archiving, then let the database keep them.
        Every row is written again: for the installation and the upgrade
        that bring the versions only. Returns the number of rows."""
        cr = self.env.cr
        self.env["crm.lead.stage.history"]._sff_flush_pending()
        self.env.flush_all()
        self._sff_drop_triggers()
        cr.execute(_trigger_function_sql())
        cr.execute("TRUNCATE crm_lead_forecast_version")
        Fields = self.env["ir.model.fields"]
        field_ids = {
            name: Fields._get("crm.lead", name).id
            for name in ("user_id", "team_id", "expected_revenue")
        }
        # keys and indexes dropped and built again after the rows: worth it
        # (and the table locked) for large databases only
        cr.execute(
            "SELECT count(*) >= %s FROM (SELECT FROM crm_lead_stage_history LIMIT %s) s",
            [BULK_MIN_STAYS, BULK_MIN_STAYS],
        )
        with bulk_load(self.env, "crm_lead_forecast_version", rebuild_indexes=cr.fetchone()[0]):
            cr.execute(rebuild_sql(field_ids))
            count = cr.rowcount
        self._sff_create_triggers()
        self.invalidate_model()
        return count


def _moment_sql():
    return SQL(
        "COALESCE(NULLIF(current_setting(%s, TRUE), '')::timestamp, now() AT TIME ZONE 'UTC')",
        MOMENT_SETTING,
    )


def _trigger_function_sql():
    """The PL/pgSQL function the deals' triggers call: the current version
    of the deal ends and its new one starts; a change at the same moment as
    the current version's start rewrites it instead."""
    # the deal's state, worked out inside the statement that writes it (a
    # statement of its own would be planned again in every request)
    values = SQL(
        """NEW.stage_id, NEW.expected_revenue, NEW.probability, NEW.date_deadline,
           NEW.forecast_category, COALESCE(NEW.forecast_excluded, FALSE),
           NEW.user_id, NEW.team_id, NEW.company_id,
           CASE WHEN NOT COALESCE(NEW.active, FALSE) THEN 'lost'
                WHEN (SELECT s.is_won FROM crm_stage s WHERE s.id = NEW.stage_id) THEN 'won'
                ELSE 'open' END"""
    )
    columns = SQL(
        """stage_id, expected_revenue, probability, date_deadline, forecast_category,
           forecast_excluded, user_id, team_id, company_id, deal_state"""
    )
    # the function's body is a string constant of PostgreSQL's: written out
    # from fixed text here, nothing in it comes from users. A deal's usual
    # change (a version that started before this moment) costs two
    # statements: the current version ends, the new one starts.
    body = SQL(
        """
        DECLARE
            moment timestamp := %(moment)s;
            tracked boolean := NEW.type = 'opportunity' AND NEW.stage_id IS NOT NULL;
            slip integer;
            before date;
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF NEW.date_deadline > OLD.date_deadline THEN
                    slip := NEW.date_deadline - OLD.date_deadline;
                ELSIF NEW.date_deadline < OLD.date_deadline THEN
                    slip := -(OLD.date_deadline - NEW.date_deadline);
                ELSIF tracked AND OLD.date_deadline IS NULL AND NEW.date_deadline IS NOT NULL THEN
                    -- a date given again after it was cleared: measured from
                    -- the last one the deal had
                    SELECT v.date_deadline INTO before FROM crm_lead_forecast_version v
                     WHERE v.lead_id = NEW.id AND v.date_deadline IS NOT NULL
                  ORDER BY v.valid_from DESC LIMIT 1;
                    slip := NEW.date_deadline - before;
                END IF;
                IF tracked THEN
                    UPDATE crm_lead_forecast_version SET valid_to = moment
                     WHERE lead_id = NEW.id AND valid_to IS NULL AND valid_from < moment;
                    IF NOT FOUND THEN
                        -- a change at the moment the current version started:
                        -- the version is rewritten, its slip measured from the
                        -- last date the deal had before it (none for a deal
                        -- new at that moment; a date cleared earlier counts
                        -- from the one before, as above)
                        UPDATE crm_lead_forecast_version
                           SET (%(columns)s) = (%(values)s)
                         WHERE lead_id = NEW.id AND valid_to IS NULL;
                        IF FOUND THEN
                            IF OLD.date_deadline IS DISTINCT FROM NEW.date_deadline
                               AND EXISTS (SELECT 1 FROM crm_lead_forecast_version v
                                            WHERE v.lead_id = NEW.id AND v.valid_to >= moment) THEN
                                SELECT v.date_deadline INTO before FROM crm_lead_forecast_version v
                                 WHERE v.lead_id = NEW.id AND v.valid_to IS NOT NULL
                                   AND v.date_deadline IS NOT NULL
                              ORDER BY v.valid_from DESC LIMIT 1;
                                UPDATE crm_lead_forecast_version
                                   SET slip_days = CASE WHEN NEW.date_deadline > before
                                                        THEN NEW.date_deadline - before END
                                 WHERE lead_id = NEW.id AND valid_to IS NULL;
                            END IF;
                            RETURN NULL;
                        END IF;
                        -- no current version: the deal enters the pipeline
                        -- (a lead converted); its first version slipped from
                        -- nothing
                        slip := NULL;
                    END IF;
                ELSE
                    DELETE FROM crm_lead_forecast_version
                     WHERE lead_id = NEW.id AND valid_to IS NULL AND valid_from >= moment;
                    UPDATE crm_lead_forecast_version SET valid_to = moment
                     WHERE lead_id = NEW.id AND valid_to IS NULL;
                END IF;
            END IF;
            IF tracked THEN
                INSERT INTO crm_lead_forecast_version
                       (lead_id, valid_from, %(columns)s, slip_days)
                VALUES (NEW.id, moment, %(values)s, NULLIF(GREATEST(COALESCE(slip, 0), 0), 0));
            END IF;
            RETURN NULL;
        END
        """,
        moment=_moment_sql(),
        columns=columns,
        values=values,
    )
    return SQL(
        "CREATE OR REPLACE FUNCTION sff_forecast_version() RETURNS trigger LANGUAGE plpgsql AS %s",
        body.code % tuple(_literal(param) for param in body.params),
    )


def _literal(value):
    """A fixed string of this module as an SQL literal (for the function
    body, which PostgreSQL takes as a string without parameters)."""
    assert value == MOMENT_SETTING, value
    return "'" + value.replace("'", "''") + "'"
