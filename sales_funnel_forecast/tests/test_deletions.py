# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deleting what the module's records point to: refused with a message
naming what holds it, or done with every figure still right."""

from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.crm_lead_stall import STALL_ACTIVITY_TYPE
from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestDeletions(FunnelCase):
    def test_company_with_deals_is_archived_not_deleted(self):
        """Odoo keeps a deleted company's deals, their company emptied; the
        stays, versions and calls are the company's: the deletion is
        refused, and nothing is lost."""
        other = self.env["res.company"].create({"name": "Doomed Company"})
        self.env.user.company_ids |= other
        team = self.env["crm.team"].create({"name": "Doomed team", "company_id": other.id})
        self.set_now(self.t0)
        deal = self.make_deal(
            "Doomed deal", self.s_new, 500, team_id=team.id, user_id=False, company_id=other.id
        )
        self.env["crm.lead.call"].create({"lead_id": deal.id, "outcome": "no_answer"})
        self.set_now(self.day(1))
        deal.stage_id = self.s_qualified
        self.end_request()
        with self.assertRaisesRegex(UserError, "One lead or deal belongs to this company"):
            other.unlink()
        self.assertEqual((len(deal.stage_history_ids), deal.call_count), (2, 1))
        # a company without deals goes
        self.env["res.company"].create({"name": "Empty Company"}).unlink()
        self.assertStructuresHold("a company deleted")

    def test_stall_type_is_kept_for_the_stall_rules(self):
        """The "Stalled Deal" activity type is refused deletion; were it
        gone (a database where it was deleted before), merges and the stall
        job still work, the to-do then a plain To-Do."""
        stalled = self.env.ref(STALL_ACTIVITY_TYPE)
        with self.assertRaisesRegex(UserError, "archive it instead"):
            stalled.unlink()
        self.env["ir.model.data"].search(
            [("module", "=", "sales_funnel_forecast"), ("name", "=", "mail_activity_type_stalled")]
        ).unlink()
        self.env.registry.clear_cache()
        self.s_new.write({"stall_days": 1, "stall_action": "flag"})
        self.set_now(self.t0)
        deal = self.make_deal("Stalls", self.s_new, 100)
        other = self.make_deal("Merged", self.s_qualified, 200)
        self.set_now(self.day(3))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.assertEqual(
            deal.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        self.assertEqual(len((deal | other).merge_opportunity()), 1)

    def test_team_with_plans_is_not_deleted(self):
        """A team's plan does not become the whole company's when the team
        goes: the deletion is refused, naming the plan."""
        team = self.env["crm.team"].create({"name": "Planned team"})
        plan = make_plan(self.env, team, name="Team plan 2027")
        with self.assertRaisesRegex(UserError, "Team plan 2027"):
            team.with_user(self.manager).unlink()
        plan.unlink()
        team.with_user(self.manager).unlink()
        self.assertFalse(team.exists())

    def test_salesperson_with_a_plan_is_not_deleted(self):
        """A team plan of 10,000 a month split half and half: the team's
        line stays 10,000 (its plan), each share 5,000; the salesperson of a
        share is archived, not deleted (their share would join the team's
        line)."""
        gone = self.env["res.users"].create(
            {
                "name": "Gus Gone",
                "login": "gus_gone",
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        plan = make_plan(self.env, self.team)
        plan._sff_split({self.rep: 1, gone: 1})
        Submission = self.env["crm.forecast.submission"]
        quotas = Submission._sff_quotas(self.team, self.rep | gone, "month", date(2027, 1, 1))
        self.assertEqual(quotas, {False: 10000.0, self.rep.id: 5000.0, gone.id: 5000.0})
        with self.assertRaisesRegex(UserError, "These users have target plans"):
            gone.unlink()
        gone.active = False
        quotas = Submission._sff_quotas(self.team, self.rep, "month", date(2027, 1, 1))
        self.assertEqual(quotas[False], 10000.0)
