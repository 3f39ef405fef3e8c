# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A security review of the module's paths: what a salesperson limited to
own documents, a user of another company or a manager reaches through the
module's reports, superuser reads and context keys, beyond what their
groups and record rules give them."""

from odoo.tests import tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestSecurityAudit(FunnelCase):
    def setUp(self):
        super().setUp()
        self.customer = self.env["res.partner"].create({"name": "Shared Customer"})

    def _status_in_funnel(self, user, deal):
        """The customer status the funnel analysis gives ``user`` for the
        row of ``deal`` at the team's first stage (grouped by it, as its
        pivot does): {status: deals}."""
        return dict(
            self.env["crm.funnel.report"]
            .with_user(user)
            ._read_group(
                [("lead_id", "=", deal.id), ("stage_id", "=", self.s_new.id)],
                ["partner_status"],
                ["reached:sum"],
            )
        )

    def test_funnel_customer_status_from_the_deals_the_reader_reads(self):
        """The funnel analysis's Customer Status is worked out from the deals
        the reader may read, as the customer's own status is: a rep limited to
        own deals whose one deal with the customer is lost reads the customer
        inactive, not active because of a colleague's open deal (nor of
        another company's)."""
        mine = self.make_deal("Mine, lost", self.s_new, 100, partner_id=self.customer.id)
        mine.action_set_lost()
        self.make_deal(
            "Colleague's, open",
            self.s_new,
            900,
            partner_id=self.customer.id,
            user_id=self.other_rep.id,
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        # the customer as the rep reads it: inactive (their one deal is lost)
        partner = self.env["res.partner"].with_user(self.rep).browse(self.customer.id)
        self.assertEqual(partner.funnel_status, "inactive")
        # the funnel: the deal's row, inactive
        self.assertEqual(self._status_in_funnel(self.rep, mine), {"inactive": 1})
        # the manager reads both deals: the customer is active
        self.assertEqual(self._status_in_funnel(self.manager, mine), {"active": 1})

    def test_funnel_customer_status_stays_in_the_readers_companies(self):
        """A manager of one company does not learn from the funnel that the
        customer has an open deal in another company."""
        other = self.env["res.company"].create({"name": "Audit Other Co"})
        here_only = company_user(
            self.env, "sff_audit_here", "Here Only", "sales_team.group_sale_manager", self.company
        )
        mine = self.make_deal(
            "Here, lost", self.s_new, 100, partner_id=self.customer.id, user_id=here_only.id
        )
        mine.action_set_lost()
        self.make_deal(
            "Other company, open",
            self.s_new,
            900,
            partner_id=self.customer.id,
            user_id=False,
            company_id=other.id,
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertEqual(self._status_in_funnel(here_only, mine), {"inactive": 1})
