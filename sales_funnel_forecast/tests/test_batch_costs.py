# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Costs of one call on many records: the module's queries of an import, a
mass edit or a job on 10 deals and on 100 are the same few, not a few more
per deal (test_costs.py measures 1 and 50 records of other paths)."""

from datetime import datetime
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .common import CostsCase, make_plan


@tagged("post_install", "-at_install")
class TestBatchCosts(CostsCase):
    SIZES = (10, 100)

    def matching(self, prepare, act, text):
        """The queries containing ``text`` run by ``act(prepare(size))`` for
        10 and 100 records, the request's end (flush, pre-commit hooks)
        included."""
        return self.counted(prepare, act, text)[1]

    def counted(self, prepare, act, text):
        """The queries run by ``act(prepare(size))`` for 10 and 100 records,
        and those of them containing ``text``, the request's end (flush,
        pre-commit hooks) included."""
        totals, counts, seen = [], [], []
        execute = type(self.env.cr).execute

        def counting(cr, query, params=None, log_exceptions=True):
            code = query.code if hasattr(query, "code") else query
            if text in (code if isinstance(code, str) else code.decode()):
                seen.append(code)
            return execute(cr, query, params, log_exceptions)

        for size in self.SIZES:
            prepared = prepare(size)
            self.end_request()
            before, seen_before = self.env.cr.sql_log_count, len(seen)
            with patch.object(type(self.env.cr), "execute", counting):
                act(prepared)
                self.end_request()
            totals.append(self.env.cr.sql_log_count - before)
            counts.append(len(seen) - seen_before)
        return totals, counts

    def test_import_looks_up_the_live_chat_source_once(self):
        """200 deals imported or created in one call, of no source: whether
        each came from a live chat is asked of the external ids once for the
        call, not once per deal (an id not found, as crm_livechat's source
        where it is not installed, is not kept by Odoo's cache): 100 deals
        read the external ids at most once, not 100 times."""
        self.assertFalse(self.env.ref("crm_livechat.utm_source_livechat", False))
        created = self.matching(lambda size: size, self.deals, "FROM ir_model_data")
        # the first call warms Odoo's caches: 100 deals read them no more
        self.assertLessEqual(created[1], min(created[0], 1), created)
        imported = self.matching(
            lambda size: size,
            lambda size: self.env["crm.lead"].load(
                ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue"],
                [
                    [f"Imported {size} {index}", "opportunity", str(self.team.id)]
                    + [str(self.s_qualified.id), "1000"]
                    for index in range(size)
                ],
            ),
            "FROM ir_model_data",
        )
        self.assertLessEqual(imported[1], min(imported[0], 1), imported)

    def test_calls_moved_to_another_deal_together(self):
        """A rep selects the calls logged on the wrong deals in the Call Log
        list and sets the right deal on all of them at once: 10 calls and 100
        calls cost the same queries (each call's note follows it to the
        deal, the notes written together, not two queries per note). The
        deal has the 100 calls and their 100 notes."""
        right = self.make_deal("Right deal", self.s_new, 1000)

        def calls(size):
            return self.env["crm.lead.call"].create(
                [{"lead_id": deal.id, "outcome": "no_answer"} for deal in self.deals(size)]
            )

        moved = []
        counts = self.queries(
            calls, lambda calls: moved.append(calls) or calls.write({"lead_id": right.id})
        )
        # Odoo's cache of the first write warms: 100 calls cost no more
        self.assertLessEqual(counts[1], counts[0], counts)
        self.assertEqual(right.call_count, 110)
        self.assertEqual(
            self.env["mail.message"].search_count(
                [("id", "in", moved[1].message_id.ids), ("res_id", "=", right.id)]
            ),
            100,
        )

    def test_plan_actuals_job_reads_every_plan_at_once(self):
        """The nightly refresh of the target plans' actuals, on a team whose
        10 (then 100) salespeople each have a plan of their own: the same
        queries for 100 plans as for 10, not three per plan. Each
        salesperson created one deal and won it in March 2027: each plan
        counts 1 new lead and 1 deal won in March, in Q1 and in the year."""
        self.set_now(datetime(2027, 3, 10, 9, 0))
        plans = []

        def team_plans(size):
            team = self.env["crm.team"].create({"name": f"Plans of {size}"})
            users = self.env["res.users"].create(
                [
                    {
                        "name": f"Seller {size} {index}",
                        "login": f"sff_seller_{size}_{index}",
                        "groups_id": [Command.set(self.rep.groups_id.ids)],
                    }
                    for index in range(size)
                ]
            )
            team.crm_team_member_ids = [Command.create({"user_id": user.id}) for user in users]
            won = self.env["crm.stage"].create(
                {"name": f"Won {size}", "is_won": True, "team_id": team.id}
            )
            self.env["crm.lead"].create(
                [
                    {
                        "name": f"Won by {user.name}",
                        "type": "opportunity",
                        "team_id": team.id,
                        "user_id": user.id,
                        "stage_id": won.id,
                        "expected_revenue": 1000,
                    }
                    for user in users
                ]
            )
            plans.append(
                self.env["crm.target.plan"].concat(
                    *(
                        make_plan(
                            self.env,
                            team,
                            name=f"Plan of {user.name}",
                            user_id=user.id,
                            company_id=self.company.id,
                        )
                        for user in users
                    )
                )
            )
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE crm_lead SET date_closed = '2027-03-10 10:00:00' WHERE team_id = %s",
                [team.id],
            )
            # the actuals as they were before the night: none
            self.env.cr.execute(
                "UPDATE crm_target_plan_period SET actual_new_leads = 0, actual_deals_won = 0"
                " WHERE plan_id = ANY(%s)",
                [plans[-1].ids],
            )
            self.env.invalidate_all()

        totals, updates = self.counted(
            team_plans,
            lambda _prepared: self.env["crm.target.plan"]._cron_refresh_actuals(),
            'UPDATE "crm_target_plan_period"',
        )
        # Odoo writes the periods (17 a plan: 12 months, 4 quarters, the
        # year) 100 rows an UPDATE: 1,700 rows in 17 to 34; and reads them
        # 1,000 a query (2 for 1,700, 1 for 170); the rest are the same
        # queries for 100 plans as for 10
        self.assertLessEqual(max(updates), 34, updates)
        self.assertLessEqual(totals[1] - updates[1], totals[0] - updates[0] + 1, (totals, updates))
        for plan in plans[1]:
            self.assertEqual(
                sorted(
                    (period.period_type, str(period.date_from), period.actual_new_leads)
                    for period in plan.period_ids
                    if period.actual_new_leads or period.actual_deals_won
                ),
                [
                    ("month", "2027-03-01", 1),
                    ("quarter", "2027-01-01", 1),
                    ("year", "2027-01-01", 1),
                ],
                plan.name,
            )
            self.assertEqual(sum(plan.period_ids.mapped("actual_deals_won")), 3, plan.name)
