# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from lxml import etree
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestStageHistory(FunnelCase):
    def test_stays_and_durations(self):
        self.set_now(self.t0)
        deal = self.make_deal("History", self.s_new, 10000)
        self.set_now(self.day(3))
        deal.stage_id = self.s_qualified
        self.set_now(self.day(10, 12))
        deal.stage_id = self.s_proposal
        self.set_now(self.day(12))
        deal.stage_id = self.s_qualified  # the customer went back
        self.set_now(self.day(20))
        deal.action_set_won()

        rows = deal.stage_history_ids.sorted("id")
        self.assertEqual(
            [row.stage_id for row in rows],
            [self.s_new, self.s_qualified, self.s_proposal, self.s_qualified, self.s_won],
        )
        self.assertEqual(
            [row.previous_stage_id for row in rows[1:]],
            [self.s_new, self.s_qualified, self.s_proposal, self.s_qualified],
        )
        self.assertFalse(rows[0].previous_stage_id)
        self.assertEqual(rows.mapped("duration_days")[:4], [3.0, 7.5, 1.5, 8.0])
        self.assertEqual(rows.mapped("is_regression"), [False, False, False, True, False])
        self.assertEqual(rows.mapped("reason"), ["create", "manual", "manual", "manual", "manual"])
        self.assertEqual(rows[0].date_in, self.t0)
        self.assertEqual(rows[1].date_in, self.day(3))
        self.assertEqual(rows[3].date_out, self.day(20))
        self.assertFalse(rows[4].date_out, "the current stay is open")
        self.assertEqual(rows.mapped("probability"), [10.0, 30.0, 60.0, 30.0, 100.0])
        self.assertEqual(rows[0].expected_revenue, 10000.0)
        self.assertEqual(rows.mapped("user_id"), self.rep)
        self.assertEqual(rows.mapped("team_id"), self.team)

    def test_current_stay_duration_is_right_when_read(self):
        self.set_now(self.t0)
        deal = self.make_deal("Current", self.s_new)
        other = self.make_deal("Moved on", self.s_new)
        self.set_now(self.day(2))
        other.stage_id = self.s_qualified
        self.set_now(self.day(5, 12))
        History = self.env["crm.lead.stage.history"]
        self.env.invalidate_all()
        current = self.open_stays(deal)
        self.assertEqual(current.duration_days, 5.5, "now minus entry, no daily job needed")
        # the same rule in filters, sorts and the analysis' averages
        domain = [("lead_id", "in", (deal | other).ids)]
        self.assertEqual(History.search(domain + [("duration_days", ">", 5)]), current)
        self.assertEqual(History.search(domain, order="duration_days desc", limit=1), current)
        [(average,)] = History._read_group(
            domain + [("stage_id", "=", self.s_new.id)], [], ["duration_days:avg"]
        )
        self.assertEqual(average, (5.5 + 2.0) / 2)
        self.set_now(self.day(7))
        self.env.invalidate_all()
        self.assertEqual(self.open_stays(deal).duration_days, 7.0)

    def test_won_stay_counts_the_same_while_current_and_after_reopening(self):
        self.set_now(self.t0)
        deal = self.make_deal("Won then reopened", self.s_proposal, 1000)
        self.set_now(self.day(1))
        deal.action_set_won()
        self.set_now(self.day(4))
        self.env.invalidate_all()
        won_stay = self.open_stays(deal)
        self.assertEqual(won_stay.duration_days, 3.0)
        deal.stage_id = self.s_proposal
        self.assertEqual(won_stay.duration_days, 3.0)
        self.assertEqual(won_stay.date_out, self.day(4))

    def test_same_stage_write_adds_nothing(self):
        deal = self.make_deal("Same", self.s_new)
        deal.write({"stage_id": self.s_new.id, "name": "Same again"})
        self.assertEqual(len(deal.stage_history_ids), 1)

    def test_batch_write_logs_with_constant_queries(self):
        deals = self.env["crm.lead"].create(
            [
                {
                    "name": f"Batch {i}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": self.s_new.id,
                }
                for i in range(60)
            ]
        )
        History = self.env["crm.lead.stage.history"]
        History._sff_flush_pending()
        self.env.flush_all()
        # moves are queued, then written: closing the stays and opening the
        # new ones, in one round trip whatever the number of deals
        with self.assertQueryCount(0, flush=False):
            History.sudo()._sff_record_moves(
                {deal.id: (self.s_new.id, self.s_qualified.id) for deal in deals}
            )
        with self.assertQueryCount(1):
            History._sff_flush_pending()
        # 60 deals moved one write at a time are one batch as well
        for deal in deals:
            deal.write({"stage_id": self.s_proposal.id})
        self.env.flush_all()
        with self.assertQueryCount(1):
            History._sff_flush_pending()
        deals.write({"stage_id": self.s_qualified.id})
        counts = dict(
            History._read_group(
                [("lead_id", "in", deals.ids), ("date_out", "=", False)], ["stage_id"], ["__count"]
            )
        )
        self.assertEqual(counts, {self.s_qualified: 60})
        self.assertEqual(len(deals.stage_history_ids), 60 * 4)

    def test_stays_are_written_before_commit_as_tracking_values_are(self):
        """The stays and funnel rows of a move are written by the
        transaction's pre-commit work, as Odoo writes the chatter's tracking
        values: env.flush_all() writes neither; env.cr.flush(), which every
        commit runs first, writes both, and so does reading the history
        through the ORM."""
        deal = self.make_deal("Queued", self.s_new)
        self.env.cr.flush()
        deal.stage_id = self.s_qualified
        self.env.flush_all()

        def in_sql():
            self.env.cr.execute(
                """SELECT (SELECT count(*) FROM crm_lead_stage_history WHERE lead_id = %(id)s),
                          (SELECT count(*) FROM crm_lead_stage_reach WHERE lead_id = %(id)s),
                          (SELECT count(*) FROM mail_tracking_value tv
                             JOIN mail_message m ON m.id = tv.mail_message_id
                            WHERE m.model = 'crm.lead' AND m.res_id = %(id)s)""",
                {"id": deal.id},
            )
            return self.env.cr.fetchone()

        stays, rows, tracked = in_sql()
        self.assertEqual(
            (stays, tracked), (1, 0), "the move's stay and tracking wait for the commit"
        )
        self.env.cr.flush()
        self.assertEqual(in_sql(), (stays + 1, rows + 1, 1))
        deal.stage_id = self.s_proposal
        self.assertEqual(len(deal.stage_history_ids), 3, "read through the ORM: written first")
        self.assertEqual(in_sql()[0], 3)

    def test_history_cannot_be_made_by_hand(self):
        deal = self.make_deal("Hand", self.s_new)
        History = self.env["crm.lead.stage.history"]
        with self.assertRaises(AccessError):
            History.with_user(self.manager).create(
                {
                    "lead_id": deal.id,
                    "stage_id": self.s_won.id,
                    "date_in": self.t0,
                }
            )
        with self.assertRaises(AccessError):
            deal.stage_history_ids.with_user(self.manager).write({"stage_id": self.s_won.id})
        admin = self.env.ref("base.user_admin")
        with self.assertRaises(AccessError):
            History.with_user(admin).create(
                {
                    "lead_id": deal.id,
                    "stage_id": self.s_won.id,
                    "date_in": self.t0,
                }
            )

    def test_deleting_a_deal_deletes_its_history(self):
        deal = self.make_deal("Gone", self.s_new)
        rows = deal.stage_history_ids
        deal.unlink()
        self.assertFalse(rows.exists())

    def test_unknown_reason_from_context_is_a_move(self):
        deal = self.make_deal("Reason", self.s_new)
        deal.with_context(stage_history_reason="anything; drop").stage_id = self.s_qualified
        self.assertEqual(deal.stage_history_ids.sorted("id")[-1].reason, "manual")
        deal.with_context(stage_history_reason="stall").stage_id = self.s_new
        self.assertEqual(deal.stage_history_ids.sorted("id")[-1].reason, "stall")

    # ------------------------------------------------------------------
    # No stay grows forever
    # ------------------------------------------------------------------
    def test_lost_closes_the_stay_and_restore_opens_one(self):
        self.set_now(self.t0)
        deal = self.make_deal("Lost stay", self.s_qualified)
        self.set_now(self.day(4))
        deal.action_set_lost()
        stay = deal.stage_history_ids
        self.assertEqual(stay.date_out, self.day(4))
        self.assertEqual(stay.duration_days, 4.0)
        self.set_now(self.day(9))
        deal.action_unarchive()
        self.assertEqual(
            self.stays(deal),
            [
                (self.s_qualified, self.env["crm.stage"], self.t0, self.day(4)),
                (self.s_qualified, self.s_qualified, self.day(9), False),
            ],
        )

    def test_archive_and_move_in_one_write(self):
        self.set_now(self.t0)
        deal = self.make_deal("Archive and move", self.s_new)
        self.set_now(self.day(2))
        deal.write({"active": False, "stage_id": self.s_proposal.id})
        self.assertFalse(self.open_stays(deal), "a lost deal has no open stay")
        self.assertEqual(
            self.stays(deal), [(self.s_new, self.env["crm.stage"], self.t0, self.day(2))]
        )

    def test_archived_deals_in_a_batch_of_moves(self):
        self.set_now(self.t0)
        open_deal = self.make_deal("Open", self.s_new)
        lost = self.make_deal("Lost", self.s_new)
        lost.action_set_lost()
        self.set_now(self.day(1))
        (open_deal | lost).with_context(active_test=False).write({"stage_id": self.s_qualified.id})
        self.assertEqual(len(self.open_stays(open_deal)), 1)
        self.assertFalse(self.open_stays(lost))
        self.assertEqual(len(lost.stage_history_ids), 1, "no stay for a lost deal moved")
        self.assertEqual(lost.lost_stage_id, self.s_new, "still lost where it was lost")

    def test_restore_and_move_in_one_write_opens_one_stay(self):
        self.set_now(self.t0)
        deal = self.make_deal("Restore and move", self.s_qualified)
        self.set_now(self.day(1))
        deal.action_set_lost()
        self.set_now(self.day(5))
        deal.write({"active": True, "stage_id": self.s_proposal.id})
        self.assertEqual(
            self.stays(deal),
            [
                (self.s_qualified, self.env["crm.stage"], self.t0, self.day(1)),
                (self.s_proposal, self.s_qualified, self.day(5), False),
            ],
        )
        self.assertEqual(deal.probability, 60.0)

    def test_one_open_stay_per_deal_in_the_database(self):
        deal = self.make_deal("Unique", self.s_new)
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute(
                """INSERT INTO crm_lead_stage_history (lead_id, stage_id, date_in, reason)
                   VALUES (%s, %s, now(), 'manual')""",
                [deal.id, self.s_qualified.id],
            )

    # ------------------------------------------------------------------
    # Days in stage come from the current stay
    # ------------------------------------------------------------------
    def test_days_in_stage_from_the_current_stay(self):
        self.set_now(self.t0)
        waiting = self.make_deal("Waiting", self.s_new)
        moving = self.make_deal("Moving", self.s_new)
        self.set_now(self.day(6))
        # Odoo stamps its last stage update on every deal of the write
        (waiting | moving).write({"stage_id": self.s_new.id})
        moving.stage_id = self.s_qualified
        self.set_now(self.day(9, 23))
        self.env.invalidate_all()
        self.assertEqual(waiting.stage_age_days, 9)
        self.assertEqual(moving.stage_age_days, 3)
        found = self.env["crm.lead"].search(
            [("id", "in", (waiting | moving).ids), ("stage_age_days", ">=", 5)]
        )
        self.assertEqual(found, waiting)
        self.set_now(self.day(10))
        self.env.invalidate_all()
        self.assertEqual(waiting.stage_age_days, 10)

    def test_days_in_stage_restart_on_restore(self):
        self.set_now(self.t0)
        deal = self.make_deal("Restored", self.s_new)
        self.set_now(self.day(3))
        deal.action_set_lost()
        self.assertEqual(deal.stage_age_days, 0, "a lost deal is in no stage")
        self.set_now(self.day(20))
        deal.action_unarchive()
        self.set_now(self.day(22))
        self.env.invalidate_all()
        self.assertEqual(deal.stage_age_days, 2)

    # ------------------------------------------------------------------
    # Company, team and salesperson follow the deal
    # ------------------------------------------------------------------
    def test_history_follows_the_deal_to_another_company(self):
        other = self.env["res.company"].create({"name": "Funnel Moved Co"})
        deal = self.make_deal("Moving company", self.s_new, user_id=False)
        deal.stage_id = self.s_qualified
        deal.company_id = other
        self.assertEqual(deal.stage_history_ids.company_id, other)

    def test_team_change_that_changes_company_moves_the_stays(self):
        other = self.env["res.company"].create({"name": "Funnel Team Co"})
        self.env.user.company_ids |= other
        home_team = self.env["crm.team"].create(
            {"name": "Home company team", "company_id": self.company.id}
        )
        other_team = self.env["crm.team"].create(
            {"name": "Other company team", "company_id": other.id}
        )
        deal = self.make_deal("Team move", self.s_new, user_id=False, team_id=home_team.id)
        deal.stage_id = self.s_qualified
        self.env.cr.flush()  # as a commit would: the next change is another save
        self.assertEqual(deal.company_id, self.company)
        deal.team_id = other_team
        self.assertEqual(deal.company_id, other, "Odoo computes the company from the team")
        self.assertEqual(deal.stage_history_ids.company_id, other)
        # the open stay is now the new team's; the closed one keeps its team
        closed, current = deal.stage_history_ids.sorted("id")
        self.assertEqual((closed.team_id, current.team_id), (home_team, other_team))

    def test_salesperson_change_that_changes_company_moves_the_stays(self):
        other = self.env["res.company"].create({"name": "Funnel Rep Co"})
        self.env.user.company_ids |= other
        far_rep = self.env["res.users"].create(
            {
                "name": "Far Rep",
                "login": "sff_far_rep",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        deal = self.make_deal(
            "Rep move", self.s_new, team_id=False, user_id=False, company_id=self.company.id
        )
        deal.user_id = far_rep
        self.assertEqual(deal.company_id, other)
        self.assertEqual(deal.stage_history_ids.company_id, other)
        self.assertEqual(deal.stage_history_ids.user_id, far_rep)

    # ------------------------------------------------------------------
    # One stage order
    # ------------------------------------------------------------------
    def test_moved_back_follows_the_kanban_order(self):
        """Two stages at one sequence: the pipeline shows them by name
        (Odoo's stage order: sequence, name, id), so "Alpha", created after
        "Zulu", comes first, and a move from Zulu to Alpha is a move back."""
        zulu = self.env["crm.stage"].create(
            {"name": "Zulu", "sequence": 950, "team_id": self.team.id}
        )
        alpha = self.env["crm.stage"].create(
            {"name": "Alpha", "sequence": 950, "team_id": self.team.id}
        )
        self.assertGreater(alpha.id, zulu.id)
        kanban = self.env["crm.stage"].search([("id", "in", (zulu | alpha).ids)])
        self.assertEqual(kanban, alpha | zulu, "the kanban's columns")
        self.assertEqual((zulu | alpha)._sff_sorted(), alpha | zulu)
        deal = self.make_deal("Order", alpha)
        deal.stage_id = zulu
        deal.stage_id = alpha
        rows = deal.stage_history_ids.sorted("id")
        self.assertEqual(rows.mapped("is_regression"), [False, False, True])

    def test_move_into_another_teams_pipeline_is_no_move_back(self):
        """A deal in its team's "Late" stage (sequence 960) handed to
        another team, in that team's "Early" stage (sequence 5): the two
        pipelines' orders say nothing of each other, no move back. Back in
        its own team, from Late to a shared stage placed before it: a move
        back (the shared stages are in every team's pipeline)."""
        other = self.env["crm.team"].create({"name": "Other Pipeline Team"})
        late = self.env["crm.stage"].create(
            {"name": "Late", "sequence": 960, "team_id": self.team.id}
        )
        early = self.env["crm.stage"].create({"name": "Early", "sequence": 5, "team_id": other.id})
        deal = self.make_deal("Handed over", late)
        deal.write({"team_id": other.id, "stage_id": early.id})
        deal.write({"team_id": self.team.id, "stage_id": late.id})
        shared = self.env["crm.stage"].create({"name": "Shared First", "sequence": 950})
        deal.stage_id = shared
        rows = deal.stage_history_ids.sorted("id")
        self.assertEqual(rows.stage_id, late | early | shared)
        self.assertEqual(rows.mapped("is_regression"), [False, False, False, True])

    # ------------------------------------------------------------------
    # Leads and opportunities
    # ------------------------------------------------------------------
    def test_lead_has_no_stay_until_converted(self):
        self.set_now(self.t0)
        lead = self.make_deal("A lead", self.s_new, type="lead")
        self.assertFalse(lead.stage_history_ids)
        lead.stage_id = self.s_qualified
        self.assertFalse(lead.stage_history_ids)
        self.set_now(self.day(4))
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_context(
                active_model="crm.lead",
                active_id=lead.id,
                active_ids=lead.ids,
            )
            .create({"name": "convert", "action": "nothing"})
        )
        wizard.action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.date_conversion, self.day(4))
        row = lead.stage_history_ids
        self.assertEqual(
            (row.stage_id, row.previous_stage_id, row.date_in, row.date_out, row.reason),
            (lead.stage_id, self.env["crm.stage"], self.day(4), False, "create"),
        )

    def test_opportunity_turned_back_into_lead_ends_its_stay(self):
        self.set_now(self.t0)
        deal = self.make_deal("Back to lead", self.s_new)
        self.set_now(self.day(1))
        deal.type = "lead"
        self.assertFalse(self.open_stays(deal))
        self.assertEqual(deal.stage_history_ids.date_out, self.day(1))

    def test_merge_through_the_wizard(self):
        self.set_now(self.t0)
        head = self.make_deal("Merge head", self.s_proposal, 5000, partner_name="Merge Co")
        tail = self.make_deal("Merge tail", self.s_new, 1000, partner_name="Merge Co")
        self.set_now(self.day(1))
        tail.stage_id = self.s_qualified
        tail_rows = tail.stage_history_ids
        self.set_now(self.day(2))
        wizard = (
            self.env["crm.merge.opportunity"]
            .with_context(
                active_model="crm.lead",
                active_ids=(head | tail).ids,
            )
            .create({"opportunity_ids": [(6, 0, (head | tail).ids)]})
        )
        merged = wizard.action_merge()
        merged = self.env["crm.lead"].browse(merged["res_id"])
        self.assertEqual(merged, head, "the deal furthest in the pipeline stays")
        self.assertFalse(tail.exists())
        self.assertFalse(tail_rows.exists(), "the merged deal's stays go with it")
        self.assertEqual(
            self.stays(head), [(self.s_proposal, self.env["crm.stage"], self.t0, False)]
        )
        self.assertEqual(head.probability, 60.0)

    def test_durations_count_24_hour_periods_across_a_clock_change(self):
        """A stay from midnight to midnight two days later in Brussels, over
        the night the clocks go forward, lasted 47 hours: 1.96 days of 24
        hours (not 2 calendar days), the same in the field, its filters and
        the analysis' averages, whatever the user's time zone."""
        self.env.user.tz = "Europe/Brussels"
        # 2026-03-29 00:00 in Brussels (UTC+1), then 2026-03-31 00:00 (UTC+2)
        entered, left = datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 30, 22, 0)
        self.set_now(entered)
        deal = self.make_deal("Over the clock change", self.s_new)
        self.set_now(left)
        deal.stage_id = self.s_qualified
        stay = deal.stage_history_ids.filtered(lambda row: row.stage_id == self.s_new)
        self.assertAlmostEqual(stay.duration_days, 47 / 24, places=6)
        History = self.env["crm.lead.stage.history"]
        domain = [("lead_id", "=", deal.id), ("stage_id", "=", self.s_new.id)]
        self.assertFalse(History.search(domain + [("duration_days", ">=", 2)]))
        self.assertEqual(History.search(domain + [("duration_days", ">", 1.95)]), stay)
        [(average,)] = History._read_group(domain, [], ["duration_days:avg"])
        self.assertAlmostEqual(average, 47 / 24, places=6)

    def test_won_column_sums_the_pipeline_amount(self):
        """The kanban sums each column's pipeline amount: the weighted
        forecast of its open deals, the whole amount of its won ones, as
        its grouped read returns them."""
        arch = self.env["crm.lead"].get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        sum_field = etree.fromstring(arch).find(".//progressbar").get("sum_field")
        self.make_deal("Open", self.s_proposal, 1000)  # 60 %: 600
        self.make_deal("Other open", self.s_proposal, 500)  # 300
        won = self.make_deal("Won", self.s_proposal, 2000)
        won.action_set_won()
        lost = self.make_deal("Lost", self.s_proposal, 4000)
        lost.action_set_lost()
        groups = self.env["crm.lead"].web_read_group(
            [("team_id", "=", self.team.id)], [f"{sum_field}:sum"], ["stage_id"]
        )["groups"]
        # (the kanban lists the empty columns too)
        sums = {
            group["stage_id"][0]: group[sum_field] for group in groups if group["stage_id_count"]
        }
        self.assertEqual(sums, {self.s_proposal.id: 900.0, self.s_won.id: 2000.0})
