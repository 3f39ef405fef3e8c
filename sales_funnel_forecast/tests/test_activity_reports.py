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

    def quotation(self, deal, amount):
        product = self.env["product.product"].create({"name": "Quoted work", "list_price": 1})
        return self.env["sale.order"].create(
            {
                "partner_id": self.env.ref("base.res_partner_2").id,
                "opportunity_id": deal.id,
                "user_id": deal.user_id.id,
                "team_id": deal.team_id.id,
                "order_line": [
                    Command.create({"product_id": product.id, "price_unit": amount, "tax_id": []})
                ],
            }
        )

    def quoted(self, deal):
        """The deal's quotations in the report: (day after t0, untaxed)."""
        rows = self.env["crm.sales.process.report"].search(
            [("kind", "=", "quotation"), ("lead_id", "=", deal.id)], order="date, id"
        )
        return [((row.date - self.t0).days, row.quotation_amount) for row in rows]

    def test_quotation_counts_when_it_was_sent(self):
        """Odoo's order date is the confirmation's once an order is
        confirmed, and a cancelled quotation has no state that says it was
        sent: a quotation counts when it was first sent. Sent on day 3 and
        confirmed on day 40: day 3; sent on day 5, cancelled on day 6: day 5;
        confirmed on day 10 without being sent: day 10; sent on day 12, set
        back to a quotation and sent again on day 14: day 12; a draft: not
        counted."""
        self.set_now(self.t0)
        deal = self.make_deal("Quoted deal", self.s_proposal, 10000, user_id=self.rep.id)
        confirmed, cancelled, direct, resent, draft = (
            self.quotation(deal, amount) for amount in (100, 200, 300, 400, 500)
        )
        self.set_now(self.day(3))
        confirmed.action_quotation_sent()
        self.set_now(self.day(5))
        cancelled.action_quotation_sent()
        self.set_now(self.day(6))
        cancelled._action_cancel()
        self.set_now(self.day(10))
        direct.action_confirm()
        self.set_now(self.day(12))
        resent.action_quotation_sent()
        self.set_now(self.day(14))
        resent.action_draft()
        resent.action_quotation_sent()
        self.set_now(self.day(40))
        confirmed.action_confirm()
        self.end_request()
        self.assertEqual(
            (confirmed.state, cancelled.state, direct.state, draft.state),
            ("sale", "cancel", "sale", "draft"),
        )
        self.assertEqual(self.quoted(deal), [(3, 100.0), (5, 200.0), (10, 300.0), (12, 400.0)])
        self.assertFalse(draft.quotation_sent_date)

    def test_quotations_of_before_the_install_are_dated(self):
        """The orders of before the install (or the upgrade): a confirmed
        order whose quotation was emailed on day 3 and confirmed on day 40:
        day 3; marked sent without an email, its order dated day 2: day 2;
        confirmed without an email on day 30: day 30; cancelled after an
        email on day 5: day 5; cancelled without one, and a draft with an
        email: not counted."""
        self.set_now(self.t0)
        deal = self.make_deal("Quoted before", self.s_proposal, 10000, user_id=self.rep.id)
        emailed, marked, direct, cancelled, silent, draft = (
            self.quotation(deal, amount) for amount in (100, 200, 300, 400, 500, 600)
        )
        (emailed + direct).action_confirm()
        marked.action_quotation_sent()
        (cancelled + silent)._action_cancel()
        for order, day in ((emailed, 3), (cancelled, 5), (draft, 7)):
            order.message_post(
                body="Your quotation", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            # a note is no message to the customer
            order.message_post(body="Internal", message_type="comment")
            self.env.flush_all()
            self.env.cr.execute(
                """UPDATE mail_message SET date = %s
                    WHERE model = 'sale.order' AND res_id = %s AND message_type = 'comment'""",
                [self.day(day), order.id],
            )
        dates = {emailed: 40, marked: 2, direct: 30}
        for order, day in dates.items():
            self.env.cr.execute(
                "UPDATE sale_order SET date_order = %s WHERE id = %s", [self.day(day), order.id]
            )
        # the internal notes, dated before the emails, are no message to
        # the customer: they date nothing
        self.env.cr.execute(
            """UPDATE mail_message SET date = %s WHERE model = 'sale.order'
                AND subtype_id = %s""",
            [self.day(1), self.env.ref("mail.mt_note").id],
        )
        self.env.cr.execute(
            "UPDATE sale_order SET quotation_sent_date = NULL WHERE opportunity_id = %s", [deal.id]
        )
        self.env.invalidate_all()
        self.assertEqual(self.env["sale.order"]._sff_fill_quotation_sent_dates(), 4)
        self.assertEqual(self.quoted(deal), [(2, 200.0), (3, 100.0), (5, 400.0), (30, 300.0)])


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
