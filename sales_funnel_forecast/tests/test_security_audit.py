# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A security review of the module's paths: what a salesperson limited to
own documents, a user of another company or a manager reaches through the
module's reports, superuser reads and context keys, beyond what their
groups and record rules give them."""

from datetime import date
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import FunnelCase, company_user, make_plan


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

    def test_funnel_target_conversions_of_other_teams_plans(self):
        """A salesperson limited to own deals reads the target plans of their
        own teams only (the plans' rule, as quota attainment and the sales
        process report keep to it): the funnel analysis does not show them
        another team's target conversions either, on that team's unassigned
        deals they read, whether the pivot reads the rows or the monthly
        totals. A member of the team reads them."""
        year = fields.Date.context_today(self.env.user).year
        make_plan(
            self.env,
            self.team,
            date_from=date(year, 1, 1),
            date_to=date(year, 12, 31),
            stage_line_ids=[Command.create({"stage_id": self.s_new.id, "conversion": 40})],
        )
        deal = self.make_deal(
            "Unassigned", self.s_new, 100, user_id=False, company_id=self.company.id
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        Plan = self.env["crm.target.plan"]
        self.assertFalse(Plan.with_user(self.rep).search([("team_id", "=", self.team.id)]))
        Report = self.env["crm.funnel.report"]
        by_rows = [("lead_id", "=", deal.id), ("stage_id", "=", self.s_new.id)]
        by_totals = [("team_id", "=", self.team.id), ("stage_id", "=", self.s_new.id)]
        Summary = type(self.env["crm.funnel.summary"])
        answers = []

        def read_totals(summary, *args, **kwargs):
            answers.append(Summary_read_group_for(summary, *args, **kwargs))
            return answers[-1]

        Summary_read_group_for = Summary._sff_read_group_for
        for domain in (by_rows, by_totals):
            answers.clear()
            with patch.object(Summary, "_sff_read_group_for", read_totals):
                [(reached, target)] = Report.with_user(self.rep)._read_group(
                    domain, [], ["reached:sum", "target_conversion_rate:avg"]
                )
            self.assertEqual((reached, target), (1, False), domain)
            if domain is by_totals:
                # still answered from the totals, the others' targets left out
                self.assertTrue(answers and answers[-1] is not None, domain)
                grouped = Report.with_user(self.rep)._read_group(
                    domain, ["stage_id"], ["reached:sum", "target_conversion_rate:avg"]
                )
                self.assertEqual(grouped, [(self.s_new.with_user(self.rep), 1, False)])
            [(reached, target)] = Report.with_user(self.manager)._read_group(
                domain, [], ["reached:sum", "target_conversion_rate:avg"]
            )
            self.assertEqual((reached, target), (1, 40.0), domain)
        # a member of the team reads its plan, and its targets
        member = new_test_user(
            self.env, login="sff_audit_member", groups="sales_team.group_sale_salesman"
        )
        self.team.member_ids = [Command.link(member.id)]
        self.assertTrue(Plan.with_user(member).search([("team_id", "=", self.team.id)]))
        for domain in (by_rows, by_totals):
            [(target,)] = Report.with_user(member)._read_group(
                domain, [], ["target_conversion_rate:avg"]
            )
            self.assertEqual(target, 40.0, domain)
            [(_stage, target)] = Report.with_user(member)._read_group(
                domain, ["stage_id"], ["target_conversion_rate:avg"]
            )
            self.assertEqual(target, 40.0, domain)
