# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Costs of one call on many records: the module's queries of an import, a
mass edit or a job on 10 deals and on 100 are the same few, not a few more
per deal (test_costs.py measures 1 and 50 records of other paths)."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestBatchCosts(FunnelCase):
    def deals(self, size, **values):
        return self.env["crm.lead"].create(
            [
                dict(
                    {
                        "name": f"Batch {size} {index}",
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
        """The queries of ``act(prepare(size))`` for 10 and 100 records, the
        request's end (flush, pre-commit hooks) included."""
        counts = []
        for size in (10, 100):
            prepared = prepare(size)
            self.end_request()
            before = self.env.cr.sql_log_count
            act(prepared)
            self.end_request()
            counts.append(self.env.cr.sql_log_count - before)
        return counts

    def matching(self, prepare, act, text):
        """The queries containing ``text`` run by ``act(prepare(size))`` for
        10 and 100 records, the request's end (flush, pre-commit hooks)
        included."""
        counts = []
        execute = type(self.env.cr).execute
        for size in (10, 100):
            prepared = prepare(size)
            self.end_request()
            seen = []

            def counting(cr, query, params=None, log_exceptions=True, seen=seen):
                code = query.code if hasattr(query, "code") else query
                if text in (code if isinstance(code, str) else code.decode()):
                    seen.append(code)
                return execute(cr, query, params, log_exceptions)

            with patch.object(type(self.env.cr), "execute", counting):
                act(prepared)
                self.end_request()
            counts.append(len(seen))
        return counts

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
