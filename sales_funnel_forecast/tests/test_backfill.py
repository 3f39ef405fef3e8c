# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.modules.migration import load_script
from odoo.tests import new_test_user, tagged

from ..hooks import post_init_hook
from ..install import rebuild, stage_history
from ..install.stage_history import backfill_from_tracking
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestBackfillFromChatter(FunnelCase):
    """History rebuilt from the changes Odoo tracked in the chatter, as on a
    database the module is installed onto."""

    def rebuild(self, deals):
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM crm_lead_stage_history WHERE lead_id = ANY(%s)", [deals.ids]
        )
        self.env.invalidate_all()
        return backfill_from_tracking(self.env)

    def rows(self, deal):
        return [
            (
                row.stage_id,
                row.previous_stage_id,
                row.date_in,
                row.date_out,
                round(row.duration_days, 2) if row.date_out else None,
                row.is_regression,
            )
            for row in deal.stage_history_ids.sorted(lambda row: (row.date_in, row.id))
        ]

    def test_moves_within_one_second_keep_their_order(self):
        """Created in Qualified, moved back to New, then on to Proposal, all
        in one second: the stays' ids follow the moves, so that the
        history, in the order of its entry dates then ids, reads as they
        happened."""
        deal = self.make_deal("Same second", self.s_qualified, 1000)
        self.created(deal, days=3)
        self.track(deal, {"stage_id": self.s_new.id}, 3)
        self.track(deal, {"stage_id": self.s_proposal.id}, 3)
        # twice, so that the order does not come from the way rows happen
        # to be read
        for _run in range(2):
            self.rebuild(deal)
            history = self.env["crm.lead.stage.history"].search(
                [("lead_id", "=", deal.id)], order="id"
            )
            self.assertEqual(history.stage_id, self.s_qualified | self.s_new | self.s_proposal)
            self.assertEqual(set(history.mapped("date_in")), {self.day(3)})
            self.assertEqual(
                deal.stage_history_ids.sorted(lambda row: (row.date_in, row.id)).stage_id,
                self.s_qualified | self.s_new | self.s_proposal,
            )
            # the form's history tab: newest first
            self.assertEqual(
                deal.stage_history_ids.stage_id, self.s_proposal | self.s_new | self.s_qualified
            )

    def test_move_into_another_teams_pipeline_is_no_move_back(self):
        """Rebuilt from the chatter: a deal moved from its team's Proposal
        (sequence 903) into another team's "Early" stage (sequence 5) is
        not moved back; back to Qualified in its own team it is."""
        other = self.env["crm.team"].create({"name": "Other Pipeline Team"})
        early = self.env["crm.stage"].create({"name": "Early", "sequence": 5, "team_id": other.id})
        deal = self.make_deal("Handed over", self.s_new, 1000)
        self.created(deal)
        self.track(deal, {"stage_id": self.s_proposal.id}, 1)
        self.track(deal, {"stage_id": early.id, "team_id": other.id}, 2)
        self.track(deal, {"stage_id": self.s_proposal.id, "team_id": self.team.id}, 3)
        self.track(deal, {"stage_id": self.s_qualified.id}, 4)
        self.rebuild(deal)
        self.assertEqual(
            [(row[0], row[-1]) for row in self.rows(deal)],
            [
                (self.s_new, False),
                (self.s_proposal, False),
                (early, False),
                (self.s_proposal, False),
                (self.s_qualified, True),
            ],
        )

    def test_upgrade_clears_moves_back_into_another_pipeline_and_dates_logins(self):
        """The upgrade to 18.0.1.20.0: the stay that entered another team's
        stage flagged as a move back by an earlier release is not any more
        (a move back within the team stays one); a login recorded without a
        team or company takes the user's of today, one recorded with them
        keeps its own; the calls logged before name their own notes (a
        deleted call's note is left alone), which get the classes of the
        notes logged now."""
        other = self.env["crm.team"].create({"name": "Other Pipeline Team"})
        early = self.env["crm.stage"].create({"name": "Early", "sequence": 5, "team_id": other.id})
        deal = self.make_deal("Handed over", self.s_proposal, 1000)
        deal.write({"team_id": other.id, "stage_id": early.id})
        deal.write({"team_id": self.team.id, "stage_id": self.s_qualified.id})
        deal.stage_id = self.s_new
        self.env.flush_all()
        # as an earlier release wrote them
        self.env.cr.execute(
            """UPDATE crm_lead_stage_history SET is_regression = stage_id IN (%s, %s)
                WHERE lead_id = %s""",
            [early.id, self.s_new.id, deal.id],
        )
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.env.flush_all()
        self.env.cr.execute(
            """INSERT INTO crm_user_login (user_id, date, team_id, company_id)
               VALUES (%s, now(), NULL, NULL), (%s, now(), %s, %s)""",
            [self.rep.id, self.rep.id, other.id, self.rep.company_id.id],
        )
        # three calls of the deal logged before their notes were named (or
        # had classes), the first deleted since (its note stayed), the third
        # of 4 minutes
        Call = self.env["crm.lead.call"].with_user(self.rep)
        calls = Call.create(
            [
                {"lead_id": deal.id, "outcome": "no_answer", "date": self.day(1)},
                {"lead_id": deal.id, "outcome": "busy", "date": self.day(2)},
                {
                    "lead_id": deal.id,
                    "outcome": "conversation",
                    "date": self.day(3),
                    "duration_minutes": 4,
                },
            ]
        )
        notes = calls.message_id
        self.assertEqual(len(notes), 3)
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE mail_message SET body = regexp_replace(
                   body, 'class="fa fa-phone me-1 o_sff_call[^"]*"', 'class="fa fa-phone me-1"')
                WHERE id = ANY(%s)""",
            [notes.ids],
        )
        self.env.cr.execute("DELETE FROM crm_lead_call WHERE id = %s", [calls[0].id])
        self.env.cr.execute(
            "UPDATE crm_lead_call SET message_id = NULL WHERE id = ANY(%s)", [calls.ids]
        )
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.20.0/post-migrate.py",
            "sff_post_migrate_18_0_1_20_0",
        )
        migration.migrate(self.env.cr, "18.0.1.19.0")
        self.env.invalidate_all()
        self.assertEqual(
            [(row[0], row[-1]) for row in self.rows(deal)],
            [
                (self.s_proposal, False),
                (early, False),
                (self.s_qualified, False),
                (self.s_new, True),
            ],
        )
        self.env.cr.execute(
            "SELECT team_id, company_id FROM crm_user_login WHERE user_id = %s ORDER BY id",
            [self.rep.id],
        )
        self.assertEqual(
            self.env.cr.fetchall(),
            [(self.team.id, self.rep.company_id.id), (other.id, self.rep.company_id.id)],
        )
        # each call its own note (not the deleted call's, the first by
        # date, marked as a deleted call's), marked as the notes are now
        kept = calls[1:].exists()
        self.assertEqual([call.message_id for call in kept], list(notes[1:]))
        self.assertEqual(
            [str(note.body).split('"')[1] for note in notes],
            [
                "fa fa-phone me-1 o_sff_call o_sff_call_deleted",
                "fa fa-phone me-1 o_sff_call o_sff_call_busy",
                "fa fa-phone me-1 o_sff_call o_sff_min_4 o_sff_call_conversation",
            ],
        )

    def test_upgrade_pairs_calls_of_one_moment_and_of_another_caller(self):
        """The upgrade to 18.0.1.20.0 on calls logged before: two calls of
        one deal at the same moment (an import of days: midnight) each get
        a note of their own; a call logged by the manager and given to the
        salesperson since gets the manager's note (the nearest); a second
        run changes nothing."""
        deal = self.make_deal("One moment", self.s_new, 1000)
        calls = (
            self.env["crm.lead.call"]
            .with_user(self.manager)
            .create(
                [
                    {"lead_id": deal.id, "outcome": outcome, "date": self.day(1)}
                    for outcome in ("no_answer", "busy", "conversation")
                ]
            )
        )
        notes = calls.message_id
        self.assertEqual(len(notes), 3)
        calls[2].user_id = self.rep
        self.env.flush_all()
        # as 18.0.1.19.0 left them
        self.env.cr.execute(
            """UPDATE mail_message SET body = regexp_replace(
                   body, 'class="fa fa-phone me-1 o_sff_call[^"]*"', 'class="fa fa-phone me-1"')
                WHERE id = ANY(%s)""",
            [notes.ids],
        )
        self.env.cr.execute(
            "UPDATE crm_lead_call SET message_id = NULL WHERE id = ANY(%s)", [calls.ids]
        )
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.20.0/post-migrate.py",
            "sff_post_migrate_18_0_1_20_0_moment",
        )
        for _run in range(2):
            migration.migrate(self.env.cr, "18.0.1.19.0")
            self.env.invalidate_all()
            self.assertEqual(len(calls.message_id), 3, "each call its own note")
            self.assertEqual(
                sorted(str(call.message_id.body).split('"')[1] for call in calls),
                sorted(f"fa fa-phone me-1 o_sff_call o_sff_call_{call.outcome}" for call in calls),
            )

    def test_upgrade_gives_no_call_a_distant_or_undated_note(self):
        """The upgrade on odd data of earlier releases: the manager's call
        on day 1 deleted (its note stayed), the salesperson's call of day
        20 moved from another deal (its note stayed there), a note without
        a date: no call gets another's note days away (it would then
        rewrite or delete it), the notes left are marked as deleted calls',
        and the undated note does not stop the upgrade."""
        deal = self.make_deal("Odd data", self.s_new, 1000)
        other = self.make_deal("Moved from", self.s_new, 1000)
        gone = (
            self.env["crm.lead.call"]
            .with_user(self.manager)
            .create({"lead_id": deal.id, "outcome": "no_answer", "date": self.day(1)})
        )
        moved = (
            self.env["crm.lead.call"]
            .with_user(self.rep)
            .create({"lead_id": other.id, "outcome": "busy", "date": self.day(20)})
        )
        notes = gone.message_id | moved.message_id
        self.env.flush_all()
        undated = self.env["mail.message"].create(
            {
                "model": "crm.lead",
                "res_id": deal.id,
                "message_type": "notification",
                "body": '<p><i class="fa fa-phone me-1"></i>Call: Busy</p>',
            }
        )
        self.env.flush_all()
        self.env.cr.execute("UPDATE mail_message SET date = NULL WHERE id = %s", [undated.id])
        # as 18.0.1.19.0 left them: no classes, no link; the call deleted,
        # the other moved without its note
        self.env.cr.execute(
            """UPDATE mail_message SET body = regexp_replace(
                   body, 'class="fa fa-phone me-1 o_sff_call[^"]*"', 'class="fa fa-phone me-1"')
                WHERE id = ANY(%s)""",
            [notes.ids],
        )
        self.env.cr.execute("DELETE FROM crm_lead_call WHERE id = %s", [gone.id])
        self.env.cr.execute(
            "UPDATE crm_lead_call SET message_id = NULL, lead_id = %s WHERE id = %s",
            [deal.id, moved.id],
        )
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.20.0/post-migrate.py",
            "sff_post_migrate_18_0_1_20_0_odd",
        )
        migration.migrate(self.env.cr, "18.0.1.19.0")
        self.env.invalidate_all()
        self.assertFalse(moved.message_id)
        for note in notes | undated:
            self.assertIn("o_sff_call_deleted", str(note.body))

    def test_backfill(self):
        moved = self.make_deal("Moved", self.s_new, 1000)
        self.created(moved)
        for stage, day in ((self.s_qualified, 2), (self.s_proposal, 5), (self.s_qualified, 6)):
            self.track(moved, {"stage_id": stage.id}, day)

        # two moves in one transaction are tracked as one change
        collapsed = self.make_deal("Collapsed", self.s_new, 1000)
        self.created(collapsed)
        collapsed.stage_id = self.s_qualified
        self.track(collapsed, {"stage_id": self.s_proposal.id}, 4)

        # a deal merged into "moved": its messages now sit on "moved"
        merged = self.make_deal("Merged", self.s_new, 1000)
        self.created(merged)
        self.track(merged, {"stage_id": self.s_won.id}, 1)
        moved._merge_dependences(merged)

        # moved without tracking after its last tracked change
        untracked = self.make_deal("Untracked", self.s_new, 1000)
        self.created(untracked)
        self.track(untracked, {"stage_id": self.s_qualified.id}, 1)
        self.env.cr.execute(
            "UPDATE crm_lead SET stage_id = %s, date_last_stage_update = %s WHERE id = %s",
            [self.s_proposal.id, self.day(3), untracked.id],
        )

        never = self.make_deal("Never moved", self.s_qualified, 1000)
        self.created(never)

        deals = moved | collapsed | untracked | never
        # the merged deal itself keeps its rows (it still exists here)
        self.assertEqual(self.rebuild(deals), 4 + 2 + 3 + 1)

        empty = self.env["crm.stage"]
        self.assertEqual(
            self.rows(moved),
            [
                (self.s_new, empty, self.day(0), self.day(2), 2.0, False),
                (self.s_qualified, self.s_new, self.day(2), self.day(5), 3.0, False),
                (self.s_proposal, self.s_qualified, self.day(5), self.day(6), 1.0, False),
                (self.s_qualified, self.s_proposal, self.day(6), False, None, True),
            ],
        )
        self.assertEqual(
            self.rows(collapsed),
            [
                (self.s_new, empty, self.day(0), self.day(4), 4.0, False),
                (self.s_proposal, self.s_new, self.day(4), False, None, False),
            ],
        )
        self.assertEqual(
            self.rows(untracked),
            [
                (self.s_new, empty, self.day(0), self.day(1), 1.0, False),
                (self.s_qualified, self.s_new, self.day(1), self.day(3), 2.0, False),
                (self.s_proposal, self.s_qualified, self.day(3), False, None, False),
            ],
        )
        self.assertEqual(
            self.rows(never), [(self.s_qualified, empty, self.day(0), False, None, False)]
        )
        self.assertEqual(set(deals.stage_history_ids.mapped("reason")), {"backfill"})
        # past stays carry their stage percentage, the current one the deal's
        self.assertEqual(
            moved.stage_history_ids.sorted(lambda row: (row.date_in, row.id)).mapped("probability"),
            [10.0, 30.0, 60.0, 30.0],
        )
        # rerunning writes nothing twice
        self.assertEqual(backfill_from_tracking(self.env), 0)

    def test_each_stay_carries_the_facts_of_its_time(self):
        other_team = self.env["crm.team"].create({"name": "Later team"})
        deal = self.make_deal("Owners", self.s_new, 1000)
        self.created(deal)
        self.track(deal, {"stage_id": self.s_qualified.id}, 2)
        self.track(deal, {"user_id": self.other_rep.id, "expected_revenue": 2500}, 3)
        # Odoo gives the deal the new rep's own team with the rep
        rep_team = deal.team_id
        self.assertNotIn(rep_team, self.team | other_team)
        self.track(deal, {"stage_id": self.s_proposal.id}, 5)
        self.track(deal, {"team_id": other_team.id}, 6)
        self.rebuild(deal)
        rows = deal.stage_history_ids.sorted("date_in")
        self.assertEqual(rows.mapped("stage_id"), self.s_new | self.s_qualified | self.s_proposal)
        self.assertEqual([row.user_id for row in rows], [self.rep, self.rep, self.other_rep])
        self.assertEqual([row.team_id for row in rows], [self.team, self.team, rep_team])
        self.assertEqual(rows.mapped("expected_revenue"), [1000.0, 1000.0, 2500.0])

    def test_salesperson_and_team_deleted_since_are_no_one(self):
        """The chatter still names a salesperson and a team that were
        deleted since: their stays get none (as the foreign keys would set
        them), the other stays keep theirs, and nothing fails."""
        gone_team = self.env["crm.team"].create({"name": "Team deleted later"})
        gone_rep = new_test_user(
            self.env, login="sff_gone_rep", groups="sales_team.group_sale_salesman"
        )
        deal = self.make_deal(
            "Owners deleted", self.s_new, 1000, user_id=gone_rep.id, team_id=gone_team.id
        )
        self.created(deal)
        self.track(deal, {"stage_id": self.s_qualified.id}, 2)
        self.track(deal, {"user_id": self.rep.id, "team_id": self.team.id}, 3)
        self.track(deal, {"stage_id": self.s_proposal.id}, 5)
        self.env.cr.execute("DELETE FROM crm_lead_stage_history WHERE lead_id = %s", [deal.id])
        self.env.invalidate_all()
        gone_team.unlink()
        gone_rep.unlink()
        self.env.flush_all()
        self.rebuild(deal)
        rows = deal.stage_history_ids.sorted("date_in")
        self.assertEqual(rows.mapped("stage_id"), self.s_new | self.s_qualified | self.s_proposal)
        empty_user, empty_team = self.env["res.users"], self.env["crm.team"]
        self.assertEqual([row.user_id for row in rows], [empty_user, empty_user, self.rep])
        self.assertEqual([row.team_id for row in rows], [empty_team, empty_team, self.team])

    def test_lost_deals_close_their_last_stay(self):
        # lost with a closing date: the stay ends then
        dated = self.make_deal("Lost, dated", self.s_qualified, 1000)
        self.created(dated)
        self.track(dated, {"active": False}, 4)
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s", [self.day(3), dated.id]
        )
        # lost without a closing date: when the chatter tracked the archiving
        tracked = self.make_deal("Lost, tracked", self.s_qualified, 1000)
        self.created(tracked)
        self.track(tracked, {"active": False}, 4)
        self.env.cr.execute("UPDATE crm_lead SET date_closed = NULL WHERE id = %s", [tracked.id])
        # neither: its last update
        silent = self.make_deal("Lost, silent", self.s_qualified, 1000)
        self.created(silent)
        self.env.cr.execute(
            "UPDATE crm_lead SET active = FALSE, date_closed = NULL, write_date = %s WHERE id = %s",
            [self.day(7), silent.id],
        )
        self.rebuild(dated | tracked | silent)
        self.assertEqual(dated.stage_history_ids.date_out, self.day(3))
        self.assertEqual(tracked.stage_history_ids.date_out, self.day(4))
        self.assertEqual(silent.stage_history_ids.date_out, self.day(7))
        self.assertEqual(silent.stage_history_ids.duration_days, 7.0)

    def lost_and_restored(self):
        """Three deals lost and restored as the chatter tracked it, the
        Proposal stage stalling deals after 5 days:

        - Qualified day 0, Proposal day 2, lost day 4, restored day 6, lost
          day 7, restored day 9, Won day 12;
        - Proposal day 0, lost day 1, restored day 3, still there;
        - Qualified day 0, lost day 1, restored day 2, lost for good day 5
          (its closing date)."""
        self.s_proposal.stall_days = 5
        twice = self.make_deal("Lost twice", self.s_qualified, 1000)
        self.created(twice)
        self.track(twice, {"stage_id": self.s_proposal.id}, 2)
        self.track(twice, {"active": False}, 4)
        self.track(twice, {"active": True}, 6)
        self.track(twice, {"active": False}, 7)
        self.track(twice, {"active": True}, 9)
        self.track(twice, {"stage_id": self.s_won.id}, 12)
        back = self.make_deal("Back", self.s_proposal, 500)
        self.created(back)
        self.track(back, {"active": False}, 1)
        self.track(back, {"active": True}, 3)
        gone = self.make_deal("Gone again", self.s_qualified, 700)
        self.created(gone)
        self.track(gone, {"active": False}, 1)
        self.track(gone, {"active": True}, 2)
        self.track(gone, {"active": False}, 5)
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s", [self.day(5), gone.id]
        )
        return twice, back, gone

    def versions(self, deal):
        return [
            (
                v.valid_from,
                v.valid_to,
                v.stage_id,
                v.deal_state,
                v.forecast_category,
                v.expected_revenue,
                v.probability,
            )
            for v in deal.forecast_version_ids.sorted("valid_from")
        ]

    def test_deals_lost_and_restored_were_out_between(self):
        """Lost and restored before the install, as the chatter tracked it:
        out of the pipeline in between, in the stays (the stay ends when the
        deal was lost, another in its stage starts when it came back, as a
        restoration writes it live), in the versions and in the stalls."""
        twice, back, gone = self.lost_and_restored()
        self.rebuild(twice | back | gone)
        q, p, w = self.s_qualified, self.s_proposal, self.s_won
        self.assertEqual(
            self.rows(twice),
            [
                (q, self.env["crm.stage"], self.day(0), self.day(2), 2.0, False),
                (p, q, self.day(2), self.day(4), 2.0, False),
                (p, p, self.day(6), self.day(7), 1.0, False),
                (p, p, self.day(9), self.day(12), 3.0, False),
                (w, p, self.day(12), False, None, False),
            ],
        )
        self.assertEqual(
            self.rows(back),
            [
                (p, self.env["crm.stage"], self.day(0), self.day(1), 1.0, False),
                (p, p, self.day(3), False, None, False),
            ],
        )
        self.assertEqual(
            self.rows(gone),
            [
                (q, self.env["crm.stage"], self.day(0), self.day(1), 1.0, False),
                (q, q, self.day(2), self.day(5), 3.0, False),
            ],
        )
        # the open stay stalls five days after the deal came back
        self.assertEqual(
            back.stage_history_ids.filtered(lambda row: not row.date_out).stall_due,
            self.day(8),
        )
        self.assertFalse(back.stage_history_ids.filtered("date_out").stall_due)
        # rerun: nothing more to cut
        self.assertEqual(self.rebuild(self.env["crm.lead"]), 0)
        self.env["crm.lead.forecast.version"]._sff_rebuild()
        self.assertEqual(
            [
                (v.valid_from, v.valid_to, v.deal_state)
                for v in twice.forecast_version_ids.sorted("valid_from")
            ],
            [
                (self.day(0), self.day(2), "open"),
                (self.day(2), self.day(4), "open"),
                (self.day(4), self.day(6), "lost"),
                (self.day(6), self.day(7), "open"),
                (self.day(7), self.day(9), "lost"),
                (self.day(9), self.day(12), "open"),
                (self.day(12), False, "won"),
            ],
        )
        self.env["crm.lead.stage.history"]._sff_refresh_reach((twice | back | gone).ids)
        self.assertStructuresHold("lost and restored before the install")

    def in_force_at(self, deal, moment):
        """The stays that say the deal was in the pipeline at ``moment``,
        and its versions in force then (the versions rebuilt)."""
        self.env["crm.lead.forecast.version"]._sff_rebuild()
        self.env.invalidate_all()
        return (
            [
                (row.stage_id, row.date_in, row.date_out)
                for row in deal.stage_history_ids
                if row.date_in <= moment and (not row.date_out or row.date_out > moment)
            ],
            # (a lost version's stage is the last the stays knew)
            [
                version.deal_state
                for version in deal.forecast_version_ids
                if version.valid_from <= moment
                and (not version.valid_to or version.valid_to > moment)
            ],
        )

    def test_deal_moved_while_lost(self):
        """Qualified day 0, Proposal day 2, lost day 4, moved back to
        Qualified day 5 while lost, restored day 6: lost on day 5 and a
        half (no stay, a lost version); back in Qualified from day 6."""
        deal = self.make_deal("Moved while lost", self.s_qualified, 1000)
        self.created(deal)
        self.track(deal, {"stage_id": self.s_proposal.id}, 2)
        self.track(deal, {"active": False}, 4)
        self.track(deal, {"stage_id": self.s_qualified.id}, 5)
        self.track(deal, {"active": True}, 6)
        self.rebuild(deal)
        self.assertEqual(self.in_force_at(deal, self.day(5, hours=12)), ([], ["lost"]))
        q, p = self.s_qualified, self.s_proposal
        self.assertEqual(
            self.rows(deal),
            [
                (q, self.env["crm.stage"], self.day(0), self.day(2), 2.0, False),
                (p, q, self.day(2), self.day(4), 2.0, False),
                (q, p, self.day(6), False, None, True),
            ],
        )

    def test_deal_moved_and_lost_at_once(self):
        """Moved to Proposal and lost in one change on day 2 (an import, an
        RPC write), restored day 4: lost on day 3; in Proposal from day 4."""
        deal = self.make_deal("Moved and lost at once", self.s_qualified, 1000)
        self.created(deal)
        self.track(deal, {"stage_id": self.s_proposal.id, "active": False}, 2)
        self.track(deal, {"active": True}, 4)
        self.rebuild(deal)
        self.assertEqual(self.in_force_at(deal, self.day(3)), ([], ["lost"]))
        self.assertEqual(
            self.in_force_at(deal, self.day(5))[0], [(self.s_proposal, self.day(4), False)]
        )

    def test_restored_stay_carries_the_facts_of_its_time(self):
        """Proposal day 2 with Rita at 1,000, lost day 4, handed to Otto at
        1,500 on day 5 while lost, restored day 6: the stay that starts at
        the restoration is Otto's at 1,500, the one before Rita's at 1,000."""
        deal = self.make_deal("Handed over while lost", self.s_qualified, 1000)
        self.created(deal)
        self.track(deal, {"stage_id": self.s_proposal.id}, 2)
        self.track(deal, {"active": False}, 4)
        self.track(deal, {"user_id": self.other_rep.id, "expected_revenue": 1500}, 5)
        self.track(deal, {"active": True}, 6)
        self.rebuild(deal)
        self.assertEqual(
            [
                (row.stage_id, row.date_in, row.user_id, row.expected_revenue)
                for row in deal.stage_history_ids.sorted(lambda row: (row.date_in, row.id))
            ],
            [
                (self.s_qualified, self.day(0), self.rep, 1000.0),
                (self.s_proposal, self.day(2), self.rep, 1000.0),
                (self.s_proposal, self.day(6), self.other_rep, 1500.0),
            ],
        )

    def test_upgrade_takes_again_snapshots_older_than_its_job(self):
        """A deal lost on 3 October 2024 and restored on 18 October, before
        the install; the snapshot of Monday 7 October (older than the job's
        24 months) is taken again by the upgrade, without the deal."""
        deal = self.make_deal("Lost in 2024", self.s_qualified, 1000)
        self.created(deal, days=-520)
        self.track(deal, {"active": False}, -515)
        self.track(deal, {"active": True}, -500)
        with patch.object(stage_history, "split_lost_periods", return_value=[]):
            self.rebuild(deal)
        self.env["crm.lead.forecast.version"]._sff_rebuild()
        Snapshot = self.env["crm.pipeline.snapshot"]
        monday = self.day(-511).date()
        self.assertEqual(str(monday), "2024-10-07")
        self.assertNotIn(monday, Snapshot._sff_days_missing())

        def weighted(day):
            return sum(Snapshot.search([("date_snapshot", "=", day)]).mapped("expected_revenue"))

        Snapshot._sff_take([monday])
        before = weighted(monday)
        rebuild.request(self.env.cr, "lost_periods")
        self.assertEqual(rebuild.run_requested(self.env), ["lost_periods"])
        self.env.invalidate_all()
        self.assertEqual(weighted(monday), before - 1000)

    def test_upgrade_cuts_the_stays_of_deals_lost_and_restored(self):
        """A database installed before the stays knew when deals were lost
        and restored (18.0.1.16.0 and before): the upgrade gives the stays
        and versions the install now gives, the funnel rows that go with
        them, and takes the snapshots of those days again."""
        deals = self.lost_and_restored()
        everything = deals[0] | deals[1] | deals[2]
        self.rebuild(everything)
        self.env["crm.lead.forecast.version"]._sff_rebuild()
        expected = [(self.rows(deal), self.versions(deal)) for deal in deals]
        # as the install wrote them before
        with patch.object(stage_history, "split_lost_periods", return_value=[]):
            self.rebuild(everything)
        self.env["crm.lead.forecast.version"]._sff_rebuild()
        History = self.env["crm.lead.stage.history"]
        History._sff_refresh_reach(everything.ids)
        self.assertNotEqual([(self.rows(deal), self.versions(deal)) for deal in deals], expected)
        Snapshot = self.env["crm.pipeline.snapshot"]
        # the snapshots read the pipeline at midnight: on day 5's the first
        # deal was lost, on day 10's no deal was
        inside, outside = self.day(5).date(), self.day(10).date()
        Snapshot._sff_take([inside, outside])
        job = self.env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots")
        Trigger = self.env["ir.cron.trigger"]
        triggers = Trigger.search_count([("cron_id", "=", job.id)])
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.17.0/post-migrate.py",
            "sff_post_migrate_18_0_1_17_0",
        )
        migration.migrate(self.env.cr, "18.0.1.16.0")
        # day 5 one of the days the job writes: left to it
        # (test_upgrade_takes_again_snapshots_older_than_its_job: the others)
        with patch.object(type(Snapshot), "_sff_days_missing", lambda model, today=None: [inside]):
            self.assertEqual(rebuild.run_requested(self.env), ["lost_periods"])
        self.env.invalidate_all()
        self.assertEqual([(self.rows(deal), self.versions(deal)) for deal in deals], expected)
        self.assertEqual(
            set(
                Snapshot.search([("date_snapshot", "in", [inside, outside])]).mapped(
                    "date_snapshot"
                )
            ),
            {outside},
        )
        self.assertEqual(Trigger.search_count([("cron_id", "=", job.id)]), triggers + 1)
        self.assertStructuresHold("upgrade of deals lost and restored")
        # again: nothing more to do
        rebuild.request(self.env.cr, "lost_periods")
        self.assertEqual(rebuild.run_requested(self.env), ["lost_periods"])
        self.env.invalidate_all()
        self.assertEqual([(self.rows(deal), self.versions(deal)) for deal in deals], expected)

    def test_converted_lead_starts_at_its_conversion(self):
        lead = self.make_deal("Converted", self.s_new, 1000, type="lead")
        self.created(lead)
        self.track(lead, {"stage_id": self.s_qualified.id}, 1)
        self.env.cr.execute(
            "UPDATE crm_lead SET type = 'opportunity', date_conversion = %s WHERE id = %s",
            [self.day(3), lead.id],
        )
        self.env.invalidate_all()
        self.track(lead, {"stage_id": self.s_proposal.id}, 5)
        still_lead = self.make_deal("Still a lead", self.s_new, 1000, type="lead")
        self.created(still_lead)
        self.assertEqual(self.rebuild(lead | still_lead), 2)
        empty = self.env["crm.stage"]
        self.assertEqual(
            self.rows(lead),
            [
                (self.s_qualified, empty, self.day(3), self.day(5), 2.0, False),
                (self.s_proposal, self.s_qualified, self.day(5), False, None, False),
            ],
        )
        self.assertFalse(still_lead.stage_history_ids)

    def test_stays_in_deleted_stages_are_kept(self):
        deal, gone_id = self.deal_through_a_deleted_stage()
        self.rebuild(deal)
        restored = self.env["crm.stage"].with_context(active_test=False).browse(gone_id)
        self.assertTrue(restored.exists())
        self.assertEqual((restored.name, restored.active), ("Gone stage", False))
        self.assertEqual(
            self.rows(deal),
            [
                (self.s_new, self.env["crm.stage"], self.day(0), self.day(1), 1.0, False),
                (restored, self.s_new, self.day(1), self.day(2), 1.0, False),
                (self.s_proposal, restored, self.day(2), False, None, False),
            ],
        )

    def test_lost_deals_on_install_keep_their_stage(self):
        deal = self.make_deal("Lost before install", self.s_proposal, 1000)
        deal.action_set_lost()
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET lost_stage_id = NULL WHERE id = %s", [deal.id])
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.assertEqual(deal.lost_stage_id, self.s_proposal)

    def test_install_builds_the_deals_indexes_again(self):
        deal = self.make_deal("Indexed", self.s_proposal, 1000)
        self.env.flush_all()
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'crm_lead' ORDER BY 1"
        self.env.cr.execute(query)
        before = self.env.cr.fetchall()
        self.assertGreater(len(before), 20)
        self.env.cr.execute("UPDATE crm_lead SET forecast_revenue = NULL WHERE id = %s", [deal.id])
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.env.cr.execute(query)
        self.assertEqual(self.env.cr.fetchall(), before)
        self.assertEqual(deal.forecast_revenue, 600.0)
        # the rebuilt indexes find the deal
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.assertEqual(self.env["crm.lead"].search([("name", "=", "Indexed")]), deal)

    def test_install_writes_the_deals_again_or_updates_them(self):
        """The install writes crm_lead again with the deals' new values and
        makes the module's report views that read them again; where another
        module's view reads them, it updates the deals instead, to the same
        values, and leaves that view alone."""
        won_deal = self.make_deal("Won before", self.s_won, 800)
        open_deal = self.make_deal("Open before", self.s_qualified, 1000)
        lost_deal = self.make_deal("Lost before", self.s_proposal, 500)
        lost_deal.action_set_lost()
        deals = won_deal | open_deal | lost_deal
        self.env.flush_all()
        # as before the install: Odoo's automated probabilities, none of the
        # module's values
        reset = """UPDATE crm_lead SET probability = CASE WHEN active THEN 55 ELSE 0 END,
                          automated_probability = CASE WHEN active THEN 55 ELSE 0 END,
                          forecast_revenue = 0, pipeline_amount = 0, lost_stage_id = NULL,
                          contact_status = 'not_attempted', prorated_pending = FALSE
                    WHERE id = ANY(%s)"""
        columns = [
            "probability",
            "forecast_revenue",
            "pipeline_amount",
            "lost_stage_id",
            "contact_status",
            "prorated_pending",
        ]

        def values():
            self.env.cr.execute(
                "SELECT id, "
                + ", ".join(columns)
                + " FROM crm_lead WHERE id = ANY(%s) ORDER BY id",
                [deals.ids],
            )
            return self.env.cr.fetchall()

        self.env.cr.execute(reset, [deals.ids])
        self.env.cr.execute("SELECT relfilenode FROM pg_class WHERE relname = 'crm_lead'")
        before = self.env.cr.fetchone()[0]
        post_init_hook(self.env)
        self.env.cr.execute("SELECT relfilenode FROM pg_class WHERE relname = 'crm_lead'")
        self.assertNotEqual(self.env.cr.fetchone()[0], before, "crm_lead written again")
        rewritten = values()
        # the won deal keeps its probability and counts whole in the
        # pipeline; the open one moves to its stage's 30 % (Odoo's prorated
        # amount follows at once); the lost one keeps its stage as the stage
        # it was lost in
        self.assertEqual(
            [row[1:] for row in rewritten],
            [
                (55.0, 0.0, 800.0, None, "qualified", False),
                (30.0, 300.0, 300.0, None, "contacted", False),
                (0.0, 0.0, 0.0, self.s_proposal.id, "contacted", False),
            ],
        )
        self.assertEqual(open_deal.prorated_revenue, 300.0)
        # the report views that read the columns are there again
        self.assertEqual(
            self.env["crm.forecast.report"]
            .search([("lead_id", "=", open_deal.id)])
            .forecast_revenue,
            300.0,
        )
        self.assertTrue(self.env["crm.loss.report"].search_count([("lead_id", "=", lost_deal.id)]))

        self.env.cr.execute(reset, [deals.ids])
        self.env.cr.execute(
            "CREATE VIEW sff_test_other_module AS SELECT id, probability FROM crm_lead"
        )
        self.env.cr.execute("SELECT relfilenode FROM pg_class WHERE relname = 'crm_lead'")
        before = self.env.cr.fetchone()[0]
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.env.cr.execute("SELECT relfilenode FROM pg_class WHERE relname = 'crm_lead'")
        self.assertEqual(self.env.cr.fetchone()[0], before, "crm_lead updated in place")
        self.assertEqual(values(), rewritten)
        self.env.cr.execute(
            "SELECT probability FROM sff_test_other_module WHERE id = %s", [open_deal.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], 30.0)

    def test_install_leaves_many_prorated_amounts_to_the_job(self):
        """Beyond ``SYNC_REFRESH_LIMIT`` deals whose probability moved, the
        install leaves Odoo's prorated amounts to the refresh job, which
        computes them in batches."""
        first = self.make_deal("Moved one", self.s_qualified, 1000)
        second = self.make_deal("Moved two", self.s_proposal, 2000)
        deals = first | second
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE crm_lead SET probability = 55, automated_probability = 55, prorated_revenue = 0,
                      prorated_pending = FALSE WHERE id = ANY(%s)""",
            [deals.ids],
        )
        self.env.invalidate_all()
        job = self.env.ref("sales_funnel_forecast.ir_cron_refresh_prorated_revenue")
        Trigger = self.env["ir.cron.trigger"]
        triggers = Trigger.search_count([("cron_id", "=", job.id)])
        with patch("odoo.addons.sales_funnel_forecast.hooks.SYNC_REFRESH_LIMIT", 1):
            post_init_hook(self.env)
        self.assertEqual(deals.mapped("probability"), [30.0, 60.0])
        self.assertEqual(deals.mapped("prorated_pending"), [True, True])
        self.assertEqual(deals.mapped("prorated_revenue"), [0.0, 0.0], "left to the job")
        self.assertEqual(Trigger.search_count([("cron_id", "=", job.id)]), triggers + 1)
        Lead = self.env["crm.lead"]
        while Lead._cron_refresh_prorated_revenue(batch_size=1):
            pass
        self.assertEqual(deals.mapped("prorated_revenue"), [300.0, 1200.0])
        self.assertEqual(deals.mapped("prorated_pending"), [False, False])

    def test_upgrade_drops_the_stage_date_indexes(self):
        """The upgrade to 18.0.1.7.0 drops the (stage, entry date) indexes
        that earlier versions made; the entry dates keep their own index."""
        query = """SELECT indexname FROM pg_indexes
                    WHERE tablename IN ('crm_lead_stage_history', 'crm_lead_stage_reach')
                      AND indexname LIKE %s ORDER BY 1"""
        self.env.cr.execute(query, ["%stage_date_in%"])
        self.assertEqual(self.env.cr.fetchall(), [], "not made by this version")
        self.env.cr.execute(
            "CREATE INDEX crm_lead_stage_history_stage_date_in_idx "
            "ON crm_lead_stage_history (stage_id, date_in)"
        )
        self.env.cr.execute(
            "CREATE INDEX crm_lead_stage_reach_stage_date_in_idx "
            "ON crm_lead_stage_reach (stage_id, date_in)"
        )
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.7.0/post-migrate.py",
            "sff_post_migrate_18_0_1_7_0",
        )
        migration.migrate(self.env.cr, "18.0.1.6.0")
        self.env.cr.execute(query, ["%stage_date_in%"])
        self.assertEqual(self.env.cr.fetchall(), [])
        self.env.cr.execute(query, ["%date_in_index"])
        self.assertEqual(
            self.env.cr.fetchall(),
            [("crm_lead_stage_history__date_in_index",), ("crm_lead_stage_reach__date_in_index",)],
        )

    def unchecked_keys(self, table):
        self.env.cr.execute(
            """SELECT conname FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f' AND NOT convalidated
             ORDER BY 1""",
            [table],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_bulk_load_leaves_keys_to_the_job(self):
        """Into an empty table (the installation), the funnel rows are
        loaded with their foreign keys added back unchecked, the job that
        checks them is triggered, and one run of it per key checks them all."""
        deal = self.make_deal("Reloaded", self.s_proposal, 1000)
        Reach = self.env["crm.lead.stage.reach"]
        Reach.flush_model()
        rows = Reach.search([("lead_id", "=", deal.id)])
        self.assertIn(self.s_proposal, rows.stage_id)
        reached = [(row.stage_id, row.date_in, row.entered) for row in rows]
        job = self.env.ref("sales_funnel_forecast.ir_cron_validate_foreign_keys")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", job.id)])
        self.env.cr.execute("DELETE FROM crm_lead_stage_reach")
        self.env.invalidate_all()
        self.assertGreater(Reach._sff_fill(), 0)
        self.assertEqual(
            [
                (row.stage_id, row.date_in, row.entered)
                for row in Reach.search([("lead_id", "=", deal.id)])
            ],
            reached,
        )
        unchecked = self.unchecked_keys("crm_lead_stage_reach")
        self.assertIn("crm_lead_stage_reach_lead_id_fkey", unchecked)
        self.assertEqual(len(unchecked), 9)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", job.id)]), triggers + 1
        )
        History = self.env["crm.lead.stage.history"]
        # PostgreSQL enforces an unchecked key on the rows written since
        with self.assertRaises(psycopg2.errors.ForeignKeyViolation), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE crm_lead_stage_reach SET user_id = 0 WHERE lead_id = %s", [deal.id]
            )
        for remaining in range(len(unchecked) - 1, -1, -1):
            self.assertEqual(History._cron_validate_foreign_keys(), remaining)
        self.assertEqual(self.unchecked_keys("crm_lead_stage_reach"), [])
        self.assertEqual(History._cron_validate_foreign_keys(), 0)

    def test_key_that_rows_break_stays_unchecked(self):
        """A funnel row that points to no deal: the job names the key in the
        log, leaves it unchecked, does not loop, and the rows stay; it
        checks the keys after it, and tries it again the next day."""
        deal = self.make_deal("Broken", self.s_proposal, 1000)
        self.env["crm.lead.stage.reach"].flush_model()
        cr = self.env.cr
        cr.execute("SELECT count(*) FROM crm_lead_stage_reach WHERE lead_id = %s", [deal.id])
        rows = cr.fetchone()[0]
        self.assertGreater(rows, 0)
        cr.execute(
            "ALTER TABLE crm_lead_stage_reach DROP CONSTRAINT crm_lead_stage_reach_lead_id_fkey"
        )
        cr.execute("UPDATE crm_lead_stage_reach SET lead_id = -1 WHERE lead_id = %s", [deal.id])
        cr.execute(
            """ALTER TABLE crm_lead_stage_reach ADD CONSTRAINT crm_lead_stage_reach_lead_id_fkey
               FOREIGN KEY (lead_id) REFERENCES crm_lead(id) ON DELETE CASCADE NOT VALID"""
        )
        # a sound key left unchecked after it, in the job's order
        cr.execute(
            """ALTER TABLE crm_lead_stage_reach DROP CONSTRAINT crm_lead_stage_reach_stage_id_fkey,
               ADD CONSTRAINT crm_lead_stage_reach_stage_id_fkey
               FOREIGN KEY (stage_id) REFERENCES crm_stage(id) ON DELETE CASCADE NOT VALID"""
        )
        History = self.env["crm.lead.stage.history"]
        logger = "odoo.addons.sales_funnel_forecast.models.crm_lead_stage_history"
        with self.assertLogs(logger, level="ERROR") as logs:
            # the broken key passed over, the sound one checked
            self.assertEqual(History._cron_validate_foreign_keys(), 0)
        self.assertIn("crm_lead_stage_reach_lead_id_fkey", logs.output[0])
        self.assertEqual(
            self.unchecked_keys("crm_lead_stage_reach"), ["crm_lead_stage_reach_lead_id_fkey"]
        )
        cr.execute("SELECT count(*) FROM crm_lead_stage_reach WHERE lead_id = -1")
        self.assertEqual(cr.fetchone()[0], rows)
        # the same day, the broken key is not read again; the next day it is
        with self.assertNoLogs(logger, level="ERROR"):
            self.assertEqual(History._cron_validate_foreign_keys(), 0)
        self.patch(
            fields.Date, "context_today", staticmethod(lambda *args, **kwargs: date(2030, 1, 1))
        )
        with self.assertLogs(logger, level="ERROR"):
            self.assertEqual(History._cron_validate_foreign_keys(), 0)

    def test_install_gives_percentages_and_aligns_open_deals(self):
        team = self.env["crm.team"].create({"name": "Installed onto"})
        Stage = self.env["crm.stage"]
        first = Stage.create({"name": "I-First", "sequence": 990, "team_id": team.id})
        known = Stage.create(
            {"name": "I-Known", "sequence": 991, "team_id": team.id, "forecast_probability": 40}
        )
        second = Stage.create({"name": "I-Second", "sequence": 992, "team_id": team.id})
        third = Stage.create({"name": "I-Third", "sequence": 993, "team_id": team.id})
        won = Stage.create({"name": "I-Won", "sequence": 994, "team_id": team.id, "is_won": True})
        team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        automated = self.make_deal("Automated", first, 2000, team_id=team.id)
        typed = self.make_deal("Typed", second, 3000, team_id=team.id)
        self.env.flush_all()
        # as before the install: stages without a percentage, deals on Odoo's
        # automated probability (or a typed one, different from it)
        self.env.cr.execute(
            "UPDATE crm_stage SET forecast_probability = NULL WHERE id = ANY(%s)",
            [(first | second | third | won).ids],
        )
        self.env.cr.execute(
            """UPDATE crm_lead SET probability = 37, automated_probability = 37,
                      probability_is_manual = NULL, forecast_revenue = NULL, pipeline_amount = NULL
                WHERE id = %s""",
            [automated.id],
        )
        self.env.cr.execute(
            """UPDATE crm_lead SET probability = 45, automated_probability = 20,
                      probability_is_manual = NULL, forecast_revenue = NULL, pipeline_amount = NULL
                WHERE id = %s""",
            [typed.id],
        )
        self.env.invalidate_all()
        post_init_hook(self.env)
        # the known 40 % is kept, the others spread between their neighbours:
        # 0 .. [20] .. 40 .. [60, 80] .. 100
        self.assertEqual(
            (first | known | second | third | won).mapped("forecast_probability"),
            [20.0, 40.0, 60.0, 80.0, 100.0],
        )
        self.assertEqual((automated.probability, automated.forecast_revenue), (20.0, 400.0))
        self.assertFalse(automated.probability_is_manual)
        self.assertEqual((typed.probability, typed.forecast_revenue), (45.0, 1350.0))
        self.assertTrue(typed.probability_is_manual)
        self.assertEqual(automated.prorated_revenue, 400.0, "Odoo's own amount follows")
