# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Costs that grow with the change, not with the database: the queries of
a path for one record and for fifty, and the rows a job or a filter reads
(PostgreSQL's statistics of the transaction, with every index it may use:
the tables are small here). Speed itself is measured by bench/, not here."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import CostsCase


@tagged("post_install", "-at_install")
class TestCostsGrowWithTheChange(CostsCase):
    SIZES = (1, 50)

    def rows_read(self, table, act):
        """Rows of ``table`` read by ``act``, with sequential scans, hash and
        merge joins off: the plans a large table gets, where reading a few
        rows by their index beats reading them all."""
        cr = self.env.cr

        def read():
            cr.execute(
                """SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0)
                     FROM pg_stat_xact_user_tables WHERE relname = %s""",
                [table],
            )
            return cr.fetchone()[0]

        self.env.flush_all()
        cr.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off;"
            " SET LOCAL enable_mergejoin = off"
        )
        before = read()
        act()
        rows = read() - before
        cr.execute(
            "SET LOCAL enable_seqscan = on; SET LOCAL enable_hashjoin = on;"
            " SET LOCAL enable_mergejoin = on"
        )
        return rows

    def message_reads(self, act):
        """The SELECTs on messages that ``act`` runs, the request's end
        included."""
        seen = []
        execute = type(self.env.cr).execute

        def counting(cr, query, params=None, log_exceptions=True):
            text = query if isinstance(query, str) else query.code
            if text.lstrip().startswith("SELECT") and 'FROM "mail_message"' in text:
                seen.append(text)
            return execute(cr, query, params, log_exceptions)

        with patch.object(type(self.env.cr), "execute", counting):
            act()
            self.end_request()
        return len(seen)

    def test_messages_on_many_deals(self):
        """A stage written on 50 deals: Odoo tracks it in a message per deal;
        the last activity's hook on messages reads none of them back (it
        reads the values written)."""
        reads = []
        for size in (1, 50):
            deals = self.deals(size)
            self.end_request()
            reads.append(
                self.message_reads(
                    lambda deals=deals: deals.write({"stage_id": self.s_qualified.id})
                )
            )
        # Odoo reads each of its tracking messages once (a read per deal);
        # the hook adds none
        self.assertLessEqual(reads[1] - reads[0], 49, reads)

    def test_calls_logged_in_one_create(self):
        """50 calls in one create (an import) cost a few queries more than
        one, not a chatter note each (on deals attempted already: a status
        change is tracked in the chatter by Odoo, a message per deal)."""
        one, fifty = self.queries(
            lambda size: self.deals(size, contact_status="attempted"),
            lambda deals: self.env["crm.lead.call"].create(
                [{"lead_id": deal.id, "outcome": "no_answer"} for deal in deals]
            ),
        )
        self.assertLessEqual(fifty, one + 15, (one, fifty))

    def test_category_chosen_on_many_deals(self):
        one, fifty = self.queries(
            self.deals, lambda deals: deals.write({"forecast_category": "commit"})
        )
        self.assertLessEqual(fifty, one + 15, (one, fifty))

    def test_overdue_job_reads_the_deals_with_invoices(self):
        """The daily overdue job reads the deals with invoices or an overdue
        amount, not every deal."""
        self.deals(200)
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT count(*) FROM crm_lead
                WHERE overdue_amount <> 0
                   OR id IN (SELECT opportunity_id FROM account_move WHERE state = 'posted')"""
        )
        concerned = self.env.cr.fetchone()[0]
        rows = self.rows_read(
            "crm_lead", lambda: self.env["crm.lead"]._cron_refresh_overdue_amounts()
        )
        # each deal concerned read once from the index, once as the row
        # updated, once for the invoices (the whole table: four times as
        # many here)
        self.assertLessEqual(rows, 3 * concerned + 10, (rows, concerned))

    def test_slipped_filter_reads_the_slipped_versions(self):
        """The deals' "Slipped" filter reads the versions that slipped."""
        self.set_now(self.t0)
        deals = self.deals(50)
        self.end_request()
        self.set_now(self.day(1))
        deals[:5].write({"date_deadline": "2030-01-01"})
        self.end_request()
        self.set_now(self.day(2))
        deals[:5].write({"date_deadline": "2031-01-01"})
        self.end_request()
        self.env.cr.execute("SELECT count(*) FROM crm_lead_forecast_version WHERE slip_days > 0")
        slipped = self.env.cr.fetchone()[0]
        found = []
        rows = self.rows_read(
            "crm_lead_forecast_version",
            lambda: found.append(self.env["crm.lead"].search([("slip_count", ">", 0)])),
        )
        self.assertEqual(found[0] & deals, deals[:5])
        self.assertLessEqual(rows, slipped + 10, (rows, slipped))
