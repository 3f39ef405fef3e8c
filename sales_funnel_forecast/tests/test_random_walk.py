# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A seeded random walk over the deals' paths: a dozen deals of two teams
and two salespeople (and a second company's team), moved, won, lost,
restored, archived, re-priced, re-dated, handed over, converted from
leads, merged and deleted as users do, imported from files (new deals in a
stage, existing ones moved, won, lost or restored), billed and credited
(invoices posted, reset to draft, cancelled), their teams given a stage
catalogue and their stages made won or open again, the clock moving on
between steps and the module's jobs running meanwhile. After every step,
every structure the module keeps beside the deals must hold
(``StructuresMixin.broken``: stays, funnel rows, monthly totals, forecast
versions), each deal's weighted forecast and category must follow its
state, quota attainment and the deals' invoiced amounts must be the
posted invoices less the posted credit notes, the pipeline now must be the
deals as they stand; every few steps, the pipeline at each
past moment must be the deals as they stood then, and the Deal Flow
between two days must add up, both its ends being those pipelines. A
failure names the seed, the step and the steps taken, to replay it."""

import csv
import io
import random
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .. import engine
from ..const import TZ_PARAM
from ..tools.days import day_start
from .common import FunnelCase, apply_catalogue

# how often each kind of step comes, as users and jobs take them
STEP_WEIGHTS = {
    "forward": 14,
    "back": 6,
    "skip": 4,
    "several": 4,
    "won": 4,
    "lost": 4,
    "restore": 4,
    "archive": 2,
    "unarchive": 2,
    "amount": 8,
    "later": 5,
    "earlier": 4,
    "probability": 4,
    "category": 4,
    "excluded": 2,
    "salesperson": 4,
    "team": 3,
    "company": 2,
    "create": 2,
    "convert": 3,
    "merge": 2,
    "delete": 1,
    "stall": 3,
    "crons": 2,
    "reorder": 2,
    "to_lead": 1,
    "lost_edit": 2,
    "several_won": 1,
    "several_lost": 1,
    "mass_convert": 2,
    "merge_wizard": 1,
    "undated": 1,
    "time_zone": 1,
    "stage_archive": 2,
    "duplicate": 1,
    "import_new": 2,
    "import_update": 3,
    "invoice": 3,
    "credit_note": 1,
    "invoice_draft": 1,
    "invoice_cancel": 1,
    "catalogue": 1,
    "won_flag": 1,
}
# the steps a salesperson takes too (deleting, merging, taking a deal out of
# the forecast are the managers')
REP_STEPS = {
    "forward",
    "back",
    "skip",
    "several",
    "won",
    "lost",
    "restore",
    "archive",
    "unarchive",
    "amount",
    "later",
    "earlier",
    "probability",
    "category",
    "team",
    "undated",
    "lost_edit",
    "several_won",
    "several_lost",
}
# the steps of the administrator: the jobs, the settings, the accountant's
ADMIN_STEPS = {
    "stall",
    "crons",
    "time_zone",
    "reorder",
    "create",
    "mass_convert",
    "invoice",
    "credit_note",
    "invoice_draft",
    "invoice_cancel",
}
CATALOGUES = [
    "sales_funnel_forecast.catalogue_simple",
    "sales_funnel_forecast.catalogue_active_sales",
    "sales_funnel_forecast.catalogue_project_sales",
]
TIME_ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Europe/Paris"]
CHECK_PAST_EVERY = 10


@tagged("post_install", "-at_install")
class TestRandomWalk(FunnelCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_b = cls.env["crm.team"].create({"name": "Walk Team B"})
        cls.stages_b = apply_catalogue(cls.env, cls.team_b)._sff_sorted()
        cls.eur, cls.eur_co, cls.eur_team, cls.eur_stage = cls.currency_team(cls, "EUR")
        for user in cls.rep | cls.other_rep | cls.manager:
            user.company_ids |= cls.eur_co
        cls.reason = cls.env["crm.lost.reason"].create({"name": "Walk: too dear"})
        # stall rules the job applies: flag, take out of the forecast, move
        # back, close as lost
        cls.s_new.write({"stall_days": 4, "stall_action": "flag"})
        cls.s_qualified.write({"stall_days": 6, "stall_action": "exclude"})
        cls.s_proposal.write(
            {"stall_days": 5, "stall_action": "move_back", "stall_move_back_steps": 1}
        )
        open_b = cls.stages_b.filtered(lambda stage: not stage.is_won)
        open_b[-1:].write(
            {"stall_days": 8, "stall_action": "lose", "stall_lost_reason_id": cls.reason.id}
        )
        # the first invoice posted moves a deal on to Proposal
        cls.s_proposal.document_trigger = "invoice"

    # ------------------------------------------------------------------
    # the walk
    # ------------------------------------------------------------------
    def setUp(self):
        super().setUp()
        self.moment = self.t0
        today = fields.Date.context_today
        self.patch(
            fields.Date,
            "context_today",
            staticmethod(lambda record, timestamp=None: today(record, timestamp or self.moment)),
        )
        self.patch(fields.Date, "today", staticmethod(lambda *args: self.moment.date()))

    def tick(self):
        if self.rng.random() < 0.1:
            # two saves a few seconds apart
            self.moment += timedelta(seconds=self.rng.randint(1, 59))
        else:
            self.moment += timedelta(minutes=self.rng.randint(20, 36 * 60))
        self.set_now(self.moment)

    def deals(self):
        """The walk's records still there: opportunities and leads, lost
        ones included."""
        return self.env["crm.lead"].with_context(active_test=False).browse(self.ids).exists()

    def pick(self, records, count=1):
        records = records.sorted("id")
        if len(records) < count:
            return records.browse()
        return records.browse(sorted(self.rng.sample(records.ids, count)))

    def team_stages(self, team):
        Stage = self.env["crm.stage"]
        return Stage.search([("team_id", "in", [team.id, False])])._sff_sorted()

    def new_deal(self, name, team=None, lead=False):
        team = team or self.rng.choice([self.team, self.team_b])
        values = {
            "name": name,
            "type": "lead" if lead else "opportunity",
            "team_id": team.id,
            "user_id": self.rng.choice([self.rep, self.other_rep]).id,
            "expected_revenue": self.rng.randrange(100, 5000, 50),
            "date_deadline": self.moment.date() + timedelta(days=self.rng.randint(5, 60)),
            "email_from": f"buyer{self.rng.randint(1, 6)}@walk.example",
        }
        if not lead:
            stages = self.team_stages(team).filtered(lambda stage: stage.team_id == team)
            values["stage_id"] = stages.filtered(lambda stage: not stage.is_won)[:1].id
        deal = self.env["crm.lead"].create(values)
        self.ids.append(deal.id)
        return deal

    def actor_env(self, kind):
        """Who takes the step: the sales manager, or at times a salesperson
        (on the deals they may write: their own and nobody's); the jobs and
        the settings as the administrator."""
        if kind in ADMIN_STEPS:
            self.actor = "admin"
            return self.env
        user = self.manager
        if kind in REP_STEPS:
            user = self.rng.choice([self.manager, self.rep, self.other_rep])
        self.actor = user.login
        companies = [self.company.id, self.eur_co.id]
        return self.env(user=user, context=dict(self.env.context, allowed_company_ids=companies))

    def step(self, kind):
        """One step of ``kind``; returns what it did (for the log), or None
        when nothing fits it now."""
        rng = self.rng
        env = self.actor_env(kind)
        deals = self.deals()
        if not env.user.has_group("sales_team.group_sale_salesman_all_leads"):
            deals = deals.filtered(lambda deal: deal.user_id in (env.user, deals.user_id[:0]))
        deals = deals.with_env(env)
        opportunities = deals.filtered(lambda deal: deal.type == "opportunity")
        active = opportunities.filtered("active")
        open_ = active.filtered(lambda deal: not deal.stage_id.is_won)
        lost = opportunities - active
        if kind in ("forward", "back", "skip"):
            deal = self.pick(active)
            if not deal:
                return None
            stages = self.team_stages(deal.team_id)
            place = list(stages).index(deal.stage_id) if deal.stage_id in stages else 0
            place += {"forward": 1, "back": -1, "skip": 2}[kind]
            if not 0 <= place < len(stages) or stages[place] == deal.stage_id:
                return None
            deal.write({"stage_id": stages[place].id})
            return f"{kind} {deal.id} to {stages[place].name}"
        if kind == "several":
            team = rng.choice([self.team, self.team_b])
            group = self.pick(active.filtered(lambda deal: deal.team_id == team), 2)
            if not group:
                return None
            stage = rng.choice(self.team_stages(team))
            group.write({"stage_id": stage.id})
            return f"several {group.ids} to {stage.name}"
        # a deal picked and one of its actions: won, lost, restore, archive,
        # unarchive
        actions = {
            "won": (open_ | lost, lambda deal: deal.action_set_won()),
            "lost": (active, lambda deal: deal.action_set_lost(lost_reason_id=self.reason.id)),
            "restore": (lost, lambda deal: deal.toggle_active()),
            "archive": (active, lambda deal: deal.action_archive()),
            "unarchive": (lost, lambda deal: deal.action_unarchive()),
        }
        if kind in actions:
            pool, action = actions[kind]
            deal = self.pick(pool)
            if not deal:
                return None
            action(deal)
            return f"{kind} {deal.id}"
        if kind == "amount":
            deal = self.pick(opportunities)
            if not deal:
                return None
            amount = rng.randrange(0, 8000, 25)
            deal.write({"expected_revenue": amount})
            return f"amount {deal.id} {amount}"
        if kind in ("later", "earlier"):
            deal = self.pick(active)
            if not deal:
                return None
            days = rng.randint(1, 40) * (1 if kind == "later" else -1)
            day = (deal.date_deadline or self.moment.date()) + timedelta(days=days)
            deal.write({"date_deadline": day})
            return f"{kind} {deal.id} {day}"
        if kind == "probability":
            deal = self.pick(open_)
            if not deal:
                return None
            value = rng.randint(1, 99)
            deal.write({"probability": value})
            return f"probability {deal.id} {value}"
        if kind == "category":
            # a deal out of the forecast is Omitted, which no one changes
            deal = self.pick(open_.filtered(lambda deal: not deal.forecast_excluded))
            if not deal:
                return None
            value = rng.choice(["pipeline", "best_case", "commit"])
            deal.write({"forecast_category": value})
            return f"category {deal.id} {value}"
        if kind == "excluded":
            deal = self.pick(open_)
            if not deal:
                return None
            deal.write({"forecast_excluded": not deal.forecast_excluded})
            return f"excluded {deal.id} {deal.forecast_excluded}"
        if kind == "salesperson":
            deal = self.pick(opportunities)
            if not deal:
                return None
            user = rng.choice([self.rep, self.other_rep, self.env["res.users"]])
            deal.write({"user_id": user.id})
            return f"salesperson {deal.id} {user.login}"
        if kind == "team":
            deal = self.pick(active.filtered(lambda deal: deal.company_id != self.eur_co))
            if not deal:
                return None
            team = self.team_b if deal.team_id == self.team else self.team
            deal.write({"team_id": team.id})
            return f"team {deal.id} {team.name}"
        if kind == "company":
            # a deal billed stays in its company (the module refuses the move)
            deal = self.pick(active - self.billed())
            if not deal:
                return None
            if deal.company_id == self.eur_co:
                team = rng.choice([self.team, self.team_b])
                stage = self.team_stages(team).filtered(lambda stage: stage.team_id == team)[:1]
                company = self.company
            else:
                team, stage, company = self.eur_team, self.eur_stage, self.eur_co
            deal.write({"team_id": team.id, "company_id": company.id, "stage_id": stage.id})
            return f"company {deal.id} {company.name}"
        if kind == "create":
            deal = self.new_deal(f"Walk created {len(self.ids)}")
            return f"create {deal.id}"
        if kind == "convert":
            leads = deals.filtered(lambda deal: deal.type == "lead" and deal.active)
            if not leads:
                self.new_deal(f"Walk lead {len(self.ids)}", lead=True)
                return f"lead {self.ids[-1]}"
            lead = self.pick(leads)
            team = rng.choice([self.team, self.team_b])
            deals.env["crm.lead2opportunity.partner"].with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            ).create(
                {
                    "name": "convert",
                    "action": "nothing",
                    "user_id": self.rep.id,
                    "team_id": team.id,
                    "lead_id": lead.id,
                }
            ).action_apply()
            return f"convert {lead.id} into {team.name}"
        if kind == "merge":
            pair = self.pick(opportunities, 2)
            if not pair or self.across_companies(pair):
                return None
            kept = pair._merge_opportunity(auto_unlink=True)
            return f"merge {pair.ids} into {kept.id}"
        if kind == "delete":
            deal = self.pick(deals)
            if not deal:
                return None
            deal.unlink()
            return f"delete {deal.id}"
        if kind == "stall":
            self.run_job()
            return "stall job"
        if kind == "crons":
            Lead = self.env["crm.lead"]
            Lead._cron_refresh_prorated_revenue()
            Lead._cron_refresh_overdue_amounts()
            Lead._cron_update_automated_probabilities()
            self.env["crm.stage"]._cron_refresh_history_win_rates()
            self.env["crm.lead.stage.reach"]._cron_rebuild_pending()
            self.env["crm.funnel.summary"]._cron_compact()
            self.env["crm.funnel.summary"]._cron_rebuild()
            return "nightly jobs"
        if kind == "reorder":
            # a manager drags a kanban column: two stages swap places
            team = rng.choice([self.team, self.team_b])
            pair = self.pick(self.team_stages(team).filtered(lambda stage: stage.team_id), 2)
            first, second = pair
            first_sequence, second_sequence = first.sequence, second.sequence
            if first_sequence == second_sequence:
                second_sequence += 1
            first.sequence, second.sequence = second_sequence, first_sequence
            return f"reorder {first.name} {second_sequence}, {second.name} {first_sequence}"
        if kind == "to_lead":
            deal = self.pick(open_)
            if not deal:
                return None
            deal.write({"type": "lead"})
            return f"to lead {deal.id}"
        if kind == "lost_edit":
            # the list of lost deals, edited
            deal = self.pick(lost)
            if not deal:
                return None
            if rng.random() < 0.5:
                stage = rng.choice(self.team_stages(deal.team_id))
                deal.write({"stage_id": stage.id})
                return f"lost deal {deal.id} to {stage.name}"
            team = self.team_b if deal.team_id == self.team else self.team
            deal.write({"team_id": team.id})
            return f"lost deal {deal.id} to {team.name}"
        if kind in ("several_won", "several_lost"):
            group = self.pick(active if kind == "several_lost" else open_, 2)
            if not group:
                return None
            if kind == "several_won":
                group.action_set_won()
            else:
                group.action_set_lost(lost_reason_id=self.reason.id)
            return f"{kind} {group.ids}"
        if kind == "mass_convert":
            # a lead written from a deal's address, converted with its
            # duplicates merged
            deal = self.pick(open_)
            if not deal:
                return None
            same = self.deals().filtered(lambda other: other.email_from == deal.email_from)
            if self.across_companies(same):
                return None
            lead = self.new_deal(f"Walk duplicate {len(self.ids)}", deal.team_id, lead=True)
            address = lead.email_from = deal.email_from
            lead_id = lead.id
            self.mass_convert(lead, rng.choice([self.team, self.team_b]))
            return f"mass convert {lead_id} (as {address})"
        if kind == "merge_wizard":
            # the list's deals (its many2many reads no lost deal)
            group = self.pick(active, 2)
            if not group or self.across_companies(group):
                return None
            team = rng.choice([self.team, self.team_b])
            deals.env["crm.merge.opportunity"].with_context(
                active_model="crm.lead", active_ids=group.ids
            ).create(
                {
                    "opportunity_ids": [(6, 0, group.ids)],
                    "user_id": self.other_rep.id,
                    "team_id": team.id,
                }
            ).action_merge()
            return f"merge wizard {group.ids} into {team.name}"
        if kind == "undated":
            deal = self.pick(active)
            if not deal:
                return None
            deal.write({"date_deadline": False})
            return f"no closing date {deal.id}"
        if kind == "stage_archive":
            # a manager archives a stage that no open or won deal is in (its
            # lost deals restored later come back to the nearest stage), or
            # restores an archived one
            Stage = self.env["crm.stage"].with_context(active_test=False)
            stages = Stage.search([("team_id", "in", [self.team.id, self.team_b.id])])
            archived = stages.filtered(lambda stage: not stage.active)
            if archived and rng.random() < 0.5:
                stage = self.pick(archived)
                stage.active = True
                return f"stage {stage.name} restored"
            held = active.stage_id
            stage = self.pick((stages - archived - held).filtered(lambda stage: not stage.is_won))
            if not stage:
                return None
            stage.active = False
            return f"stage {stage.name} archived"
        if kind == "duplicate":
            deal = self.pick(opportunities)
            if not deal:
                return None
            copy = deal.copy()
            self.ids.append(copy.id)
            return f"duplicate {deal.id} as {copy.id}"
        if kind == "import_new":
            # an integrator's file of new deals, each in a stage of its team
            # (by name or by database id)
            team = rng.choice([self.team, self.team_b])
            stages = self.team_stages(team)
            by_name = rng.random() < 0.5
            rows = [
                [
                    f"Walk imported {len(self.ids) + index}",
                    "opportunity",
                    str(team.id),
                    stage.name if by_name else str(stage.id),
                    str(rng.randrange(100, 5000, 50)),
                    str(self.moment.date() + timedelta(days=rng.randint(5, 60))),
                    str(rng.choice([self.rep, self.other_rep]).id),
                ]
                for index, stage in enumerate(
                    rng.choice(stages) for _index in range(rng.randint(1, 2))
                )
            ]
            columns = ["name", "type", "team_id/.id", "stage_id" if by_name else "stage_id/.id"]
            columns += ["expected_revenue", "date_deadline", "user_id/.id"]
            ids = self.import_rows(env, columns, rows, rng.random() < 0.5)
            self.ids.extend(ids)
            self.assertInPipeline(self.env["crm.lead"].browse(ids))
            return f"import new {ids} {[row[3] for row in rows]} into {team.name}"
        if kind == "import_update":
            # a file of existing deals (lost ones too) imported back: a new
            # stage (the won one wins them), amount or closing date
            # the Import screen finds no archived deal by its id (Odoo's
            # search): its files are of the pipeline's deals
            screen = rng.random() < 0.5
            pool = active if screen else opportunities
            group = self.pick(pool, rng.randint(1, min(3, len(pool) or 1)))
            if not group:
                return None
            by_name = rng.random() < 0.5
            columns = [".id"]
            changes = ["stage", "expected_revenue", "date_deadline", "active"]
            changes = rng.sample(changes, rng.randint(1, 3))
            for change in changes:
                if change == "stage":
                    columns.append("stage_id" if by_name else "stage_id/.id")
                elif change == "active":
                    # lost (with a reason) or restored
                    columns += ["active", "lost_reason_id/.id"]
                else:
                    columns.append(change)
            rows = []
            for deal in group:
                row = [str(deal.id)]
                for change in changes:
                    if change == "stage":
                        stage = rng.choice(self.team_stages(deal.team_id))
                        row.append(stage.name if by_name else str(stage.id))
                    elif change == "active":
                        lose = rng.random() < 0.5
                        row += ["False", str(self.reason.id)] if lose else ["True", ""]
                    elif change == "expected_revenue":
                        row.append(str(rng.randrange(0, 8000, 25)))
                    else:
                        day = self.moment.date() + timedelta(days=rng.randint(-20, 60))
                        row.append(str(day))
                rows.append(row)
            self.import_rows(env, columns, rows, screen)
            if "stage" in changes:
                self.assertInPipeline(group.filtered("active"))
            return f"import {columns[1:]} {rows}"
        if kind == "invoice":
            # an accountant bills a deal of the first company (open, won or
            # lost), or credits it
            deal = self.pick(opportunities.filtered(lambda deal: deal.company_id == self.company))
            if not deal:
                return None
            move_type = "out_refund" if rng.random() < 0.25 else "out_invoice"
            amount = rng.randrange(50, 3000, 50)
            move = self.post_invoice(deal, amount, self.company, self.moment.date(), move_type)
            self.moves[move.id] = amount
            return f"{move_type} {move.id} of {amount} on {deal.id}"
        posted = (
            self.env["account.move"]
            .browse(list(self.moves))
            .filtered(lambda move: move.state == "posted")
        )
        if kind == "credit_note":
            # Reverse on a posted invoice: a credit note of its amount, for
            # its deal, posted (or the invoice cancelled by it)
            move = self.pick(posted.filtered(lambda move: move.move_type == "out_invoice"))
            if not move:
                return None
            cancel = rng.random() < 0.3
            refund = move._reverse_moves([{"invoice_date": self.moment.date()}], cancel=cancel)
            if refund.state == "draft":
                refund.action_post()
            self.moves[refund.id] = self.moves[move.id]
            return f"credit note {refund.id} of {move.id}{' (cancel)' if cancel else ''}"
        if kind == "invoice_draft":
            # reset to draft; at times a new amount and posted again
            move = self.pick(posted.filtered(lambda move: not move.reversal_move_ids))
            if not move:
                return None
            move.button_draft()
            if rng.random() < 0.5:
                return f"reset to draft {move.id}"
            amount = rng.randrange(50, 3000, 50)
            move.invoice_line_ids[:1].price_unit = amount
            move.action_post()
            self.moves[move.id] = amount
            return f"reset to draft {move.id}, posted again at {amount}"
        if kind == "invoice_cancel":
            moves = self.env["account.move"].browse(list(self.moves))
            move = self.pick(moves.filtered(lambda move: move.state != "cancel"))
            if not move or move.reversal_move_ids:
                return None
            if move.state == "posted":
                move.button_draft()
            move.button_cancel()
            return f"cancel {move.id}"
        if kind == "catalogue":
            # a manager applies a stage catalogue to a team mid-walk
            team = rng.choice([self.team, self.team_b])
            xmlid = rng.choice(CATALOGUES)
            apply_catalogue(self.env, team, self.manager, xmlid)
            return f"catalogue {xmlid.split('.')[1]} applied to {team.name}"
        if kind == "won_flag":
            # a manager makes a team's stage won, or won no more (while the
            # team keeps another won stage)
            team = rng.choice([self.team, self.team_b])
            stages = self.env["crm.stage"].search([("team_id", "=", team.id)])
            won = stages.filtered("is_won")
            stage = self.pick(stages if len(won) > 1 else stages - won)
            if not stage:
                return None
            made_won = not stage.is_won
            stage.with_env(env).is_won = made_won
            # its open deals closed now (at 100 %), its won deals open again
            # without a closing date
            self.env.invalidate_all()
            held = self.deals().filtered(
                lambda deal: deal.stage_id == stage and deal.active and deal.type == "opportunity"
            )
            self.assertEqual(
                {deal.id: (deal.date_closed, made_won and deal.probability) for deal in held},
                {deal.id: (self.moment if made_won else False, made_won and 100) for deal in held},
                f"the deals of {stage.name}",
            )
            return f"{stage.name} of {team.name} {'won' if made_won else 'won no more'}"
        if kind == "time_zone":
            tz = rng.choice(TIME_ZONES)
            self.set_time_zone(tz)
            return f"time zone {tz}"
        raise AssertionError(kind)

    def assertInPipeline(self, deals):
        """Deals of a team with a stage catalogue given a stage (by a file):
        their stage is one of their team's (a stage named, or another
        team's, is the team's own of that step or nearest)."""
        self.env.invalidate_all()
        for deal in deals.filtered("team_id.stage_catalogue_id"):
            self.assertEqual(
                deal.stage_id.team_id, deal.team_id, f"{deal.name} in {deal.stage_id.name}"
            )

    def billed(self, cancelled=False):
        """The deals the walk's invoices and credit notes name (cancelled
        ones too if ``cancelled``)."""
        moves = self.env["account.move"].browse(list(self.moves))
        if not cancelled:
            moves = moves.filtered(lambda move: move.state != "cancel")
        return moves.opportunity_id

    def across_companies(self, deals):
        """Deals, one of them billed, and one of another company than the
        invoices' (the walk's are the first company's): the module refuses
        to merge them (the invoices, cancelled ones too, name a deal of
        their company or of none)."""
        return bool(deals & self.billed(cancelled=True)) and bool(deals.company_id - self.company)

    def import_rows(self, env, columns, rows, screen):
        """``rows`` of a file of deals loaded as a script loads them (lost
        deals found too), or imported as a file from the Import ``screen``; a
        stage name several stages bear is Odoo's warning only. The ids of
        its deals."""
        env.flush_all()
        if not screen:
            result = (
                env["crm.lead"]
                .with_context(active_test=False, import_file=True)
                .load(columns, rows)
            )
        else:
            # the Import screen: the file as written, its columns mapped
            content = io.StringIO()
            csv.writer(content).writerows([columns, *rows])
            result = (
                env["base_import.import"]
                .create(
                    {
                        "res_model": "crm.lead",
                        "file": content.getvalue().encode(),
                        "file_type": "text/csv",
                    }
                )
                .execute_import(
                    columns,
                    columns,
                    {
                        "has_headers": True,
                        "quoting": '"',
                        "separator": ",",
                        "date_format": "%Y-%m-%d",
                        "float_decimal_separator": ".",
                        "float_thousand_separator": ",",
                    },
                )
            )
        errors = [message for message in result["messages"] if message["type"] == "error"]
        self.assertFalse(errors, f"import {columns} {rows}")
        self.assertEqual(len(result["ids"]), len(rows), f"import {columns} {rows}")
        return result["ids"]

    def set_time_zone(self, tz):
        """The funnel totals' time zone set, and the totals worked out
        again in it by their job."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, tz)
        self.env["crm.funnel.summary"]._cron_rebuild()

    # ------------------------------------------------------------------
    # what must hold
    # ------------------------------------------------------------------
    def standing(self):
        """The walk's open opportunities as they stand, as
        ``sff_pipeline_at`` gives them."""
        self.env.invalidate_all()
        return {
            deal.id: (
                deal.stage_id.id,
                round(deal.expected_revenue, 2),
                round(deal.probability, 2),
                deal.date_deadline or None,
                deal.forecast_category,
                deal.forecast_excluded,
                deal.user_id.id or None,
                deal.team_id.id or None,
                deal.company_id.id or None,
            )
            for deal in self.deals()
            if deal.active
            and deal.type == "opportunity"
            and deal.stage_id
            and not deal.stage_id.is_won
        }

    def pipeline_at(self, moment, ids=None, **match):
        rows = self.env["crm.lead"].sff_pipeline_at(
            moment, [("id", "in", self.ids if ids is None else ids)]
        )
        return {
            row["lead_id"]: (
                row["stage_id"],
                round(row["expected_revenue"] or 0.0, 2),
                round(row["probability"] or 0.0, 2),
                row["date_deadline"],
                row["forecast_category"],
                bool(row["forecast_excluded"]),
                row["user_id"],
                row["team_id"],
                row["company_id"],
            )
            for row in rows
            if all(row[name] in values for name, values in match.items())
        }

    def check_past(self, sample=None):
        """The pipeline at every past moment of the walk (``sample``: that
        many of them, at random), and halfway to the next one, is the deals
        as they stood then, the deals deleted since left aside."""
        alive = set(self.deals().ids)
        pairs = list(zip(self.history, self.history[1:] + [(self.moment, None)]))
        if sample and len(pairs) > sample:
            pairs = self.rng.sample(pairs, sample)
        for (moment, standing), (later, _next) in pairs:
            expected = {key: value for key, value in standing.items() if key in alive}
            for when in {moment, moment + (later - moment) / 2}:
                self.assertEqual(self.pipeline_at(when), expected, f"pipeline at {when}")

    def flow_ends(self, date_from, date_to, **match):
        start = day_start(self.env, date_from)
        end = min(day_start(self.env, date_to), self.moment)

        def in_period(pipeline):
            deals = [
                value for value in pipeline.values() if value[3] and date_from <= value[3] < date_to
            ]
            return len(deals), round(sum(value[1] for value in deals), 2)

        return in_period(self.pipeline_at(start, **match)), in_period(
            self.pipeline_at(end, **match)
        )

    def assertFlowAddsUp(self, flow, ends, what):
        counts = {step: count for step, (count, _amount) in flow.items()}
        amounts = {step: round(amount, 2) for step, (_count, amount) in flow.items()}
        self.assertEqual(
            counts["start"]
            + counts["new"]
            + counts["pulled_in"]
            - counts["pushed_out"]
            - counts["won"]
            - counts["lost"],
            counts["end"],
            f"{what}: counts {counts}",
        )
        self.assertAlmostEqual(
            amounts["start"]
            + amounts["new"]
            + amounts["pulled_in"]
            + amounts["increased"]
            - amounts["decreased"]
            - amounts["pushed_out"]
            - amounts["won"]
            - amounts["lost"],
            amounts["end"],
            places=2,
            msg=f"{what}: amounts {amounts}",
        )
        self.assertEqual(
            ((counts["start"], amounts["start"]), (counts["end"], amounts["end"])),
            ends,
            f"{what}: the ends are the pipelines at both moments",
        )

    def check_flow(self):
        first = self.t0.date()
        today = self.moment.date()
        date_from = first + timedelta(days=self.rng.randint(0, (today - first).days))
        date_to = date_from + timedelta(days=self.rng.randint(1, 45))
        Lead = self.env["crm.lead"]
        what = f"flow {date_from} - {date_to}"
        self.assertFlowAddsUp(
            Lead.sff_deal_flow(date_from, date_to, [("id", "in", self.ids)]),
            self.flow_ends(date_from, date_to),
            what,
        )
        # a salesperson's flow, and the second company's
        user = self.rng.choice([self.rep, self.other_rep])
        self.assertFlowAddsUp(
            Lead.sff_deal_flow(date_from, date_to, user_id=user.id),
            self.flow_ends(date_from, date_to, user_id=[user.id]),
            f"{what} of {user.login}",
        )
        self.assertFlowAddsUp(
            Lead.sff_deal_flow(date_from, date_to, company_ids=self.eur_co.ids),
            self.flow_ends(date_from, date_to, company_id=[self.eur_co.id, None]),
            f"{what} of {self.eur_co.name}",
        )
        # a day's pipeline is that of its first instant
        self.assertEqual(
            self.pipeline_at(date_from), self.pipeline_at(day_start(self.env, date_from))
        )
        # a team's flow, as the wizard counts it and writes the report's rows
        team = self.rng.choice([self.team, self.team_b])
        wizard = self.env["crm.deal.flow.wizard"].create(
            {"date_from": date_from, "date_to": date_to, "team_id": team.id}
        )
        flow = Lead.sff_deal_flow(date_from, date_to, **wizard._flow_scope())
        companies = [*wizard._company_ids(), None]
        self.assertFlowAddsUp(
            flow,
            self.flow_ends(date_from, date_to, team_id=[team.id], company_id=companies),
            f"{what} of {team.name}",
        )
        self.assertEqual(
            {step.step: (step.deal_count, round(step.amount, 2)) for step in wizard.step_ids},
            {step: (count, round(amount, 2)) for step, (count, amount) in flow.items()},
        )
        Report = self.env["crm.deal.flow.report"]
        rows = Report.search(wizard.action_open_report()["domain"])
        by_step = {}
        for row in rows:
            count, amount = by_step.get(row.step[2:], (0, 0.0))
            by_step[row.step[2:]] = (count + 1, round(amount + row.amount, 2))
        self.assertEqual(
            by_step,
            {step: (count, round(amount, 2)) for step, (count, amount) in flow.items() if count},
            f"{what}: the report's rows",
        )

    def check_revenue(self):
        """Quota attainment credits each deal with its posted invoices less
        its posted credit notes, untaxed (drafts and cancelled ones count
        for nothing), as the deal's invoiced amount says."""
        moves = self.env["account.move"].browse(list(self.moves))
        counted = {}
        for move in moves.filtered(lambda move: move.state == "posted"):
            sign = -1 if move.move_type == "out_refund" else 1
            key = move.opportunity_id.id or None
            counted[key] = round(counted.get(key, 0.0) + sign * self.moves[move.id], 2)
        rows = self.env["crm.quota.report"]._read_group(
            [("move_id", "in", moves.ids)], ["lead_id"], ["amount:sum"]
        )
        self.assertEqual(
            {deal.id or None: round(amount, 2) for deal, amount in rows},
            counted,
            "quota revenue of the deals",
        )
        self.assertEqual(
            {deal.id: deal.invoiced_amount for deal in self.deals() if deal.invoiced_amount},
            {key: amount for key, amount in counted.items() if key and amount},
            "the deals' invoiced amounts",
        )

    def check_weighted(self):
        """Each opportunity's weighted forecast is its amount x probability
        while open (0 when won, lost or out of the forecast), its pipeline
        amount the whole amount once won; a won deal is Closed (Won), a lost
        one or one out of the forecast Omitted, an open one in the pipeline's
        categories."""
        self.env.invalidate_all()
        found, expected = {}, {}
        for deal in self.deals().filtered(lambda deal: deal.type == "opportunity"):
            values = (
                deal.expected_revenue,
                deal.probability,
                deal.active,
                deal.stage_id.is_won,
                deal.forecast_excluded,
            )
            if not deal.active or deal.forecast_excluded and not deal.stage_id.is_won:
                category = "omitted"
            elif deal.stage_id.is_won:
                category = "closed"
            else:
                category = deal.forecast_category
                if category not in ("pipeline", "best_case", "commit"):
                    category = "an open one"
            found[deal.id] = (deal.forecast_revenue, deal.pipeline_amount, deal.forecast_category)
            expected[deal.id] = (
                engine.weighted_revenue(*values),
                engine.pipeline_amount(*values),
                category,
            )
        self.assertEqual(found, expected, "the deals' weighted forecast and category")

    def check(self, number):
        teams = [self.team.id, self.team_b.id, self.eur_team.id]
        self.assertEqual(self.broken(self.ids, teams), {})
        self.check_weighted()
        if self.moves:
            self.check_revenue()
        standing = self.standing()
        self.assertEqual(self.pipeline_at(self.moment), standing, "the pipeline now")
        self.history.append((self.moment, standing))
        if number % CHECK_PAST_EVERY == CHECK_PAST_EVERY - 1:
            self.check_past(sample=8)
            self.check_flow()

    def walk(self, seed, steps=140):
        self.rng = random.Random(seed)
        self.ids, self.history, self.log = [], [], []
        # the walk's invoices and credit notes: their untaxed amount typed
        self.moves = {}
        self.set_now(self.moment)
        self.set_time_zone(self.rng.choice(TIME_ZONES))
        self.assertEqual(self.broken(), {}, "the database holds before the walk")
        for index in range(12):
            team = (self.team, self.team_b)[index % 2]
            self.new_deal(f"Walk deal {index}", team)
        kinds, weights = zip(*STEP_WEIGHTS.items())
        number = 0
        try:
            self.check(number)
            while number < steps:
                self.tick()
                kind = self.rng.choices(kinds, weights)[0]
                done = self.step(kind)
                if done is None:
                    continue
                number += 1
                self.log.append(f"{number:3} {self.moment:%Y-%m-%d %H:%M} {self.actor}: {done}")
                self.check(number)
            self.check_past()
        except AssertionError as error:
            raise AssertionError(
                f"seed {seed}, step {number}: {error}\n" + "\n".join(self.log)
            ) from error

    def test_walk_seed_1(self):
        self.walk(1)

    def test_walk_seed_2(self):
        self.walk(2)

    def test_walk_seed_3(self):
        self.walk(3)

    def test_walk_seed_4(self):
        self.walk(4)
