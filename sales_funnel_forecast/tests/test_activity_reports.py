# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestLeadSourceReport(FunnelCase):
    def test_new_leads_by_source_and_origin_type(self):
        referral = self.env.ref("sales_funnel_forecast.utm_source_referral")
        search = self.env.ref("utm.utm_source_search_engine")
        cold = self.env.ref("sales_funnel_forecast.utm_source_cold_call")
        Lead = self.env["crm.lead"]
        leads = Lead.create(
            [
                {
                    "name": "Ref lead",
                    "type": "lead",
                    "source_id": referral.id,
                    "team_id": self.team.id,
                },
                {
                    "name": "Ref opp",
                    "type": "opportunity",
                    "source_id": referral.id,
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                    "expected_revenue": 1000,
                },
                {
                    "name": "Web opp",
                    "type": "opportunity",
                    "source_id": search.id,
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                    "expected_revenue": 2000,
                },
                {
                    "name": "Web lead",
                    "type": "lead",
                    "source_id": search.id,
                    "team_id": self.team.id,
                },
                {
                    "name": "Web lead 2",
                    "type": "lead",
                    "source_id": search.id,
                    "team_id": self.team.id,
                },
                {
                    "name": "Cold opp",
                    "type": "opportunity",
                    "source_id": cold.id,
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                    "expected_revenue": 3000,
                },
                {
                    "name": "Referred by hand",
                    "type": "lead",
                    "referred": "A happy customer",
                    "team_id": self.team.id,
                },
            ]
        )
        self.assertEqual(
            leads.mapped("origin_type"), ["seed", "seed", "net", "net", "net", "spear", "seed"]
        )
        leads[1].action_set_won()
        leads[3].convert_opportunity(self.env["res.partner"])
        # a rep may say otherwise: the deal keeps it
        leads[4].origin_type = "spear"
        groups = self.env["crm.lead.source.report"]._read_group(
            [("lead_id", "in", leads.ids)],
            ["source_id"],
            ["new_count:sum", "opportunity_count:sum", "won_count:sum", "won_amount:sum"],
        )
        figures = {source: values for source, *values in groups}
        self.assertEqual(figures[referral], [2, 1, 1, 1000.0])
        self.assertEqual(figures[search], [3, 2, 0, 0.0])
        self.assertEqual(figures[cold], [1, 1, 0, 0.0])
        by_type = dict(
            self.env["crm.lead.source.report"]._read_group(
                [("lead_id", "in", leads.ids)], ["origin_type"], ["new_count:sum"]
            )
        )
        self.assertEqual(by_type, {"seed": 3, "net": 2, "spear": 2})


@tagged("post_install", "-at_install")
class TestSalesProcessReport(FunnelCase):
    def test_week_by_rep(self):
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.set_now(self.t0)  # a Monday
        deal = self.make_deal("Process", self.s_new, 1000)
        other = self.make_deal("Other rep", self.s_new, 1000, user_id=self.other_rep.id)
        self.set_now(self.day(2))
        deal.stage_id = self.s_proposal  # reaches T-Qualified (skipped) and T-Proposal
        product = self.env["product.product"].create({"name": "Funnel service", "list_price": 100})
        # the deal's New Quotation button: its salesperson and team
        # (sale_crm's defaults), who the quotation counts for
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env.ref("base.res_partner_2").id,
                "opportunity_id": deal.id,
                "user_id": deal.user_id.id,
                "team_id": deal.team_id.id,
                "date_order": self.day(2),
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": 3, "price_unit": 250}
                    )
                ],
            }
        )
        order.action_quotation_sent()
        self.env["sale.order"].create(
            {  # a draft: not sent, not counted
                "partner_id": self.env.ref("base.res_partner_2").id,
                "opportunity_id": deal.id,
                "order_line": [Command.create({"product_id": product.id, "price_unit": 999})],
            }
        )
        deal.message_post(body="Called the buyer", message_type="comment")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message SET date = %s WHERE model = 'crm.lead' AND res_id = %s AND message_type = 'comment'",
            [self.day(3), deal.id],
        )
        Report = self.env["crm.sales.process.report"]
        domain = [
            ("lead_id", "in", (deal | other).ids),
            ("date", ">=", self.t0),
            ("date", "<", self.t0 + timedelta(days=7)),
        ]
        figures = {
            user: values
            for user, *values in Report._read_group(
                domain,
                ["user_id"],
                [
                    "new_count:sum",
                    "reached_count:sum",
                    "quotation_count:sum",
                    "quotation_amount:sum",
                    "activity_count:sum",
                ],
            )
        }
        # Rita: 1 new deal; stages reached: T-Prospect, T-Qualified, T-Proposal;
        # 1 quotation sent of 750 untaxed; 1 message logged
        self.assertEqual(figures[self.rep], [1, 3, 1, 750.0, 1])
        self.assertEqual(figures[self.other_rep], [1, 1, 0, 0.0, 0])
        # product filter: the deal quoted the product
        self.assertEqual(Report.search(domain + [("product_id", "=", product.id)]).lead_id, deal)

    def test_done_activity_counts_as_activity(self):
        """An activity marked done on a deal counts in the week it was done,
        beside the messages logged."""
        self.set_now(self.t0)
        deal = self.make_deal("Process activity", self.s_new, 1000)
        activity = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "res_id": deal.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "user_id": self.rep.id,
                "summary": "Call the buyer",
            }
        )
        # marked done by the salesperson who made the call (a call counts
        # for who made it)
        activity.with_user(self.rep).action_feedback(feedback="Reached the buyer")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message SET date = %s WHERE model = 'crm.lead' AND res_id = %s "
            "AND mail_activity_type_id IS NOT NULL",
            [self.day(1), deal.id],
        )
        Report = self.env["crm.sales.process.report"]
        week = [
            ("lead_id", "=", deal.id),
            ("date", ">=", self.t0),
            ("date", "<", self.t0 + timedelta(days=7)),
        ]
        self.assertEqual(
            Report._read_group(week, ["user_id"], ["activity_count:sum"]), [(self.rep, 1)]
        )
        # the report opens week by week
        arch = Report.get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        self.assertIn('interval="week"', arch)


@tagged("post_install", "-at_install")
class TestRepComparisonReport(FunnelCase):
    def test_stage_by_rep_with_activity_while_in_stage(self):
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.set_now(self.t0)
        mine = self.make_deal("Mine", self.s_new, 1000)
        theirs = self.make_deal("Theirs", self.s_new, 2000, user_id=self.other_rep.id)
        self.set_now(self.day(1))
        mine.stage_id = self.s_qualified
        self.set_now(self.day(2))
        mine.action_set_won()
        theirs.action_set_lost()
        mine.message_post(body="Note while qualified", message_type="comment")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message SET date = %s WHERE model = 'crm.lead' AND res_id = %s AND message_type = 'comment'",
            [self.day(1, 5), mine.id],
        )
        groups = self.env["crm.rep.comparison.report"]._read_group(
            [("team_id", "=", self.team.id)],
            ["stage_id", "user_id"],
            ["reached:sum", "conversion_rate:avg", "won_amount:sum", "activity_count:sum"],
        )
        figures = {(stage, user): values for stage, user, *values in groups}
        self.assertEqual(figures[self.s_new, self.rep], [1, 100.0, 1000.0, 0])
        self.assertEqual(figures[self.s_new, self.other_rep], [1, 0.0, 0.0, 0])
        self.assertEqual(
            figures[self.s_qualified, self.rep],
            [1, 100.0, 1000.0, 1],
            "the note was logged while the deal was qualified",
        )
        # the team: both reps together
        team = {
            stage: values
            for stage, *values in self.env["crm.rep.comparison.report"]._read_group(
                [("team_id", "=", self.team.id)],
                ["stage_id"],
                ["reached:sum", "conversion_rate:avg"],
            )
        }
        self.assertEqual(team[self.s_new], [2, 50.0])
