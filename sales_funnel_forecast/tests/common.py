# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import subprocess
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree
from PIL import Image

from odoo import Command, fields
from odoo.osv import expression
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from ..models.crm_lead_forecast_version import MOMENT_SETTING
from ..models.crm_lead_stage_history import PENDING_KEY

# the funnel PDF's bars as it paints them: moved on (grey), won, lost, open
FUNNEL_BAR_COLOURS = {
    "moved on": (0xD9, 0xD2, 0xD7),
    "won": (0x28, 0xA7, 0x45),
    "lost": (0xDC, 0x35, 0x45),
    "open": (0x17, 0xA2, 0xB8),
}


def pdf_first_page(pdf, resolution=60):
    """A PDF's first page as an RGB image (poppler's pdftoppm)."""
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/document.pdf", "wb") as handle:
            handle.write(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(resolution),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                f"{folder}/document.pdf",
                f"{folder}/page",
            ],
            check=True,
        )
        with open(f"{folder}/page.png", "rb") as handle:
            return Image.open(io.BytesIO(handle.read())).convert("RGB")


def company_user(env, login, name, groups, company):
    """A user of ``company`` only, in ``groups`` (comma-separated xml ids);
    given several companies, a user of those, the first the current one."""
    return new_test_user(
        env,
        login=login,
        name=name,
        groups=groups,
        company_id=company[:1].id,
        company_ids=company.ids,
    )


def filters_domain(arch, is_on, evaluation=None):
    """The domain of the filters of a search view's ``arch`` (an lxml
    element) that ``is_on(node)`` turns on, as Odoo's search model builds
    it: the domain filters of one group (between separators) ORed, the
    groups ANDed."""
    groups, current = [], []
    for node in arch:
        if node.tag in ("separator", "group"):
            if current:
                groups.append(current)
            current = []
            continue
        if node.tag == "filter" and node.get("domain") and is_on(node):
            current.append(safe_eval(node.get("domain"), evaluation or {}))
    if current:
        groups.append(current)
    return expression.AND([expression.OR(group) for group in groups])


def screen_domain(env, action):
    """The domain a window action's screen searches with when it opens, as
    the web client builds it, and its model: the action's domain and the
    domain filters its context turns on (search_default_*)."""
    evaluation = {
        "uid": env.uid,
        "context_today": lambda: fields.Date.context_today(env.user),
        "relativedelta": relativedelta,
        "datetime": safe_datetime,
    }
    context = action.get("context") or {}
    if isinstance(context, str):
        context = safe_eval(context, evaluation)
    model = env[action["res_model"]]
    search_view = action.get("search_view_id")
    search_view = search_view[0] if isinstance(search_view, (list, tuple)) else search_view
    arch = etree.fromstring(model.get_views([(search_view, "search")])["views"]["search"]["arch"])
    domain = action.get("domain") or []
    if isinstance(domain, str):
        domain = safe_eval(domain, evaluation)
    on = filters_domain(
        arch, lambda node: context.get(f"search_default_{node.get('name')}"), evaluation
    )
    return expression.AND([domain, on]), model


def make_plan(env, team, **values):
    """A target plan of ``team`` for 2027: 120,000 at 1,000 a deal, 20 %
    won, no sales cycle (120 deals, 600 prospects); ``values`` change it."""
    return env["crm.target.plan"].create(
        dict(
            {
                "name": "Plan",
                "team_id": team.id,
                "date_from": date(2027, 1, 1),
                "date_to": date(2027, 12, 31),
                "revenue_target": 120000,
                "average_deal_value": 1000,
                "win_rate": 20,
                "sales_cycle_days": 0,
            },
            **values,
        )
    )


def apply_catalogue(env, team, user=None, xmlid="sales_funnel_forecast.catalogue_simple"):
    """Apply the catalogue ``xmlid`` to ``team`` (as ``user``, a manager, or
    the test's user) with its wizard; returns the stages it gave the team."""
    Wizard = env["crm.stage.catalogue.apply"]
    if user:
        Wizard = Wizard.with_user(user)
    wizard = Wizard.create({"catalogue_id": env.ref(xmlid).id, "team_id": team.id})
    return env["crm.stage"].search(wizard.action_apply()["domain"])


def committing_cursor(registry):
    """A cursor of its own, as another worker's, for tests that commit: it
    never waits forever on another transaction of the test."""
    cr = registry.cursor()
    cr.execute("SET lock_timeout = '20s'")
    cr.commit()  # pylint: disable=invalid-commit
    return cr


def cash_rounding_down(env, company):
    """A cash rounding of 5 cents down that adds its own invoice line
    (100.03 invoiced as 100.00), on an income account of ``company``."""
    Account = env["account.account"]
    account = Account.search(
        [("account_type", "=", "income"), *Account._check_company_domain(company)], limit=1
    )
    return env["account.cash.rounding"].create(
        {
            "name": "5 cents down",
            "rounding": 0.05,
            "strategy": "add_invoice_line",
            "rounding_method": "DOWN",
            "profit_account_id": account.id,
            "loss_account_id": account.id,
        }
    )


def team_and_deal(env, name, **values):
    """A team of its own and an opportunity in it in Odoo's first stage,
    both named ``name``: for tests that commit in cursors of their own,
    away from the deals of the other tests."""
    team = env["crm.team"].create({"name": name})
    deal = env["crm.lead"].create(
        {
            "name": name,
            "type": "opportunity",
            "team_id": team.id,
            "stage_id": env.ref("crm.stage_lead1").id,
            **values,
        }
    )
    return team, deal


# the funnel rows' counts and amounts, as the monthly totals add them up
TOTAL_COUNTS = (
    "reached entered moved_on entered_moved_on won lost_here open_here stalled_here "
    "no_decision_maker"
).split()
TOTAL_AMOUNTS = "reached_amount won_amount lost_amount open_amount invoiced_amount".split()
# the funnel rows' columns that a rebuild from the history writes
ROW_COLUMNS = (
    "lead_id stage_id stage_sequence date_in entered moved_on deal_state is_current is_lost_stage "
    "is_stalled has_decision_maker user_id team_id company_id partner_id source_id medium_id "
    "campaign_id origin_type lead_create_date date_closed expected_revenue invoiced_amount"
).split()


class StructuresMixin:
    """What the module keeps beside the deals, checked on the whole
    database (bench/load's checks, and the versions'): ``broken()`` names
    each structure that does not hold, with its offending rows."""

    def _rows(self, query, params=None):
        self.env.cr.execute(query, params or [])
        return self.env.cr.fetchall()

    def broken(self, lead_ids=None, team_ids=None):
        """The broken structures of the whole database, or of the deals
        ``lead_ids`` only and the monthly totals of the teams ``team_ids``
        (tests that check after every step of a long walk)."""
        deal = "TRUE" if lead_ids is None else "l.id = ANY(%(leads)s)"
        of_deals = "TRUE" if lead_ids is None else "lead_id = ANY(%(leads)s)"
        of_teams = "TRUE" if team_ids is None else "team_id = ANY(%(teams)s)"
        scope = {"leads": list(lead_ids or ()), "teams": list(team_ids or ())}
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()
        found = {}
        found["one open stay, in the deal's stage"] = self._rows(
            f"""SELECT l.id FROM crm_lead l
                WHERE {deal} AND (
                      l.active AND l.type = 'opportunity' AND l.stage_id IS NOT NULL
                  AND (SELECT count(*) FROM crm_lead_stage_history h
                        WHERE h.lead_id = l.id AND h.date_out IS NULL) <> 1
                   OR l.active AND l.type = 'opportunity' AND l.stage_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_history h
                                   WHERE h.lead_id = l.id AND h.date_out IS NULL
                                     AND h.stage_id = l.stage_id))""",
            scope,
        )
        found["no open stay for lost deals and leads"] = self._rows(
            f"""SELECT l.id FROM crm_lead_stage_history h JOIN crm_lead l ON l.id = h.lead_id
                WHERE h.date_out IS NULL AND (NOT l.active OR l.type = 'lead') AND {deal}""",
            scope,
        )
        found["call counters"] = self._rows(
            f"""SELECT l.id FROM crm_lead l
                WHERE l.call_count <> (SELECT count(*) FROM crm_lead_call c WHERE c.lead_id = l.id)
                  AND {deal}""",
            scope,
        )
        measures = ", ".join(
            [f"sum({name})::numeric AS {name}" for name in TOTAL_COUNTS]
            + [f"round(sum({name})::numeric, 2) AS {name}" for name in TOTAL_AMOUNTS]
        )
        nonzero = " OR ".join(f"sum({name}) <> 0" for name in TOTAL_COUNTS + TOTAL_AMOUNTS)
        [tz] = self._rows(
            """SELECT COALESCE((SELECT value FROM ir_config_parameter
                                 WHERE key = 'sales_funnel_forecast.funnel_summary_tz_built'),
                               'UTC')"""
        )[0]
        keys = "COALESCE(company_id, 0) AS company_id, COALESCE(team_id, 0) AS team_id, "
        keys += "COALESCE(user_id, 0) AS user_id, stage_id"
        found["monthly totals equal the rows"] = self._rows(
            f"""SELECT r, s
                  FROM (SELECT {keys},
                               date_trunc('month', timezone(%(tz)s, timezone('UTC', date_in)))::date
                                   AS month, {measures}
                          FROM crm_funnel_report WHERE {of_teams} GROUP BY 1, 2, 3, 4, 5) r
             FULL JOIN (SELECT {keys}, month, {measures}
                          FROM crm_funnel_summary WHERE {of_teams}
                      GROUP BY 1, 2, 3, 4, 5 HAVING {nonzero}) s
                 USING (company_id, team_id, user_id, stage_id, month)
                 WHERE r IS DISTINCT FROM s""",
            dict(scope, tz=tz),
        )
        columns = SQL(", ".join(ROW_COLUMNS))
        if lead_ids is None:
            rebuilt = self.env["crm.lead.stage.reach"]._sff_rows_sql(SQL("TRUE"), SQL("TRUE"))
            kept = SQL("TRUE")
        else:
            rebuilt = self.env["crm.lead.stage.reach"]._sff_rows_sql(
                SQL("l.id = ANY(%s)", scope["leads"]), SQL("h.lead_id = ANY(%s)", scope["leads"])
            )
            kept = SQL("lead_id = ANY(%s)", scope["leads"])
        self.env.cr.execute(
            SQL(
                """SELECT 'kept', t.* FROM (SELECT %(columns)s FROM crm_lead_stage_reach
                                             WHERE %(kept)s
                                             EXCEPT SELECT %(columns)s FROM (%(rebuilt)s) x) t
                    UNION ALL
                   SELECT 'rebuilt', t.* FROM (SELECT %(columns)s FROM (%(rebuilt)s) x
                                                EXCEPT SELECT %(columns)s FROM crm_lead_stage_reach
                                                        WHERE %(kept)s) t""",
                columns=columns,
                rebuilt=rebuilt,
                kept=kept,
            )
        )
        found["funnel rows equal a rebuild from the history"] = self.env.cr.fetchall()
        state = "CASE WHEN NOT l.active THEN 'lost' WHEN s.is_won THEN 'won' ELSE 'open' END"
        found["one version in force per opportunity in a stage"] = self._rows(
            f"""SELECT l.id FROM crm_lead l
                WHERE (SELECT count(*) FROM crm_lead_forecast_version v
                        WHERE v.lead_id = l.id AND v.valid_to IS NULL)
                      <> CASE WHEN l.type = 'opportunity' AND l.stage_id IS NOT NULL THEN 1 ELSE 0 END
                  AND {deal}""",
            scope,
        )
        found["the version in force has the deal's values"] = self._rows(
            f"""SELECT l.id FROM crm_lead l
                  JOIN crm_lead_forecast_version v ON v.lead_id = l.id AND v.valid_to IS NULL
             LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE ROW(l.stage_id, l.expected_revenue, round(l.probability::numeric, 2),
                           l.date_deadline, l.forecast_category, COALESCE(l.forecast_excluded, FALSE),
                           l.user_id, l.team_id, l.company_id, {state})
                       IS DISTINCT FROM
                       ROW(v.stage_id, v.expected_revenue, round(v.probability::numeric, 2),
                           v.date_deadline, v.forecast_category, v.forecast_excluded, v.user_id,
                           v.team_id, v.company_id, v.deal_state)
                   AND {deal}""",
            scope,
        )
        found["versions follow each other"] = self._rows(
            f"""SELECT lead_id, valid_from FROM (
                    SELECT lead_id, valid_from, valid_to,
                           lead(valid_from) OVER (PARTITION BY lead_id ORDER BY valid_from, id) AS next
                      FROM crm_lead_forecast_version WHERE {of_deals}) v
                WHERE next IS NOT NULL AND (valid_to IS NULL OR valid_to > next)
                   OR valid_to <= valid_from""",
            scope,
        )
        found["stays follow each other"] = self._rows(
            f"""SELECT lead_id, date_in FROM (
                    SELECT lead_id, date_in, date_out,
                           lead(date_in) OVER (PARTITION BY lead_id ORDER BY date_in, id) AS next
                      FROM crm_lead_stage_history WHERE {of_deals}) h
                WHERE next IS NOT NULL AND (date_out IS NULL OR date_out > next)
                   OR date_out < date_in""",
            scope,
        )
        return {name: rows for name, rows in found.items() if rows}

    def assertStructuresHold(self, path):
        self.assertEqual(self.broken(), {}, path)


class FunnelCase(StructuresMixin, TransactionCase):
    """A team with its own four-stage pipeline (10 / 30 / 60 / won) and a
    clock the tests move by hand (the module stamps history with the
    transaction time, as Odoo stamps stage updates)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.company.crm_probability_from_stage = True
        cls.rep = new_test_user(
            cls.env,
            login="sff_rep",
            groups="sales_team.group_sale_salesman",
            name="Rita Rep",
        )
        cls.other_rep = new_test_user(
            cls.env,
            login="sff_other_rep",
            groups="sales_team.group_sale_salesman",
            name="Otto Rep",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sff_manager",
            groups="sales_team.group_sale_manager",
            name="Mona Manager",
        )
        cls.team = cls.env["crm.team"].create({"name": "Funnel Test Team"})
        Stage = cls.env["crm.stage"]
        cls.s_new = Stage.create(
            {
                "name": "T-Prospect",
                "sequence": 901,
                "forecast_probability": 10,
                "team_id": cls.team.id,
            }
        )
        cls.s_qualified = Stage.create(
            {
                "name": "T-Qualified",
                "sequence": 902,
                "forecast_probability": 30,
                "team_id": cls.team.id,
            }
        )
        cls.s_proposal = Stage.create(
            {
                "name": "T-Proposal",
                "sequence": 903,
                "forecast_probability": 60,
                "team_id": cls.team.id,
            }
        )
        cls.s_won = Stage.create(
            {"name": "T-Won", "sequence": 904, "is_won": True, "team_id": cls.team.id}
        )
        cls.t0 = datetime(2026, 3, 2, 9, 0, 0)

    def set_now(self, when):
        """Make the transaction's clock read ``when``: the clock of the
        module's Python code, and of the versions the database writes (the
        deals' pending changes are written first, at the time before)."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT set_config(%s, %s, TRUE)", [MOMENT_SETTING, when.isoformat(" ")]
        )
        self.patch(type(self.env.cr), "now", lambda cr: when)

    def clock_at(self, moment):
        """The transaction's clock (``set_now``) and today's date, of any
        time zone, at ``moment`` (UTC)."""
        self.set_now(moment)
        today = fields.Date.context_today
        self.patch(
            fields.Date,
            "context_today",
            staticmethod(lambda record, timestamp=None: today(record, timestamp or moment)),
        )

    def post_invoice(self, deal, amount, company, day=None, move_type="out_invoice", **values):
        """A posted customer invoice (or credit note: ``move_type``) of
        ``company`` billing ``deal`` for ``amount`` untaxed, in the
        company's currency, on ``day`` (today); ``values`` add to the
        document's (its customer, a cash rounding)."""
        values.setdefault("partner_id", self.env["res.partner"].create({"name": "Customer"}).id)
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "currency_id": company.currency_id.id,
                    "invoice_date": day or fields.Date.today(),
                    "opportunity_id": deal.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Work", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                    **values,
                }
            )
        )
        move.action_post()
        return move

    def committed_deal_past_its_limit(self, domain=()):
        """An open deal committed before the test (the demo data's), of
        ``domain``, in a stage that flags deals after 10 days, 30 days past
        it: for tests of the stall job beside other transactions."""
        Lead = self.env["crm.lead"]
        deal = Lead.search(
            [
                ("type", "=", "opportunity"),
                ("active", "=", True),
                ("stage_id.is_won", "=", False),
                *domain,
                ("id", "not in", Lead.search([("create_date", ">=", self.env.cr.now())]).ids),
            ],
            limit=1,
        )
        self.assertTrue(deal, "the test database holds committed open deals (demo data)")
        deal.stage_id.write({"stall_days": 10, "stall_action": "flag"})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead_stage_history SET stall_due = %s WHERE lead_id = %s AND date_out IS NULL",
            [self.day(-30), deal.id],
        )
        return deal

    def end_request(self):
        """What the end of a request does before its commit: pending
        changes written, the pre-commit hooks run (the history's queue);
        nothing kept in memory for the next one."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()

    def track(self, deal, values, days):
        """Write ``values`` on the deal as a user would, let Odoo track the
        change in the chatter, and date the tracking message ``days`` after
        t0."""
        self.env.cr.execute(
            "SELECT COALESCE(MAX(id), 0) FROM mail_message WHERE model = 'crm.lead' AND res_id = %s",
            [deal.id],
        )
        last = self.env.cr.fetchone()[0]
        deal.write(values)
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.cr.execute(
            """UPDATE mail_message SET date = %s
                WHERE model = 'crm.lead' AND res_id = %s AND id > %s
                  AND id IN (SELECT mail_message_id FROM mail_tracking_value)
            RETURNING id""",
            [self.day(days), deal.id, last],
        )
        self.assertTrue(self.env.cr.fetchall(), f"Odoo tracked {values}")

    def currency_team(self, code):
        """A company keeping its books in the currency ``code``, a team of
        its own and a stage of 50 % of that team."""
        currency = self.env.ref(f"base.{code}")
        currency.active = True
        company = self.env["res.company"].create({"name": f"{code} Co", "currency_id": currency.id})
        self.env.user.company_ids |= company
        team = self.env["crm.team"].create({"name": f"{code} team", "company_id": company.id})
        stage = self.env["crm.stage"].create(
            {
                "name": f"{code} half",
                "sequence": 950,
                "forecast_probability": 50,
                "team_id": team.id,
            }
        )
        return currency, company, team, stage

    def print_screen(self, params, **context):
        """The Forecast screen's PDF, as HTML, printed by the manager."""
        return (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            .with_context(**context)
            ._render_qweb_html(
                "sales_funnel_forecast.report_forecast_screen", [], data={"sff_params": params}
            )[0]
            .decode()
        )

    def company_deal(self, name, company, team, stage, amount):
        """An opportunity of ``company`` (``currency_team``), created in it."""
        return (
            self.env["crm.lead"]
            .with_company(company)
            .create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": stage.id,
                    "expected_revenue": amount,
                    "company_id": company.id,
                }
            )
        )

    def run_job(self, batch_size=2000):
        """The stall rules' daily job, one batch."""
        remaining = self.env["crm.lead"]._cron_apply_stall_rules(batch_size=batch_size)
        self.env.invalidate_all()
        return remaining

    def won_after(self, days):
        """Deals won after ``days`` days each in the first stage (the
        history the stall proposal reads)."""
        for index, spent in enumerate(days):
            self.set_now(self.t0)
            deal = self.make_deal(f"Won {index}", self.s_new, 1000)
            self.set_now(self.day(spent))
            deal.stage_id = self.s_qualified
            deal.action_set_won()

    def deal_through_a_deleted_stage(self):
        """A deal created in the first stage (day 0), moved to a stage
        between Qualified and Proposal (day 1), then to Proposal (day 2), as
        the chatter tracked it; the stage deleted since, its stays gone.
        Returns the deal and the deleted stage's id."""
        gone = self.env["crm.stage"].create(
            {"name": "Gone stage", "sequence": 902, "team_id": self.team.id}
        )
        deal = self.make_deal("Through a deleted stage", self.s_new, 1000)
        self.created(deal)
        self.track(deal, {"stage_id": gone.id}, 1)
        self.track(deal, {"stage_id": self.s_proposal.id}, 2)
        gone_id = gone.id
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM crm_lead_stage_history WHERE lead_id = %s", [deal.id])
        self.env.invalidate_all()
        gone.unlink()
        return deal, gone_id

    def created(self, deal, days=0):
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", [self.day(days), deal.id]
        )

    def day(self, days, hours=0):
        return self.t0 + timedelta(days=days, hours=hours)

    def import_deals(self, column, values):
        """Deals as an import of a spreadsheet makes them, in the team's
        qualified stage at 1,000: one per value of ``column``."""
        Lead = self.env["crm.lead"]
        result = Lead.load(
            ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue", column],
            [
                [
                    f"Imported {chr(ord('A') + index)}",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_qualified.id),
                    "1000",
                    value,
                ]
                for index, value in enumerate(values)
            ],
        )
        self.assertFalse(result["messages"], result["messages"])
        return Lead.browse(result["ids"])

    def catalogue_team(self, name):
        """A new team with the 4-step catalogue applied, and its stages in
        the pipeline's order."""
        team = self.env["crm.team"].create({"name": name})
        return team, apply_catalogue(self.env, team)._sff_sorted()

    def opportunity_and_leads(self, domain):
        """An opportunity of the test team at Proposal (3,000) of no
        salesperson, and two leads of no team (100 and 200): the first
        written from the opportunity's email address at ``domain``, so
        that a conversion merging duplicates merges it into it."""
        existing = self.make_deal(
            "existing", self.s_proposal, 3000, email_from=f"buyer@{domain}", user_id=False
        )
        lead_values = {"type": "lead", "user_id": False, "team_id": False}
        leads = self.make_deal(
            "lead dup", self.s_new, 100, email_from=f"buyer@{domain}", **lead_values
        ) | self.make_deal(
            "lead other", self.s_new, 200, email_from=f"other@{domain}", **lead_values
        )
        return existing, leads

    def mass_convert(self, leads, team, user=None):
        """Odoo's mass Convert dialog on ``leads`` (as ``user``, else the
        test's user), merging duplicates, into ``team`` for the rep."""
        Wizard = self.env["crm.lead2opportunity.partner.mass"]
        if user:
            Wizard = Wizard.with_user(user)
        Wizard.with_context(active_model="crm.lead", active_ids=leads.ids).create(
            {
                "name": "convert",
                "action": "nothing",
                "deduplicate": True,
                "team_id": team.id,
                "user_ids": [Command.set(self.rep.ids)],
                "force_assignment": True,
            }
        ).action_mass_convert()

    def make_deal(self, name, stage, revenue=0.0, **values):
        return self.env["crm.lead"].create(
            dict(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": stage.id,
                    "expected_revenue": revenue,
                    "user_id": self.rep.id,
                },
                **values,
            )
        )

    def stays(self, deal):
        """The deal's stays, oldest first, as (stage, previous stage, date in,
        date out) tuples."""
        return [
            (row.stage_id, row.previous_stage_id, row.date_in, row.date_out)
            for row in deal.stage_history_ids.sorted(lambda row: (row.date_in, row.id))
        ]

    def open_stays(self, deals):
        return deals.stage_history_ids.filtered(lambda row: not row.date_out)


# a target plan's columns in an imported file, as the form asks for them
PLAN_COLUMNS = [
    "name",
    "team_id/.id",
    "date_from",
    "date_to",
    "revenue_target",
    "average_deal_value",
    "win_rate",
    "sales_cycle_days",
]


class ImportCase(FunnelCase):
    """Files imported as the Import screen runs them: the users may export
    (and so import); ``load()`` as the user, in the user's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        export = cls.env.ref("base.group_allow_export")
        (cls.rep | cls.manager | cls.other_rep).write({"groups_id": [(4, export.id)]})

    def load(self, model, columns, rows, user=None, **context):
        """``load()`` as the Import screen runs it for ``user`` (else the
        test's user), in the user's language, on the rows of a file (cells
        as text, False an empty cell)."""
        self.env.flush_all()
        rows = [["" if cell is False else str(cell) for cell in row] for row in rows]
        Model = self.env[model].with_context(active_test=False, import_file=True, **context)
        if user:
            Model = Model.with_user(user).with_context(lang=user.lang)
        return Model.load(columns, rows)


class CostsCase(FunnelCase):
    """Costs measured in queries for a small and a larger number of records
    (``SIZES``), the request's end (flush, pre-commit hooks) included."""

    SIZES = (1, 50)

    def deals(self, size, **values):
        return self.env["crm.lead"].create(
            [
                dict(
                    {
                        "name": f"Costs {size} {index}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "stage_id": self.s_new.id,
                        "expected_revenue": 1000,
                        "user_id": self.rep.id,
                    },
                    **values,
                )
                for index in range(size)
            ]
        )

    def queries(self, prepare, act):
        """The queries of ``act(prepare(size))`` for each of ``SIZES``."""
        counts = []
        for size in self.SIZES:
            prepared = prepare(size)
            self.end_request()
            before = self.env.cr.sql_log_count
            act(prepared)
            self.end_request()
            counts.append(self.env.cr.sql_log_count - before)
        return counts


class ReadOnlyMixin:
    """Tests of paths that must not write (a read-only request's)."""

    @contextmanager
    def read_only(self):
        """The block runs in a read-only transaction, as a read-only
        request's: any write fails. What the test wrote before is written
        first; the block's own work at commit (precommit hooks) too."""
        cr = self.env.cr
        self.env.flush_all()
        cr.flush()
        savepoint = cr.savepoint(flush=False)
        try:
            cr.execute("SET LOCAL transaction_read_only = on")
            yield
            self.assertFalse(
                cr.precommit.data.get(PENDING_KEY), "nothing queued to write at commit"
            )
            self.env.flush_all()
            cr.flush()
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()
