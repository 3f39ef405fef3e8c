# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import Form, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestProbabilityFollowsStage(FunnelCase):
    def test_create_in_stage_takes_its_percentage(self):
        deal = self.make_deal("Create", self.s_qualified, 1000)
        self.assertEqual(deal.probability, 30.0)
        self.assertFalse(deal.probability_is_manual)

    def test_write_and_kanban_drop(self):
        deal = self.make_deal("Drop", self.s_new, 1000)
        self.assertEqual(deal.probability, 10.0)
        # a kanban drag and drop is a plain write of stage_id
        deal.write({"stage_id": self.s_proposal.id})
        self.assertEqual(deal.probability, 60.0)
        deals = self.make_deal("A", self.s_new) | self.make_deal("B", self.s_proposal)
        deals.write({"stage_id": self.s_qualified.id})
        self.assertEqual(deals.mapped("probability"), [30.0, 30.0])

    def test_form_status_bar(self):
        deal = self.make_deal("Form", self.s_new, 1000)
        with Form(deal) as form:
            form.stage_id = self.s_proposal
            self.assertEqual(form.probability, 60.0, "shown before saving")
        self.assertEqual(deal.probability, 60.0)

    def test_import(self):
        deal = self.make_deal("Import", self.s_new, 1000)
        result = self.env["crm.lead"].load(
            [".id", "stage_id/.id"], [[str(deal.id), str(self.s_proposal.id)]]
        )
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(deal.stage_id, self.s_proposal)
        self.assertEqual(deal.probability, 60.0)

    def test_import_new_deals(self):
        first, second = self.import_deals("probability", ["", "75"])
        self.assertEqual((first.probability, first.forecast_revenue), (30.0, 300.0))
        # a probability column is the user's figure: it holds
        self.assertEqual((second.probability, second.forecast_revenue), (75.0, 750.0))
        self.assertTrue(second.probability_is_manual)

    def test_server_action(self):
        deal = self.make_deal("Server action", self.s_new, 1000)
        action = self.env["ir.actions.server"].create(
            {
                "name": "Move to proposal",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "object_write",
                "update_path": "stage_id",
                "evaluation_type": "value",
                "resource_ref": f"crm.stage,{self.s_proposal.id}",
            }
        )
        action.with_context(active_model="crm.lead", active_id=deal.id, active_ids=deal.ids).run()
        self.assertEqual(deal.stage_id, self.s_proposal)
        self.assertEqual(deal.probability, 60.0)

    def test_won_and_back_from_won(self):
        deal = self.make_deal("Won", self.s_proposal, 1000)
        deal.action_set_won()
        self.assertEqual(deal.stage_id, self.s_won)
        self.assertEqual(deal.probability, 100.0)
        self.assertTrue(deal.date_closed)
        # Odoo alone leaves a deal moved out of a won stage at 100 %
        deal.write({"stage_id": self.s_qualified.id})
        self.assertEqual(deal.probability, 30.0)
        self.assertFalse(deal.date_closed)

    def test_back_from_won_to_zero_percent_stage_reopens(self):
        zero = self.env["crm.stage"].create(
            {"name": "T-Zero", "sequence": 900, "forecast_probability": 0, "team_id": self.team.id}
        )
        deal = self.make_deal("Zero", self.s_proposal, 1000)
        deal.action_set_won()
        self.assertTrue(deal.date_closed)
        deal.stage_id = zero
        self.assertEqual(deal.probability, 0.0)
        self.assertFalse(deal.date_closed)
        self.assertTrue(deal.active)

    def test_typed_probability_holds_until_next_stage_change(self):
        deal = self.make_deal("Typed", self.s_new, 1000)
        deal.probability = 45
        self.assertTrue(deal.probability_is_manual)
        # editing fields that feed Odoo's scoring does not undo it
        deal.write({"phone": "+32 2 555 01 01", "email_from": "buyer@example.com"})
        self.assertEqual(deal.probability, 45.0)
        deal.stage_id = self.s_qualified
        self.assertEqual(deal.probability, 30.0)
        self.assertFalse(deal.probability_is_manual)

    def test_typed_probability_in_form(self):
        deal = self.make_deal("Typed form", self.s_new, 1000)
        with Form(deal) as form:
            form.probability = 25
        self.assertEqual(deal.probability, 25.0)
        self.assertTrue(deal.probability_is_manual)
        with Form(deal) as form:
            form.stage_id = self.s_proposal
        self.assertEqual(deal.probability, 60.0)

    def test_probability_given_at_creation_holds(self):
        deal = self.make_deal("Given", self.s_new, 1000, probability=70)
        self.assertEqual(deal.probability, 70.0)
        self.assertTrue(deal.probability_is_manual)

    def test_setting_off_leaves_probability_alone(self):
        self.company.crm_probability_from_stage = False
        deal = self.make_deal("Off", self.s_new, 1000, probability=42)
        deal.stage_id = self.s_proposal
        self.assertEqual(deal.probability, 42.0)

    def test_setting_back_on_aligns_open_deals(self):
        self.company.crm_probability_from_stage = False
        deal = self.make_deal("Realign", self.s_new, 1000)
        deal.stage_id = self.s_proposal
        self.env.cr.execute(
            "UPDATE crm_lead SET probability = 12, automated_probability = 12 WHERE id = %s",
            [deal.id],
        )
        deal.invalidate_recordset()
        settings = self.env["res.config.settings"].create({})
        settings.crm_probability_from_stage = True
        settings.execute()
        self.assertEqual(deal.probability, 60.0)
        self.assertEqual(deal.forecast_revenue, 600.0)

    def run_scoring_cron(self, deal):
        """Odoo's predictive scoring job, on a deal whose probability it
        takes for its own (its automated probability made equal to it), so
        that it rewrites it in SQL."""
        self.env.cr.execute(
            "UPDATE crm_lead SET automated_probability = probability WHERE id = %s", [deal.id]
        )
        self.env["ir.config_parameter"].sudo().set_param("crm.pls_start_date", "2000-01-01")
        deal.invalidate_recordset()
        self.env["crm.lead"]._cron_update_automated_probabilities()
        deal.invalidate_recordset()

    def test_scoring_cron_in_a_company_where_stages_do_not_drive(self):
        """Odoo's scoring job writes probabilities in SQL: in a company that
        turned "probability follows stage" off, the weighted forecast is
        still expected revenue x the probability it wrote."""
        self.company.crm_probability_from_stage = False
        deal = self.make_deal("PLS off", self.s_qualified, 1000, probability=30)
        self.run_scoring_cron(deal)
        self.assertNotEqual(deal.probability, 30.0, "the cron scored the deal")
        self.assertAlmostEqual(deal.forecast_revenue, round(1000 * deal.probability / 100, 2), 2)
        self.assertStructuresHold("scoring cron, stages not driving")

    def test_predictive_scoring_cron_does_not_undo_stage(self):
        deal = self.make_deal("PLS", self.s_qualified, 1000)
        self.run_scoring_cron(deal)
        self.assertNotEqual(deal.automated_probability, 30.0, "the cron scored the deal")
        self.assertEqual(deal.probability, 30.0)
        self.assertEqual(deal.forecast_revenue, 300.0)

    def test_lost_keeps_lost_stage(self):
        deal = self.make_deal("Lost wizard", self.s_qualified, 1000)
        reason = self.env["crm.lost.reason"].create({"name": "Too far"})
        wizard = self.env["crm.lead.lost"].create(
            {"lead_ids": deal.ids, "lost_reason_id": reason.id}
        )
        wizard.action_lost_reason_apply()
        self.assertFalse(deal.active)
        self.assertEqual(deal.probability, 0.0)
        self.assertEqual(deal.lost_stage_id, self.s_qualified)
        archived = self.make_deal("Archived", self.s_proposal, 1000)
        archived.action_archive()
        self.assertEqual(archived.lost_stage_id, self.s_proposal)
        lost = self.make_deal("Set lost", self.s_new, 1000)
        lost.action_set_lost()
        self.assertEqual(lost.lost_stage_id, self.s_new)
        # restored deals are no longer lost and take their stage percentage
        archived.action_unarchive()
        self.assertFalse(archived.lost_stage_id)
        self.assertEqual(archived.probability, 60.0)

    def test_typed_in_form_survives_other_edits(self):
        deal = self.make_deal("Typed then edited", self.s_new, 1000)
        with Form(deal) as form:
            form.probability = 45
            form.email_from = "someone@example.com"
            form.phone = "+32 2 555 02 02"
            self.assertEqual(form.probability, 45.0)
        self.assertEqual(deal.probability, 45.0)
        self.assertTrue(deal.probability_is_manual)

    def test_typed_with_the_stage_in_one_save_holds(self):
        deal = self.make_deal("Both", self.s_new, 1000)
        deal.write({"stage_id": self.s_qualified.id, "probability": 45})
        self.assertEqual(deal.probability, 45.0)
        self.assertTrue(deal.probability_is_manual)
        # the stage's own value written with it is not a typed one
        deal.write({"stage_id": self.s_proposal.id, "probability": 60})
        self.assertFalse(deal.probability_is_manual)

    def test_probability_written_with_unchanged_stage_is_typed(self):
        deal = self.make_deal("Same stage", self.s_qualified, 1000)
        deal.write({"stage_id": self.s_qualified.id, "probability": 55})
        self.assertTrue(deal.probability_is_manual)
        self.env.cr.execute(
            "UPDATE crm_lead SET automated_probability = 55 WHERE id = %s", [deal.id]
        )
        self.env["ir.config_parameter"].sudo().set_param("crm.pls_start_date", "2000-01-01")
        deal.invalidate_recordset()
        self.env["crm.lead"]._cron_update_automated_probabilities()
        deal.invalidate_recordset()
        self.assertNotEqual(deal.automated_probability, 55.0, "the cron scored the deal")
        self.assertEqual(deal.probability, 55.0, "a typed probability survives the scoring cron")
        self.assertEqual((deal.forecast_revenue, deal.prorated_revenue), (550.0, 550.0))

    def test_restored_deal_takes_its_stage_again(self):
        deal = self.make_deal("Typed then lost", self.s_proposal, 1000)
        deal.probability = 45
        deal.action_set_lost()
        self.assertFalse(deal.probability_is_manual)
        deal.action_unarchive()
        self.assertEqual(deal.probability, 60.0)

    def test_changing_a_stage_percentage_moves_its_deals(self):
        follows = self.make_deal("Follows", self.s_qualified, 1000)
        typed = self.make_deal("Typed", self.s_qualified, 1000)
        typed.probability = 45
        self.s_qualified.forecast_probability = 35
        self.assertEqual(follows.probability, 35.0)
        self.assertEqual(follows.forecast_revenue, 350.0)
        self.assertEqual(follows.prorated_revenue, 350.0, "Odoo's prorated revenue follows too")
        self.assertEqual(typed.probability, 45.0)

    def test_setting_off_gives_odoo_its_probabilities_back(self):
        deal = self.make_deal("Back to Odoo", self.s_qualified, 1000)
        typed = self.make_deal("Typed", self.s_qualified, 1000)
        typed.probability = 45
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET automated_probability = 12.5 WHERE id = ANY(%s)",
            [(deal | typed).ids],
        )
        self.env.invalidate_all()
        self.company.crm_probability_from_stage = False
        self.assertEqual(deal.probability, 12.5)
        self.assertEqual(deal.forecast_revenue, 125.0)
        self.assertEqual(typed.probability, 45.0)

    def test_zero_percent_deal_won_keeps_scoring_counts_sane(self):
        zero = self.env["crm.stage"].create(
            {"name": "T-Zero", "sequence": 900, "forecast_probability": 0, "team_id": self.team.id}
        )
        deal = self.make_deal("From zero", zero, 1000)
        self.assertEqual(deal.probability, 0.0)
        deal.action_set_won()
        self.env.flush_all()
        # won once, never counted lost: Odoo's scoring starts every count at
        # 0.1, then adds 1 to the won count of each of the deal's values (a
        # deal at 0 % taken for a lost one would take 1 off its lost count)
        self.env.cr.execute(
            """SELECT variable, value, won_count, lost_count FROM crm_lead_scoring_frequency
                WHERE team_id = %s AND (variable <> 'stage_id' OR value = %s)""",
            [self.team.id, str(zero.id)],
        )
        self.assertEqual(
            sorted(self.env.cr.fetchall()),
            [
                ("email_state", "False", 1.1, 0.1),
                ("phone_state", "False", 1.1, 0.1),
                ("stage_id", str(zero.id), 1.1, 0.1),
            ],
        )

    def test_created_lost(self):
        deal = self.make_deal("Imported lost", self.s_proposal, 1000, active=False, probability=0)
        self.assertEqual(deal.lost_stage_id, self.s_proposal)

    def scoring_job(self, during=None, probability=77.0):
        """Odoo's nightly scoring job, its naive Bayes giving every deal
        ``probability``; ``during`` runs while it computes: a user's save
        made between the job's start and its end (the job commits between
        its batches: its last statements see the save)."""
        self.env["ir.config_parameter"].sudo().set_param("crm.pls_start_date", "2000-01-01")

        def naive_bayes(leads, batch_mode=False):
            if during:
                during()
                self.env.flush_all()
            return {lead.id: probability for lead in leads if lead.id}

        self.patch(type(self.env["crm.lead"]), "_pls_get_naive_bayes_probabilities", naive_bayes)
        self.env["crm.lead"]._cron_update_automated_probabilities()
        self.env.invalidate_all()

    def test_deal_saved_while_the_scoring_job_runs_keeps_what_was_saved(self):
        """Two deals typed at 42 %: while the job runs, one is marked lost,
        the other typed at 55 %. The module, which puts typed probabilities
        back after the job, gives neither its 42 % again: 55 % holds, with
        its weighted forecast and Odoo's prorated revenue 550."""
        lost = self.make_deal("Lost meanwhile", self.s_qualified, 1000)
        typed = self.make_deal("Typed meanwhile", self.s_qualified, 1000)
        (lost | typed).write({"probability": 42})
        self.end_request()

        def users_save():
            lost.action_set_lost()
            typed.write({"probability": 55})

        self.scoring_job(during=users_save)
        # (what Odoo's own job writes on a deal lost meanwhile is Odoo's:
        # the module does not put the typed 42 % back)
        self.assertFalse(lost.active)
        self.assertNotEqual(lost.probability, 42)
        self.assertEqual(
            (typed.probability, typed.forecast_revenue, typed.prorated_revenue), (55, 550, 550)
        )

    def test_deal_put_back_on_odoos_probability_follows_the_job(self):
        """A deal typed at 42 % while stages drove probabilities; the
        company then turns "probability follows stage" off and the
        salesperson puts the deal back on Odoo's automated probability (the
        gear beside it). Odoo's job computes 77 %: the deal follows, as in
        Odoo, weighted 770."""
        deal = self.make_deal("Back on Odoo's", self.s_qualified, 1000)
        deal.probability = 42
        self.end_request()
        self.company.crm_probability_from_stage = False
        self.end_request()
        deal.action_set_automated_probability()
        self.end_request()
        self.scoring_job(probability=77.0)
        self.assertEqual(
            (deal.automated_probability, deal.probability, deal.forecast_revenue), (77, 77, 770)
        )
        self.assertTrue(deal.is_automated_probability)

    def test_pipeline_column_weighs_the_recurring_revenue_too(self):
        """Odoo's Recurring Revenues on: the pipeline's column header sums
        the weighted forecast and the monthly recurring revenue; a 10 %
        deal of 1,000 plus 1,000 a month reads 100 + 100 (both weighed;
        the MRR was whole: 100 + 1,000)."""
        view = self.env.ref("crm.crm_case_kanban_view_leads")
        arch = self.env["crm.lead"].get_views([(view.id, "kanban")])["views"]["kanban"]["arch"]
        bar = etree.fromstring(arch).find(".//progressbar")
        deal = self.make_deal(
            "Subscription",
            self.s_new,
            1000,
            recurring_revenue=1000,
            recurring_plan=self.env.ref("crm.crm_recurring_plan_monthly").id,
        )
        self.env.flush_all()
        self.assertEqual(
            self.env["crm.lead"]._read_group(
                [("id", "=", deal.id)],
                [],
                [f"{bar.get('sum_field')}:sum", f"{bar.get('recurring_revenue_sum_field')}:sum"],
            ),
            [(100, 100)],
        )
