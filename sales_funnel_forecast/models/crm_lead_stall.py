# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stall rules: deals that sit in a stage longer than the stage allows are
flagged, taken out of the forecast, moved back or closed as lost."""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date
from odoo.tools.mail import generate_tracking_message_id

from .. import engine, engine_sql
from ..tools.formats import count_text
from ..tools.jobs import run_batch
from ..tools.notify import notification

# deals examined per call of the daily job; the scheduler calls it again
# (committing in between) while some remain
STALL_BATCH = 5000
# the to-do a stalled deal's salesperson is given
STALL_ACTIVITY_TYPE = "sales_funnel_forecast.mail_activity_type_stalled"


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    is_stalled = fields.Boolean(
        string="Stalled",
        copy=False,
        readonly=True,
        help="The deal stayed longer in its stage than the stage allows. It "
        "stops being stalled when it changes stage or a manager keeps it open.",
    )
    stalled_date = fields.Datetime(
        string="Stalled On", copy=False, readonly=True, prefetch="sff_deal_figures"
    )
    stall_excluded = fields.Boolean(
        string="Out of Forecast by a Stall Rule",
        copy=False,
        readonly=True,
        help="The stall rule took the deal out of the forecast: it comes back "
        "in when the deal changes stage or is kept open.",
    )
    stall_reset_date = fields.Datetime(
        prefetch="sff_deal_figures",
        string="Kept Open On",
        copy=False,
        readonly=True,
        help="A manager kept the deal open: its time in stage counts again from then.",
    )
    stall_days_over = fields.Integer(
        string="Days Over Limit",
        compute="_compute_stall_days_over",
        help="Days the deal is past its stage's limit.",
    )

    @api.depends("stage_id.stall_days", "stage_age_days", "is_stalled", "stall_reset_date")
    def _compute_stall_days_over(self):
        now = self.env.cr.now()
        for lead in self:
            age = lead.stage_age_days
            if lead.is_stalled and lead.stall_reset_date:
                # kept open by a manager: its time counts again from then,
                # as the stall job counts it
                age = min(age, engine.whole_days(lead.stall_reset_date, now))
            lead.stall_days_over = (
                engine.days_over(age, lead.stage_id.stall_days) if lead.is_stalled else 0
            )

    # ------------------------------------------------------------------
    # Actions of people
    # ------------------------------------------------------------------
    def action_stall_keep_open(self):
        """A manager keeps stalled deals open: they are no longer stalled,
        back in the forecast, and their time in stage counts from now."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(self.env._("Only sales managers can keep a stalled deal open."))
        stalled = self.filtered("is_stalled")
        if not stalled:
            return True
        now = self.env.cr.now()
        stalled._sff_clear_stall(reset=now)
        # sudo: the note is the deal's own record, written for the manager
        stalled.sudo()._message_log_batch(
            {
                lead.id: Markup("<p>%s</p>")
                % self.env._(
                    "Kept open by %(user)s: its time in stage counts again from today.",
                    user=self.env.user.name,
                )
                for lead in stalled
            }
        )
        return True

    def _sff_clear_stall(self, reset=False):
        """No longer stalled: back in the forecast if the stall rule took it
        out. ``reset``: the time in stage counts from that moment."""
        # sudo: the stall fields are the stall rules' and the managers'; a
        # salesperson's stage move ends a stall through here
        deals = self.sudo()
        excluded = deals.filtered("stall_excluded")
        values = {
            "is_stalled": False,
            "stalled_date": False,
            "stall_excluded": False,
            "stall_reset_date": reset or False,
        }
        if excluded:
            excluded.write(dict(values, forecast_excluded=False))
        rest = deals - excluded
        if rest:
            rest.write(values)
        # sudo: the stays are the deal's own record
        self.env["crm.lead.stage.history"].sudo()._sff_reset_stall_due(self.ids, reset)
        # the salesperson's to-do is done with (sudo: whoever moves the deal
        # on or keeps it open ends it, whoever it was given to)
        self.env["mail.activity"].sudo().search(self._sff_stall_todo_domain()).unlink()

    @api.model
    def _sff_stall_limit_changed(self, stage_ids):
        """The limit of these stages changed: their stalled deals that the
        new limit does not stall (raised past their time in stage, counted
        from when a manager kept them open if one did, or set to 0: the
        stage never stalls) are stalled no more. What the rule did to the
        others stays done."""
        # sudo: the stall rules act on every deal of the stages
        self.env["crm.lead.stage.history"].sudo()._sff_flush_pending()
        self.env.flush_all()
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
            SELECT l.id FROM crm_lead l
              JOIN crm_stage s ON s.id = l.stage_id
              JOIN crm_lead_stage_history h ON h.lead_id = l.id AND h.date_out IS NULL
             WHERE l.is_stalled AND l.stage_id = ANY(%(stage_ids)s)
               AND COALESCE(%(due)s > %(now)s, TRUE)
                """,
                stage_ids=list(stage_ids),
                now=now,
                due=engine_sql.stall_due(
                    SQL("GREATEST(h.date_in, COALESCE(l.stall_reset_date, h.date_in))"), "s"
                ),
            )
        )
        relieved = self.sudo().browse(row[0] for row in self.env.cr.fetchall())
        for reset, deals in relieved.grouped("stall_reset_date").items():
            # kept open by a manager: its time still counts from then
            deals._sff_clear_stall(reset=reset)

    def _merge_dependences(self, opportunities):
        # Odoo moves the merged deals' activities to the deal kept: its
        # stall to-do stays only while it is stalled itself, and one only
        result = super()._merge_dependences(opportunities)
        # sudo: the stall rules' to-dos, whoever they were given to
        todos = self.env["mail.activity"].sudo().search(self._sff_stall_todo_domain(), order="id")
        (todos[1:] if self.is_stalled else todos).unlink()
        return result

    @api.model
    def _sff_stall_todo_summary(self, lang):
        """The stall to-do's summary in the language ``lang``."""
        return self.with_context(lang=lang or self.env.lang).env._(
            "Stalled deal: move it on, keep it open or close it"
        )

    def _sff_stall_todo_domain(self):
        """The stall rules' open to-dos on these deals."""
        own_type = self._sff_own_stall_type()
        domain = [
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
            ("activity_type_id", "=", (own_type or self._sff_stall_type()).id),
        ]
        if not own_type:
            # plain To-Dos: those the stall rules gave, by their summary
            domain += [
                ("automated", "=", True),
                (
                    "summary",
                    "in",
                    [
                        self._sff_stall_todo_summary(code)
                        for code, _name in self.env["res.lang"].get_installed()
                    ],
                ),
            ]
        return domain

    @api.model
    def _sff_stall_type(self):
        """The stall to-dos' activity type: their own (a database where it
        was deleted before it was kept: Odoo's To-Do)."""
        return self._sff_own_stall_type() or self.env.ref("mail.mail_activity_data_todo")

    @api.model
    def _sff_own_stall_type(self):
        """The stall to-dos' own activity type, empty where it was deleted:
        found through Odoo's cache of external ids (a stalled deal's move
        reads no more than its to-dos; deleting the record deletes its
        external id and clears the cache)."""
        type_id = self.env["ir.model.data"]._xmlid_to_res_id(
            STALL_ACTIVITY_TYPE, raise_if_not_found=False
        )
        return self.env["mail.activity.type"].browse(type_id or ())

    # ------------------------------------------------------------------
    # The daily job
    # ------------------------------------------------------------------
    @api.model
    def _cron_apply_stall_rules(self, batch_size=STALL_BATCH):
        """Apply each stage's stall rule to the open deals past its limit,
        one batch per call: the scheduler calls again while some remain,
        committing in between. A deal is acted on once per stay: flagged
        deals are not flagged again, deals moved back start a new stay, lost
        deals leave the pipeline. Deals locked by users are left for the
        next call."""
        return run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_apply_stall_rules",
            lambda: self._sff_apply_stall_rules(batch_size),
            self._sff_stall_due_count,
        )

    @api.model
    def _sff_stall_due_count(self, company_ids=None):
        """The deals past their stage's limit (lost deals and leads have no
        open stay: the index alone counts), of ``company_ids`` if given and
        of no company (as the deals' company rule lists them)."""
        self.env.cr.execute(
            SQL(
                """SELECT count(*) FROM crm_lead_stage_history
                    WHERE date_out IS NULL AND stall_due < %s AND %s""",
                self.env.cr.now(),
                SQL("(company_id IS NULL OR company_id = ANY(%s))", company_ids)
                if company_ids is not None
                else SQL("TRUE"),
            )
        )
        return self.env.cr.fetchone()[0]

    def action_apply_stall_rules(self):
        """The managers' button (in the list's header: called with the
        selected deals, or none; it acts on every deal past its stage's
        limit all the same): the stall job runs now, in the background,
        batch after batch with a commit between batches (as every night),
        instead of every batch in this request, which a large database
        would take past the web worker's time limit and roll back."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(self.env._("Only sales managers can apply the stall rules."))
        # sudo: managers may start the job, not edit scheduled actions
        job = self.env.ref("sales_funnel_forecast.ir_cron_apply_stall_rules").sudo()
        if not job.active:
            raise UserError(
                self.env._(
                    "The scheduled action “%(job)s” is switched off: an administrator can switch it "
                    "on again in Settings > Technical > Scheduled Actions.",
                    job=job.name,
                )
            )
        job._trigger()
        self.env["crm.lead.stage.history"]._sff_flush_pending()
        # the job acts on every company's deals; the manager is told of
        # those of the companies they work in, and of none, as their list
        # shows them
        due = self._sff_stall_due_count(self.env.companies.ids)
        if due == 1:
            message = self.env._(
                "The stall rules are being applied in the background to a deal past its "
                "stage's limit; reload the list in a few moments to see it."
            )
        elif due:
            message = self.env._(
                "The stall rules are being applied in the background to %(count)s deals past "
                "their stage's limit; reload the list in a few moments to see them.",
                count=count_text(self.env, due),
            )
        else:
            message = self.env._("No deal is past its stage's limit.")
        return notification(
            message,
            kind="info",
        )

    @api.model
    def _sff_apply_stall_rules(self, limit):
        """One batch: returns (deals acted on, deals still past their limit)."""
        History = self.env["crm.lead.stage.history"].sudo()
        History._sff_flush_pending()
        # first the stays that moved in beside a change of their stage's rule
        History._sff_stall_rules_recently_changed()
        self.env.flush_all()
        cr = self.env.cr
        now = cr.now()
        # the open stays past their limit, in the order of their stall date
        # (read from its index, so that a batch reads only its own rows);
        # their deals locked as a save locks them (no key changes: a rep
        # may still make a quotation of one without waiting for the
        # batch), skipping those someone is editing; the stays
        # taken leave the job's list in the same statement
        cr.execute(
            SQL(
                """
            WITH picked AS (
                SELECT l.id AS lead_id, h.id AS stay_id, s.id AS stage_id, s.stall_action,
                       s.stall_days, %(age)s AS age, h.stall_due
                  FROM crm_lead_stage_history h
                  JOIN crm_lead l ON l.id = h.lead_id
                  JOIN crm_stage s ON s.id = l.stage_id
                 WHERE h.date_out IS NULL AND h.stall_due < %(now)s
                   AND l.active AND l.type = 'opportunity'
              ORDER BY h.stall_due
                 LIMIT %(limit)s
                   FOR NO KEY UPDATE OF l SKIP LOCKED
            ), done AS (
                UPDATE crm_lead_stage_history h SET stall_due = NULL
                  FROM picked WHERE h.id = picked.stay_id
            )
            SELECT lead_id, stay_id, stage_id, stall_action, stall_days, age
              FROM picked ORDER BY stall_due
            """,
                now=now,
                limit=limit,
                age=engine_sql.days_between(
                    SQL("GREATEST(h.date_in, COALESCE(l.stall_reset_date, h.date_in))"), now
                ),
            )
        )
        rows = cr.fetchall()
        # sudo: the job acts for the company on every deal past its limit
        Lead = self.sudo().with_context(tracking_disable=False)
        ids_by_action = defaultdict(list)
        ages, limits = {}, {}
        for lead_id, _stay_id, _stage_id, action, stall_days, age in rows:
            ids_by_action[action].append(lead_id)
            ages[lead_id] = age
            # the limit of the stage it stalled in (moved back, it is in another)
            limits[lead_id] = stall_days
        # one recordset per action (a union per deal costs more than the batch's SQL)
        by_action = defaultdict(lambda: Lead.browse())
        by_action.update({action: Lead.browse(ids) for action, ids in ids_by_action.items()})
        # what the rule did to each deal, as its note says it
        done = {}
        flagged = by_action["flag"]
        unmovable, stage_moves = by_action["move_back"]._sff_stall_move_back()
        flagged |= unmovable
        done.update(dict.fromkeys(flagged.ids, ("flagged",)))
        done.update(dict.fromkeys(unmovable.ids, ("unmovable",)))
        done.update({lead_id: ("moved", *move) for lead_id, move in stage_moves.items()})
        lost = by_action["lose"]._sff_stall_lose()
        done.update({lead_id: ("lost", reason) for lead_id, reason in lost.items()})
        excluded = by_action["exclude"]
        done.update(dict.fromkeys(excluded.ids, ("excluded",)))
        (flagged | excluded)._sff_mark_stalled(excluded, now)
        History.invalidate_model(["stall_due"])
        acted = Lead.browse(row[0] for row in rows)
        acted._sff_stall_log(done, ages, limits, stage_moves)
        (flagged | excluded)._sff_stall_activity()
        return len(rows), self._sff_stall_due_count()

    def _sff_mark_stalled(self, excluded, now):
        """Flag these deals as stalled, and take ``excluded`` out of the
        forecast, in one statement with their weighted amounts (the ORM's
        write of a few fields costs more than the whole statement on a batch
        of the job); the job's note says it, so no tracking message."""
        if not self:
            return
        self.flush_recordset(
            [
                "expected_revenue",
                "probability",
                "active",
                "stage_id",
                "forecast_excluded",
                "stall_excluded",
                "forecast_category",
                "forecast_category_is_manual",
            ]
        )
        new_excluded = SQL("(l.forecast_excluded OR l.id = ANY(%s))", excluded.ids)
        amounts = [
            SQL.identifier("l", "expected_revenue"),
            SQL.identifier("l", "probability"),
            SQL.identifier("l", "active"),
            SQL.identifier("s", "is_won"),
            new_excluded,
            self._sff_decimals_sql(SQL.identifier("l", "company_id")),
        ]
        self.env.cr.execute(
            SQL(
                """
            UPDATE crm_lead l
               SET is_stalled = TRUE, stalled_date = %(now)s,
                   -- the rule's own exclusion only: a deal already out of
                   -- the forecast (by a manager) stays out when it ends
                   stall_excluded = l.stall_excluded
                                    OR (l.id = ANY(%(excluded)s) AND NOT COALESCE(l.forecast_excluded, FALSE)),
                   forecast_excluded = %(new_excluded)s,
                   -- out of the forecast: Omitted, a salesperson's choice ends
                   forecast_category = CASE WHEN l.id = ANY(%(excluded)s) THEN %(category)s
                                            ELSE l.forecast_category END,
                   forecast_category_is_manual = l.forecast_category_is_manual
                                                 AND NOT l.id = ANY(%(excluded)s),
                   forecast_revenue = %(forecast)s, pipeline_amount = %(pipeline)s,
                   write_uid = %(uid)s, write_date = %(now)s
              FROM crm_lead d LEFT JOIN crm_stage s ON s.id = d.stage_id
             WHERE d.id = l.id AND l.id = ANY(%(ids)s)
            """,
                now=now,
                excluded=excluded.ids,
                new_excluded=new_excluded,
                uid=self.env.uid,
                forecast=engine_sql.weighted_revenue(*amounts),
                pipeline=engine_sql.pipeline_amount(*amounts),
                ids=self.ids,
                category=engine_sql.deal_forecast_category(
                    SQL("l.active"),
                    SQL("s.is_won"),
                    SQL("TRUE"),
                    SQL("NULL::varchar"),
                    SQL("s.forecast_category"),
                ),
            )
        )
        self.invalidate_recordset(
            [
                "is_stalled",
                "stalled_date",
                "stall_excluded",
                "forecast_excluded",
                "forecast_category",
                "forecast_category_is_manual",
                "forecast_revenue",
                "pipeline_amount",
                "write_uid",
                "write_date",
            ]
        )
        # the funnel rows carry the stalled flag
        self.env["crm.lead.stage.reach"].sudo()._sff_set_stalled(self.ids)

    def _sff_stall_move_back(self):
        """Move each deal back its stage's number of steps in its team's
        pipeline (never before the first stage), as one write per target
        stage: to a stage of the team's process, not to one of an earlier
        catalogue, which stays only while deals are in it. Returns (deals
        that could not move back, {deal id: (old stage, new stage)})."""
        Stage = self.env["crm.stage"]
        cannot_ids = []
        target_ids = defaultdict(list)
        pipelines, places = {}, {}
        for lead in self:
            team, stage = lead.team_id, lead.stage_id
            if team.id not in pipelines:
                pipeline = (
                    Stage.search(Stage._sff_pipeline_domain(team.id))
                    .filtered(lambda stage: not stage.is_won)
                    ._sff_sorted()
                )
                # the stages deals go back to: the team's process
                process = (
                    Stage.search(team._sff_process_domain())
                    if team.stage_catalogue_id
                    else pipeline
                )
                pipelines[team.id] = (pipeline, process)
            if (team.id, stage) not in places:
                pipeline, process = pipelines[team.id]
                # the deal's stage among them (a stage of an earlier
                # catalogue too), or None outside the pipeline
                stages = pipeline & (process | stage)
                places[team.id, stage] = (
                    stages,
                    stages.ids.index(stage.id) if stage in stages else None,
                )
            stages, position = places[team.id, stage]
            if position is not None:
                position = engine.move_back_position(position, stage.stall_move_back_steps)
            if position is None:
                cannot_ids.append(lead.id)
                continue
            target_ids[stages[position]].append(lead.id)
        cannot = self.browse(cannot_ids)
        targets = {stage: self.browse(ids) for stage, ids in target_ids.items()}
        moves = {}
        for stage, leads in targets.items():
            for lead in leads:
                moves[lead.id] = (lead.stage_id, stage)
            # the salesperson and team stay as they are: only the stage
            # moves; the stage change goes in the job's note, written for
            # the whole batch at once (_sff_log_notes)
            leads.with_context(stage_history_reason="stall", mail_notrack=True).write(
                {"stage_id": stage.id}
            )
        return cannot, moves

    def _sff_stall_lose(self):
        """Close the deals as lost with their stage's lost reason; returns
        {deal id: reason}."""
        reasons = {}
        for reason, leads in self.grouped(lambda lead: lead.stage_id.stall_lost_reason_id).items():
            reasons.update(dict.fromkeys(leads.ids, reason))
            leads.action_set_lost(lost_reason_id=reason.id)
        return reasons

    def _sff_stall_log(self, done, ages, limits, stage_moves=None):
        """One chatter note per deal: how long it stayed in the stage it
        stalled in and that stage's limit, what the rule did (``done``: by
        deal, ("flagged",), ("unmovable",), ("excluded",), ("moved", old
        stage, new stage) or ("lost", reason)), and the activity planned on
        it, if any. Each note is in the language of who works the deal, its
        salesperson, else the team's leader: the scheduler runs the job in
        no one's."""
        if not self:
            return
        planned = {}
        for activity in (
            self.env["mail.activity"]
            .sudo()
            .search(
                [("res_model", "=", "crm.lead"), ("res_id", "in", self.ids)],
                order="date_deadline",
            )
        ):
            planned.setdefault(activity.res_id, activity)
        bodies = {}
        # the texts translated once per language of the batch, filled per deal
        texts_by_lang = {}
        for lead in self:
            lang = lead.user_id.lang or lead.team_id.user_id.lang or self.env.lang
            if lang not in texts_by_lang:
                texts_by_lang[lang] = self._sff_stall_texts(lang)
            env, texts = texts_by_lang[lang]
            days, limit = int(ages.get(lead.id, 0)), limits.get(lead.id)
            text = (
                texts["one_day"]
                if days == 1 and limit == 1
                else texts["stalled"]
                % {
                    # in the reader's notation, as the module's other counts
                    "days": count_text(env, days),
                    "limit": count_text(env, limit) if limit else "-",
                }
            )
            kind, *facts = done.get(lead.id, ("flagged",))
            if kind == "moved":
                what = texts[kind] % {
                    "old": facts[0].with_env(env).name,
                    "new": facts[1].with_env(env).name,
                }
            elif kind == "lost":
                what = texts[kind] % {"reason": facts[0].with_env(env).name or "-"}
            else:
                what = texts[kind]
            body = Markup("<p>%s %s</p>") % (text, what)
            activity = planned.get(lead.id)
            if activity:
                body += Markup("<p>%s</p>") % (
                    texts["planned"]
                    % {
                        "summary": activity.summary or activity.activity_type_id.with_env(env).name,
                        "date": format_date(env, activity.date_deadline),
                    }
                )
            bodies[lead.id] = body
        self._sff_log_notes(bodies, stage_moves)

    def _sff_stall_texts(self, lang):
        """The stall notes' texts in the language ``lang``, and the
        environment that reads names in it."""
        env = self.with_context(lang=lang).env
        return env, {
            "stalled": env._(
                "Stalled: %(days)s days without moving on (the stage allows %(limit)s)."
            ),
            # one day: a deal stalled in a stage that allows 1 day, the next day
            "one_day": env._("Stalled: 1 day without moving on (the stage allows 1)."),
            "flagged": env._("Flagged as stalled."),
            "excluded": env._("Flagged as stalled and taken out of the forecast."),
            "unmovable": env._("No earlier stage to move it back to: flagged instead."),
            "moved": env._("Moved back from %(old)s to %(new)s."),
            "lost": env._("Closed as lost: %(reason)s."),
            "planned": env._("An activity is planned: %(summary)s, due %(date)s."),
        }

    def _sff_log_notes(self, bodies, stage_moves=None):
        """The batch's chatter notes in one INSERT, with the values Odoo's
        ``_message_log_batch`` gives a note (author, reply-to, message id,
        internal note subtype). The ORM's message create costs about a
        millisecond per note, which on the first run over a large pipeline is
        most of the job's time. The bodies are built here from escaped
        strings (Markup), so there is nothing to sanitize. ``stage_moves``
        maps deals moved back (written without Odoo's per-deal tracking) to
        their (old stage, new stage): their note carries the stage change as
        Odoo's tracking would, which Odoo's stage durations read."""
        if not bodies:
            return
        author_id, email_from = self._message_compute_author(raise_on_email=False)
        leads = self.browse(list(bodies))
        reply_to = leads._notify_get_reply_to(default=email_from)
        res_ids = list(bodies)
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, is_internal,
                                      author_id, email_from, reply_to, message_id, date,
                                      create_uid, write_uid, create_date, write_date)
            SELECT %(model)s, note.res_id, note.body, 'notification', %(subtype)s, TRUE,
                   %(author)s, %(email_from)s, note.reply_to, note.message_id, %(now)s,
                   %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM unnest(%(res_ids)s::int[], %(bodies)s::text[], %(reply_to)s::varchar[],
                          %(message_ids)s::varchar[]) AS note(res_id, body, reply_to, message_id)
         RETURNING id, res_id
            """,
                model=self._name,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author_id or None,
                email_from=email_from or None,
                now=self.env.cr.now(),
                uid=self.env.uid,
                res_ids=res_ids,
                bodies=[str(bodies[res_id]) for res_id in res_ids],
                reply_to=[reply_to.get(res_id) or None for res_id in res_ids],
                message_ids=[generate_tracking_message_id("message-notify") for _res_id in res_ids],
            )
        )
        messages = dict((res_id, message_id) for message_id, res_id in self.env.cr.fetchall())
        moves = [
            (messages[lead_id], old, new)
            for lead_id, (old, new) in (stage_moves or {}).items()
            if lead_id in messages
        ]
        if moves:
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO mail_tracking_value (field_id, mail_message_id, old_value_integer,
                                                 new_value_integer, old_value_char, new_value_char,
                                                 create_uid, write_uid, create_date, write_date)
                SELECT %(field)s, move.message_id, move.old_id, move.new_id, move.old_name,
                       move.new_name, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(message_ids)s::int[], %(old_ids)s::int[], %(new_ids)s::int[],
                              %(old_names)s::varchar[], %(new_names)s::varchar[])
                       AS move(message_id, old_id, new_id, old_name, new_name)
                """,
                    field=self.env["ir.model.fields"]._get(self._name, "stage_id").id,
                    uid=self.env.uid,
                    now=self.env.cr.now(),
                    message_ids=[move[0] for move in moves],
                    old_ids=[move[1].id for move in moves],
                    new_ids=[move[2].id for move in moves],
                    old_names=[move[1].display_name for move in moves],
                    new_names=[move[2].display_name for move in moves],
                )
            )
            self.env["mail.tracking.value"].invalidate_model()
        self.env["mail.message"].invalidate_model()
        leads.invalidate_recordset(["message_ids"])

    def _sff_stall_activity(self):
        """An activity for the salesperson to decide: move the deal on, have
        it kept open, or close it. Inserted in one statement for the batch
        (the ORM's activity create costs most of a millisecond each); the
        salesperson follows the deal as with any activity assigned to them,
        and sees it in their activity list, without a mail for each."""
        activity_type = self._sff_stall_type()
        # one to-do at a time: a deal that stalls again before its to-do is
        # done keeps the one it has
        has_one = set(
            self.env["mail.activity"].sudo().search(self._sff_stall_todo_domain()).mapped("res_id")
        )
        pending = self.filtered(lambda lead: lead.id not in has_one)
        readable = {}

        def may_open(user, lead):
            # the deals a person may open, read once per person for the batch
            if user not in readable:
                theirs = pending.filtered(lambda deal: user in (deal.user_id, deal.team_id.user_id))
                readable[user] = set(theirs.with_user(user)._filtered_access("read").ids)
            return lead.id in readable[user]

        ids_per_user = defaultdict(list)
        for lead in pending:
            # its salesperson, or the team's leader for a salesperson gone or
            # who may not open the deal (another company's, no sales rights)
            user = next(
                (
                    user
                    for user in (lead.user_id, lead.team_id.user_id)
                    if user.active and may_open(user, lead)
                ),
                None,
            )
            if user:
                ids_per_user[user].append(lead.id)
        if not ids_per_user:
            return
        per_user = {user: self.browse(ids) for user, ids in ids_per_user.items()}
        # the to-do in each salesperson's language, due on their today
        summaries = {user: self._sff_stall_todo_summary(user.lang) for user in per_user}
        todays = {
            user: fields.Date.context_today(self.with_context(tz=user.tz or "UTC"))
            for user in per_user
        }
        rows = [
            (lead.id, lead.display_name, user.id, summaries[user], todays[user])
            for user, leads in per_user.items()
            for lead in leads
        ]
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, activity_type_id,
                                       summary, date_deadline, user_id, automated, active,
                                       create_uid, write_uid, create_date, write_date)
            SELECT %(model_id)s, %(model)s, todo.res_id, todo.res_name, %(type_id)s,
                   todo.summary, todo.deadline, todo.user_id, TRUE, TRUE,
                   %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM unnest(%(res_ids)s::int[], %(names)s::varchar[], %(user_ids)s::int[],
                          %(summaries)s::varchar[], %(deadlines)s::date[])
                   AS todo(res_id, res_name, user_id, summary, deadline)
            """,
                model_id=self.env["ir.model"]._get_id(self._name),
                model=self._name,
                type_id=activity_type.id,
                uid=self.env.uid,
                now=self.env.cr.now(),
                res_ids=[row[0] for row in rows],
                names=[row[1] for row in rows],
                user_ids=[row[2] for row in rows],
                summaries=[row[3] for row in rows],
                deadlines=[row[4] for row in rows],
            )
        )
        self.env["mail.activity"].invalidate_model()
        self.invalidate_recordset(["activity_ids"])
        self._sff_add_followers({user.sudo().partner_id: leads for user, leads in per_user.items()})
        for user in per_user:
            user._bus_send("mail.activity/updated", {"activity_created": True})

    def _sff_add_followers(self, per_partner):
        """Partners follow deals, as Odoo subscribes the person an activity
        is assigned to: with the model's default subtypes (external ones for
        portal and customer partners), existing followers left as they are.
        One statement for the batch."""
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        rows = [
            (lead.id, partner.id)
            for partner, leads in per_partner.items()
            if partner
            for lead in leads
        ]
        if not rows:
            return
        shared = set(
            self.env["res.partner"]
            .sudo()
            .browse([partner.id for partner in per_partner if partner])
            .filtered("partner_share")
            .ids
        )
        self.env.cr.execute(
            SQL(
                """
            WITH added AS (
                INSERT INTO mail_followers (res_model, res_id, partner_id)
                SELECT %(model)s, follow.res_id, follow.partner_id
                  FROM unnest(%(res_ids)s::int[], %(partner_ids)s::int[]) AS follow(res_id, partner_id)
                    ON CONFLICT (res_model, res_id, partner_id) DO NOTHING
             RETURNING id, partner_id
            )
            INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
            SELECT added.id, subtype.id
              FROM added
              JOIN unnest(%(subtype_ids)s::int[], %(shared)s::bool[]) AS subtype(id, shared)
                ON subtype.shared = (added.partner_id = ANY(%(shared_partners)s::int[]))
            """,
                model=self._name,
                res_ids=[row[0] for row in rows],
                partner_ids=[row[1] for row in rows],
                subtype_ids=default.ids + external.ids,
                shared=[False] * len(default) + [True] * len(external),
                shared_partners=list(shared),
            )
        )
        self.env["mail.followers"].invalidate_model()
        self.invalidate_recordset(["message_follower_ids", "message_partner_ids"])
