# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo pipeline: deals that went through their stages over 18 months.

Deals are created and moved with the ORM, so that the chatter tracks every
move and the stage history is written by the module itself; the dates are
then set back in time to what the simulation decided. Called from the demo
data file through ``crm.funnel.demo._generate_pipeline``.
"""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tools import SQL

from .. import engine_sql
from ..tools.days import local_today

DEMO_SEED = 20261122
NOTES = [
    "Called the buyer: budget confirmed for this quarter.",
    "Sent the product sheet and two references.",
    "Meeting with the technical team; they want a trial.",
    "No answer; left a voicemail.",
    "Discussed delivery dates and the payment terms.",
    "The decision moves to the board next month.",
]
DEMO_DAYS = 540  # 18 months
# how far each team's salespeople, in the order of their membership, forecast
# above (or below) what they went on to win
DEMO_OPTIMISM = (1.3, 0.85, 1.1)
DEMO_ADJUSTMENT_REASON = (
    "Two of the committed deals have no signed quotation yet: Commit and Best Case "
    "lowered by a fifth."
)


def generate(env, team_a_id, catalogue_a_id, team_b_id, catalogue_b_id, count=300):
    """Two teams with a catalogue each, and ``count`` deals between them."""
    return _Generator(env).generate(team_a_id, catalogue_a_id, team_b_id, catalogue_b_id, count)


class _Generator:
    def __init__(self, env):
        self.env = env

    def browse(self, ids=()):
        return self.env["crm.lead"].browse(ids)

    def _name_records(self, records, kind):
        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": f"sales_funnel_forecast.demo_pipeline_{kind}_{index}",
                    "record": record,
                    "noupdate": True,
                }
                for index, record in enumerate(records, 1)
            ]
        )

    def generate(self, team_a_id, catalogue_a_id, team_b_id, catalogue_b_id, count):
        rng = random.Random(DEMO_SEED)
        now = fields.Datetime.now()
        Apply = self.env["crm.stage.catalogue.apply"]
        pipelines = []
        for team_id, catalogue_id, amounts in (
            (team_a_id, catalogue_a_id, (15000, 180000)),
            (team_b_id, catalogue_b_id, (800, 12000)),
        ):
            wizard = Apply.create({"team_id": team_id, "catalogue_id": catalogue_id})
            stages = wizard._apply_lines(wizard.catalogue_id.line_ids)
            team = self.env["crm.team"].browse(team_id)
            pipelines.append((team, stages.sorted("sequence"), amounts))

        partners = self.env["res.partner"].search([("is_company", "=", True)], limit=40)
        # the sources whose origin type is known: seeds, nets and spears
        sources = self.env["utm.source"].search([("origin_type", "!=", False)])
        reasons = self.env["crm.lost.reason"].search([], limit=10)
        # services invoiced on order first, so that won deals' orders can be
        # invoiced at once
        Product = self.env["product.product"]
        products = (
            Product.search(
                [
                    ("sale_ok", "=", True),
                    ("type", "=", "service"),
                    ("invoice_policy", "=", "order"),
                ],
                limit=8,
            )
            or Product.search([("sale_ok", "=", True), ("type", "=", "service")], limit=8)
            or Product.search([("sale_ok", "=", True)], limit=8)
        )

        plans = []
        for index in range(count):
            team, stages, amounts = pipelines[0] if rng.random() < 0.55 else pipelines[1]
            plan = self._plan(rng, now, index, team, stages, amounts)
            if partners:
                plan["values"]["partner_id"] = rng.choice(partners).id
            if sources:
                plan["values"]["source_id"] = rng.choice(sources).id
            plans.append(plan)

        leads = self.env["crm.lead"].create([plan["values"] for plan in plans])
        for lead, plan in zip(leads, plans):
            plan["lead"] = lead
        # the demo's stages and deals are the module's demo records, which
        # its uninstall removes (the deals first: their external ids come
        # last); the teams' stages would else become every team's
        self._name_records(
            [stage for _team, stages, _amounts in pipelines for stage in stages], "stage"
        )
        self._name_records(leads, "deal")
        self.env.cr.precommit.run()

        # Replay the moves round by round: one write per stage and round, and
        # the chatter tracking flushed after each round so that every move is
        # its own tracked change.
        rounds = max(len(plan["moves"]) for plan in plans)
        for step in range(rounds):
            by_stage = defaultdict(lambda: self.browse())
            for plan in plans:
                if step < len(plan["moves"]):
                    by_stage[plan["moves"][step][1]] |= plan["lead"]
            for stage, group in by_stage.items():
                if stage.is_won:
                    group.action_set_won()
                else:
                    group.write({"stage_id": stage.id})
            self.env.cr.precommit.run()

        lost_by_reason = defaultdict(lambda: self.browse())
        for plan in plans:
            if plan["outcome"] == "lost":
                lost_by_reason[rng.choice(reasons).id if reasons else False] |= plan["lead"]
        for reason_id, leads in lost_by_reason.items():
            leads.action_set_lost(lost_reason_id=reason_id)
        self.env.cr.precommit.run()

        if products:
            self._quotations(rng, plans, products)
        self._notes(rng, now, plans)
        self._buying_roles(rng, plans)
        self._set_dates(plans)
        self._invoices(rng, plans)
        self._calls(rng, now, plans)
        self._adoption(rng, now, plans)
        self._stall_rules(pipelines)
        self._submissions(now, pipelines)
        return True

    def _invoices(self, rng, plans):
        """The won deals' orders invoiced when the deal was won, due 30 days
        later; most paid within 10 to 40 days, the others still open (some
        overdue), and one in ten credited in part."""
        if not self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.env.company.id)], limit=1
        ):
            return
        today = fields.Date.today()
        orders = (
            self.env["sale.order"]
            .search(
                [
                    ("opportunity_id", "in", [plan["lead"].id for plan in plans]),
                    ("state", "=", "sale"),
                ]
            )
            .filtered(lambda order: order.invoice_status == "to invoice")
        )
        for order in orders:
            deal = order.opportunity_id
            invoiced_on = (deal.date_closed or fields.Datetime.now()).date()
            invoice = order._create_invoices()
            invoice.write(
                {
                    "invoice_date": invoiced_on,
                    "invoice_payment_term_id": False,
                    "invoice_date_due": invoiced_on + timedelta(days=30),
                }
            )
            invoice.action_post()
            paid_on = invoiced_on + timedelta(days=rng.randint(10, 40))
            if paid_on < today and rng.random() < 0.75:
                self.env["account.payment.register"].with_context(
                    active_model="account.move",
                    active_ids=invoice.ids,
                ).create({"payment_date": paid_on})._create_payments()
            elif rng.random() < 0.1:
                refund = invoice._reverse_moves([{"invoice_date": invoiced_on + timedelta(days=5)}])
                refund.invoice_line_ids[:1].price_unit = round(
                    refund.invoice_line_ids[:1].price_unit * 0.2, 2
                )
                refund.action_post()

    def _calls(self, rng, now, plans):
        """Calls along each deal's life: a few attempts before the first
        conversation, then a call now and then (more on the inside team's
        small deals), each by the deal's salesperson."""
        outcomes = ["no_answer", "no_answer", "voicemail", "busy", "wrong_number"]
        values = []
        for plan in plans:
            lead = plan["lead"]
            user = lead.user_id
            if not user:
                continue
            end = plan["closed"] if plan["outcome"] != "open" else now
            first_move = plan["moves"][0][0] if plan["moves"] else end
            moment = plan["created"] + timedelta(hours=rng.uniform(1, 30))
            for _attempt in range(int(rng.expovariate(0.6))):
                if moment >= first_move or moment >= now:
                    break
                values.append(
                    {
                        "lead_id": lead.id,
                        "user_id": user.id,
                        "date": moment,
                        "outcome": rng.choice(outcomes),
                    }
                )
                moment += timedelta(hours=rng.uniform(4, 50))
            if moment < now:
                values.append(
                    {
                        "lead_id": lead.id,
                        "user_id": user.id,
                        "date": moment,
                        "outcome": "meeting_booked" if rng.random() < 0.3 else "conversation",
                        "duration_minutes": round(rng.uniform(3, 25)),
                    }
                )
            frequency = 6 if lead.expected_revenue < 15000 else 3
            for _call in range(rng.randint(0, frequency)):
                when = moment + (end - moment) * rng.random()
                if when < now:
                    values.append(
                        {
                            "lead_id": lead.id,
                            "user_id": user.id,
                            "date": when,
                            "outcome": rng.choice(outcomes + ["conversation"] * 3),
                            "duration_minutes": round(rng.uniform(1, 20)),
                        }
                    )
        values.sort(key=lambda call: call["date"])
        self.env["crm.lead.call"].create(values)
        # the notes were logged today and dated back since
        self.env["crm.lead"]._sff_fill_last_activity([plan["lead"].id for plan in plans])

    def _adoption(self, rng, now, plans):
        """The reps' logins over the last 13 months (one of them rarely logs
        in), and the moves of their deals made by them."""
        users = self.env["res.users"].browse({plan["lead"].user_id.id for plan in plans} - {False})
        rows = []
        for user in users.sorted("login"):
            habit = 0.15 if user == users.sorted("login")[-1] else rng.uniform(0.6, 0.95)
            for day in range(395):
                moment = now - timedelta(days=day, hours=rng.uniform(0, 8))
                if moment.weekday() < 5 and rng.random() < habit:
                    rows.append((user.id, moment))
        self.env.cr.execute(
            """INSERT INTO crm_user_login (user_id, date, team_id, company_id)
               SELECT g.user_id, g.date, u.sale_team_id, u.company_id
                 FROM unnest(%s::int[], %s::timestamp[]) AS g(user_id, date)
                 JOIN res_users u ON u.id = g.user_id""",
            [[row[0] for row in rows], [row[1] for row in rows]],
        )
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE crm_lead_stage_history h SET create_uid = l.user_id
                 FROM crm_lead l
                WHERE l.id = h.lead_id AND l.id = ANY(%s) AND l.user_id IS NOT NULL""",
            [[plan["lead"].id for plan in plans]],
        )

    def _buying_roles(self, rng, plans):
        """Some of the customers' people, with their part in the decision:
        on most deals that went far, rarely on the others."""
        roles = self.env["crm.buying.role.type"].search([])
        values = []
        for plan in plans:
            lead = plan["lead"]
            people = lead.partner_id.child_ids[:3]
            if not people or not roles or rng.random() > (0.7 if len(plan["moves"]) > 3 else 0.2):
                continue
            for person in people:
                values.append(
                    {"lead_id": lead.id, "partner_id": person.id, "role_id": rng.choice(roles).id}
                )
        self.env["crm.lead.buying.role"].create(values)

    def _stall_rules(self, pipelines):
        """Stall rules on the demo pipelines, applied once: the early steps
        flag deals idle for 30 days, the proposal steps take them out of the
        forecast after 21."""
        for _team, stages, _amounts in pipelines:
            open_stages = stages.filtered(lambda stage: not stage.is_won)
            half = len(open_stages) // 2
            open_stages[:half].write({"stall_days": 30, "stall_action": "flag"})
            open_stages[half:].write({"stall_days": 21, "stall_action": "exclude"})
        Lead = self.env["crm.lead"]
        while Lead._cron_apply_stall_rules():
            pass

    def _submissions(self, now, pipelines):
        """The forecasts of the two teams: each salesperson's for each of
        the last six closed months, submitted two to five days before it,
        some salespeople more optimistic than others, and the sales
        manager's adjustments of the most optimistic one's last three, half
        a day later; this month's, prefilled from the deals, submitted in
        the last three days, but for the second team's last salesperson,
        whom the Forecast screen marks; and each team's own forecast of
        each month, its salespeople's figures as adjusted, submitted after
        them. A random sequence of its own, so that the rest of the demo
        data stays as it was."""
        rng = random.Random(DEMO_SEED + 1)
        cr = self.env.cr
        Submission = self.env["crm.forecast.submission"]
        manager = self.env.ref("base.user_admin")
        this_month = local_today(self.env).replace(day=1)
        months = [this_month - relativedelta(months=back) for back in range(6, 0, -1)]
        teams = [team for team, _stages, _amounts in pipelines]
        # what each salesperson won in each month, by team, the months
        # counted in the funnel totals' time zone as the accuracy counts them
        # (from a day before the first month's start in UTC: its first hours)
        Lead = self.env["crm.lead"].with_context(tz=self.env["crm.funnel.summary"]._sff_tz())
        won = {
            (team.id, user.id, month.date()): amount
            for team, user, month, amount in Lead._read_group(
                [
                    ("team_id", "in", [team.id for team in teams]),
                    ("stage_id.is_won", "=", True),
                    ("date_closed", ">=", months[0] - timedelta(days=1)),
                ],
                ["team_id", "user_id", "date_closed:month"],
                ["expected_revenue:sum"],
            )
        }
        # (values, submitted on, adjusted by the manager)
        forecasts = []
        for team in teams:
            members = team.member_ids.sorted("id")
            # each month's figures of the team's salespeople, as adjusted
            totals = defaultdict(lambda: [0.0, 0.0])
            for index, user in enumerate(members):
                optimism = DEMO_OPTIMISM[index % len(DEMO_OPTIMISM)]
                amounts = [won.get((team.id, user.id, month), 0.0) for month in months]
                usual = sum(amounts) / len(amounts)
                for month, amount in zip(months, amounts):
                    # nothing won: forecast what the salesperson usually wins
                    commit = round((amount or usual) * optimism * rng.uniform(0.9, 1.1), -2)
                    best_case = round(commit * rng.uniform(1.2, 1.6), -2)
                    submitted = datetime.combine(
                        month - timedelta(days=rng.randint(2, 5)), time(8)
                    ) + timedelta(minutes=rng.randint(0, 540))
                    adjust = optimism == max(DEMO_OPTIMISM) and month >= months[-3]
                    forecasts.append(
                        (self._submission(user, team, month, commit, best_case), submitted, adjust)
                    )
                    totals[month][0] += round(commit * 0.8, -2) if adjust else commit
                    totals[month][1] += round(best_case * 0.8, -2) if adjust else best_case
                if team == teams[-1] and user == members[-1]:
                    continue  # no forecast of this month yet: marked
                figures = Submission._sff_prefill(user.id, team.id, "month", this_month)
                commit = round(figures["commit_amount"], -2)
                best_case = round(figures["best_case_amount"], -2)
                forecasts.append(
                    (
                        self._submission(user, team, this_month, commit, best_case),
                        now - timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 8)),
                        False,
                    )
                )
                totals[this_month][0] += commit
                totals[this_month][1] += best_case
            for month, (commit, best_case) in totals.items():
                # the day before the month, after its salespeople's (this
                # month's: just now)
                submitted = (
                    datetime.combine(month - timedelta(days=1), time(6))
                    if month < this_month
                    else now - timedelta(minutes=30)
                )
                forecasts.append(
                    (self._submission(False, team, month, commit, best_case), submitted, False)
                )
        submissions = Submission.create([values for values, _date, _adjust in forecasts])
        self._name_records(submissions, "submission")
        self.env["crm.forecast.adjustment"].create(
            [
                {
                    "submission_id": submission.id,
                    "commit_amount": round(submission.commit_amount * 0.8, -2),
                    "best_case_amount": round(submission.best_case_amount * 0.8, -2),
                    "reason": DEMO_ADJUSTMENT_REASON,
                    "user_id": manager.id,
                    "date": submitted + timedelta(hours=12),
                }
                for submission, (_values, submitted, adjust) in zip(submissions, forecasts)
                if adjust
            ]
        )
        self.env.flush_all()
        cr.execute(
            """
            UPDATE crm_forecast_submission s SET submitted_on = v.submitted
              FROM (SELECT * FROM unnest(%s::int[], %s::timestamp[])) AS v(id, submitted)
             WHERE s.id = v.id
            """,
            [submissions.ids, [submitted for _values, submitted, _adjust in forecasts]],
        )
        submissions.invalidate_recordset(["submitted_on"])

    def _submission(self, user, team, month, commit, best_case):
        """The values of a monthly forecast of ``user`` (False: the team's
        own) in ``team``."""
        return {
            "user_id": user.id if user else False,
            "team_id": team.id,
            "period_type": "month",
            "date_from": month,
            "commit_amount": commit,
            "best_case_amount": best_case,
        }

    def _notes(self, rng, now, plans):
        """A few notes logged by the reps on each deal, along its life."""
        for plan in plans:
            end = plan["closed"] if plan["outcome"] != "open" else now
            for _note in range(rng.randint(0, 3)):
                message = plan["lead"].message_post(
                    body=rng.choice(NOTES),
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
                moment = plan["created"] + (end - plan["created"]) * rng.random()
                plan.setdefault("notes", []).append((message.id, moment))

    def _plan(self, rng, now, index, team, stages, amounts):
        """Decide a deal's life: creation date, moves (date, stage), outcome."""
        users = team.member_ids or team.user_id
        open_stages = stages.filtered(lambda stage: not stage.is_won)
        won_stage = stages.filtered("is_won")[:1]
        # more deals in recent months, as in a growing pipeline
        created = now - timedelta(
            days=3 + (DEMO_DAYS - 3) * rng.random() ** 1.3, hours=rng.uniform(0, 9)
        )
        amount = round(rng.uniform(*amounts), -2)
        position = 0
        moves = []
        date = created
        outcome = "open"
        step_days = 9 if len(open_stages) > 8 else 20
        while True:
            date = date + timedelta(days=rng.expovariate(1.0 / step_days), hours=rng.uniform(0, 6))
            if date >= now:
                break
            roll = rng.random()
            progress = position / max(len(open_stages) - 1, 1)
            if roll < (0.07 + 0.05 * progress) * min(1.0, (4.0 / len(open_stages)) ** 0.5):
                outcome = "lost"
                break
            if roll < 0.15 and position > 0:
                position -= 1  # the customer went back a step
            elif position == len(open_stages) - 1:
                if rng.random() < 0.6:
                    moves.append((date, won_stage))
                    outcome = "won"
                    break
                continue
            else:
                position = min(position + (2 if rng.random() < 0.1 else 1), len(open_stages) - 1)
            moves.append((date, open_stages[position]))
        last_date = moves[-1][0] if moves else created
        if outcome == "lost":
            last_date = min(date, now)
        if outcome == "open":
            deadline = now + timedelta(days=rng.randint(5, 150))
        else:
            deadline = last_date + timedelta(days=rng.randint(0, 10))
        return {
            "created": created,
            "moves": moves,
            "outcome": outcome,
            "closed": last_date,
            "values": {
                "name": f"{team.name} deal #{index + 1:03d}",
                "type": "opportunity",
                "team_id": team.id,
                "user_id": rng.choice(users).id if users else False,
                "stage_id": open_stages[0].id,
                "expected_revenue": amount,
                "date_deadline": deadline.date(),
                "priority": rng.choice(["0", "0", "1", "2"]),
            },
        }

    def _quotations(self, rng, plans, products):
        orders = []
        for plan in plans:
            if not plan["moves"] or not plan["lead"].partner_id:
                continue
            lead = plan["lead"]
            product = rng.choice(products)
            orders.append(
                {
                    "partner_id": lead.partner_id.id,
                    "opportunity_id": lead.id,
                    "user_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "order_line": [
                        fields.Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "price_unit": lead.expected_revenue or 1000.0,
                            }
                        )
                    ],
                }
            )
        if orders:
            sale_orders = self.env["sale.order"].create(orders)
            won = sale_orders.filtered(
                lambda order: order.opportunity_id.stage_id.is_won and order.opportunity_id.active
            )
            won.action_confirm()
            # most quotations of the other deals went out to the customer
            (sale_orders - won).filtered(lambda order: rng.random() < 0.7).action_quotation_sent()

    def _set_dates(self, plans):
        """Put creation dates, moves, chatter and history back in time."""
        cr = self.env.cr
        self.env.flush_all()
        lead_rows, history_rows, message_rows = [], [], []
        field = self.env["ir.model.fields"]._get("crm.lead", "stage_id")
        for plan in plans:
            lead = plan["lead"]
            dates = [plan["created"]] + [date for date, _stage in plan["moves"]]
            lead_rows.append(
                (
                    lead.id,
                    plan["created"],
                    dates[-1],
                    plan["closed"] if plan["outcome"] != "open" else None,
                )
            )
            # a lost deal's last stay ended when it was lost
            ends = dates[1:] + [plan["closed"] if plan["outcome"] == "lost" else None]
            for history, date_in, date_out in zip(lead.stage_history_ids.sorted("id"), dates, ends):
                history_rows.append((history.id, date_in, date_out))
        cr.execute(
            """
            SELECT m.res_id, m.id
              FROM mail_message m
              JOIN mail_tracking_value tv ON tv.mail_message_id = m.id
             WHERE m.model = 'crm.lead' AND m.res_id = ANY(%s) AND tv.field_id = %s
          ORDER BY m.res_id, m.id
            """,
            [[plan["lead"].id for plan in plans], field.id],
        )
        messages = defaultdict(list)
        for res_id, message_id in cr.fetchall():
            messages[res_id].append(message_id)
        for plan in plans:
            for message_id, (date, _stage) in zip(messages[plan["lead"].id], plan["moves"]):
                message_rows.append((message_id, date))
            message_rows.extend(plan.get("notes", []))
        cr.execute(
            """
            UPDATE crm_lead l
               SET create_date = v.created, date_open = v.created,
                   date_last_stage_update = v.moved, date_closed = v.closed
              FROM (SELECT * FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[],
                                         %s::timestamp[]))
                   AS v(id, created, moved, closed)
             WHERE l.id = v.id
            """,
            [list(column) for column in zip(*lead_rows)],
        )
        if history_rows:
            cr.execute(
                SQL(
                    """
                UPDATE crm_lead_stage_history h
                   SET date_in = v.date_in, date_out = v.date_out,
                       duration_days = CASE WHEN v.date_out IS NOT NULL THEN %s END
                  FROM (SELECT * FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[]))
                       AS v(id, date_in, date_out)
                 WHERE h.id = v.id
                """,
                    engine_sql.days_between(
                        SQL.identifier("v", "date_in"), SQL.identifier("v", "date_out")
                    ),
                    *[list(column) for column in zip(*history_rows)],
                )
            )
        if message_rows:
            cr.execute(
                """
                UPDATE mail_message m SET date = v.date, create_date = v.date
                  FROM (SELECT * FROM unnest(%s::int[], %s::timestamp[])) AS v(id, date)
                 WHERE m.id = v.id
                """,
                [list(column) for column in zip(*message_rows)],
            )
            # Odoo's status bar reads the time spent in each stage from them
            cr.execute(
                """
                UPDATE mail_tracking_value tv SET create_date = m.date
                  FROM mail_message m
                 WHERE m.id = tv.mail_message_id AND m.id = ANY(%s)
                """,
                [[row[0] for row in message_rows]],
            )
        cr.execute(
            """
            UPDATE sale_order o SET date_order = l.date_last_stage_update,
                                    create_date = l.date_last_stage_update,
                                    quotation_sent_date = CASE WHEN o.quotation_sent_date IS NOT NULL
                                                               THEN l.date_last_stage_update END
              FROM crm_lead l
             WHERE o.opportunity_id = l.id AND l.id = ANY(%s)
            """,
            [[plan["lead"].id for plan in plans]],
        )
        self.env.invalidate_all()
        # the funnel rows and the stages' win rates from the dates above
        self.env["crm.lead.stage.reach"]._sff_rebuild([plan["lead"].id for plan in plans])
        self.env["crm.stage"]._sff_refresh_history_win_rates()
