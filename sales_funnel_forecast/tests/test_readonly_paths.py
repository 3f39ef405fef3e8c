# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The paths a user opens to look at something, as a live server runs them:
on a read-only cursor (a replica's with ``--db_replica_host``) when the
method called is ``@api.readonly`` (web's ``_call_kw_readonly``, which
routes ``/web/dataset/call_kw`` and ``/web/dataset/call_button``), and
writing nothing there."""

from datetime import timedelta
from types import SimpleNamespace
from unittest.mock import patch

from odoo.addons.web.controllers.dataset import DataSet
from odoo.tests import tagged

from .common import FunnelCase, ReadOnlyMixin


@tagged("post_install", "-at_install")
class TestReadOnlyPaths(ReadOnlyMixin, FunnelCase):
    def routed_read_only(self, model, method):
        """Whether the web client's call of ``method`` on ``model`` (a
        button's, an RPC's) gets a read-only cursor: Odoo's own decision
        (``DataSet._call_kw_readonly``), for the request it would send."""
        request = SimpleNamespace(
            get_json_data=lambda: {"params": {"model": model, "method": method}},
            registry=self.env.registry,
        )
        with patch("odoo.addons.web.controllers.dataset.request", request):
            return DataSet()._call_kw_readonly()

    def test_deal_smart_buttons_read_on_the_replica(self):
        """The deal form's Calls and Invoices buttons open lists of what the
        deal already has: the rep's click runs on a read-only cursor (a
        replica's), and lists the deal's 2 calls and 2 invoices, not the
        other deal's."""
        self.set_now(self.day(0))
        deal = self.make_deal("Two calls, two invoices", self.s_proposal, 3000)
        other = self.make_deal("Another deal", self.s_proposal, 1000)
        Call = self.env["crm.lead.call"].with_user(self.rep)
        for target, outcome, hours in (
            (deal, "no_answer", 1),
            (deal, "conversation", 2),
            (other, "conversation", 3),
        ):
            Call.create(
                {
                    "lead_id": target.id,
                    "outcome": outcome,
                    "date": self.day(0) + timedelta(hours=hours),
                }
            )
        self.post_invoice(deal, 500.0, self.company)
        self.post_invoice(deal, 700.0, self.company)
        self.post_invoice(other, 900.0, self.company)
        self.assertEqual(
            [
                method
                for method in ("action_sff_view_calls", "action_view_invoices")
                if not self.routed_read_only("crm.lead", method)
            ],
            [],
            "the smart buttons are routed to a read-only cursor",
        )
        mine = deal.with_user(self.rep)
        with self.read_only():
            calls = mine.action_sff_view_calls()
            invoices = mine.action_view_invoices()
            self.assertEqual(len(self.env["crm.lead.call"].search(calls["domain"])), 2)
            listed = self.env["account.move"].search(invoices["domain"])
            self.assertEqual(sorted(listed.mapped("amount_untaxed")), [500.0, 700.0])
