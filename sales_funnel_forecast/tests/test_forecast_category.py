# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..hooks import post_init_hook
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestForecastCategory(FunnelCase):
    """The test pipeline: Prospect 10 % and Qualified 30 % are Pipeline,
    Proposal 60 % Best Case, Signature 80 % Commit, Won Closed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s_signature = cls.env["crm.stage"].create(
            {
                "name": "T-Signature",
                "sequence": 903,
                "forecast_probability": 80,
                "team_id": cls.team.id,
            }
        )
        cls.s_won.sequence = 905

    def categories(self, deals):
        return [(deal.forecast_category, deal.forecast_category_is_manual) for deal in deals]

    def tracked_categories(self, deal):
        """The category changes in the deal's chatter, oldest first."""
        field = self.env["ir.model.fields"]._get("crm.lead", "forecast_category")
        values = self.env["mail.tracking.value"].search(
            [
                ("field_id", "=", field.id),
                ("mail_message_id.res_id", "=", deal.id),
                ("mail_message_id.model", "=", "crm.lead"),
            ],
            order="id",
        )
        return [(value.old_value_char, value.new_value_char) for value in values]

    def flush_tracking(self):
        """Odoo writes the tracking values when the transaction commits."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    # ------------------------------------------------------------------
    # Stages
    # ------------------------------------------------------------------
    def test_stage_category_by_default_from_its_percentage(self):
        self.assertEqual(
            [
                self.s_new.forecast_category,
                self.s_qualified.forecast_category,
                self.s_proposal.forecast_category,
                self.s_signature.forecast_category,
                self.s_won.forecast_category,
            ],
            ["pipeline", "pipeline", "best_case", "commit", "closed"],
        )
        Stage = self.env["crm.stage"]
        made = Stage.create(
            [
                {"name": f"T-{pct}", "forecast_probability": pct, "team_id": self.team.id}
                for pct in (39.99, 40, 69.99, 70)
            ]
        )
        self.assertEqual(
            made.mapped("forecast_category"), ["pipeline", "best_case", "best_case", "commit"]
        )

    def test_stage_category_is_the_managers_and_won_is_closed(self):
        stage = self.s_qualified.with_user(self.manager)
        stage.forecast_category = "best_case"
        # a new percentage keeps the manager's category
        stage.forecast_probability = 20
        self.assertEqual(stage.forecast_category, "best_case")
        # a stage that becomes won is Closed; back to open, its new percentage's
        stage.is_won = True
        self.assertEqual((stage.forecast_probability, stage.forecast_category), (100.0, "closed"))
        stage.is_won = False
        self.assertEqual(
            stage.forecast_category, "best_case" if stage.forecast_probability >= 40 else "pipeline"
        )
        with self.assertRaisesRegex(
            ValidationError, "Only the stage where a deal is won is Closed"
        ):
            self.s_proposal.forecast_category = "closed"
        with self.assertRaisesRegex(ValidationError, "its forecast category is Closed"):
            self.s_won.forecast_category = "commit"

    def test_new_stage_in_the_form_follows_its_percentage(self):
        with Form(self.env["crm.stage"].with_user(self.manager)) as form:
            form.name = "T-Typed"
            form.forecast_probability = 80
            self.assertEqual(form.forecast_category, "commit")
        stage = form.record
        self.assertEqual(stage.forecast_category, "commit")
        # once made, the category is the manager's: a new percentage keeps it
        with Form(stage.with_user(self.manager)) as form:
            form.forecast_probability = 20
            self.assertEqual(form.forecast_category, "commit")
        line_form = Form(
            self.env.ref("sales_funnel_forecast.catalogue_simple").with_user(self.manager)
        )
        with line_form.line_ids.new() as line:
            line.name = "Verbal yes"
            line.forecast_probability = 45
            self.assertEqual(line.forecast_category, "best_case")

    def test_stage_won_or_open_again_ends_the_deals_choices(self):
        deal = self.make_deal("Chosen", self.s_signature, 1000)
        deal.forecast_category = "best_case"
        self.s_signature.is_won = True
        self.assertEqual(self.categories(deal), [("closed", False)])
        self.s_signature.is_won = False
        self.assertEqual(self.categories(deal), [(self.s_signature.forecast_category, False)])
        # a manager's category for the stage then reaches the deal
        self.s_signature.forecast_category = "best_case"
        self.assertEqual(self.categories(deal), [("best_case", False)])

    def test_deal_in_an_omitted_stage_may_be_given_a_category(self):
        self.s_qualified.forecast_category = "omitted"
        deal = self.make_deal("Parked", self.s_qualified, 1000)
        self.assertEqual(self.categories(deal), [("omitted", False)])
        deal.with_user(self.rep).forecast_category = "commit"
        self.assertEqual(self.categories(deal), [("commit", True)])

    def test_catalogue_steps_ship_their_categories(self):
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_simple")
        self.assertEqual(
            [(line.name, line.forecast_category) for line in catalogue.line_ids],
            [
                ("Prospecting", "pipeline"),
                ("Qualification", "pipeline"),
                ("Proposal", "best_case"),
                ("Closing", "commit"),
                ("Won", "closed"),
            ],
        )
        # the manager's own choice goes to the team's stage
        catalogue.line_ids.filtered(
            lambda line: line.name == "Proposal"
        ).forecast_category = "commit"
        team = self.env["crm.team"].create({"name": "Catalogue Category Team"})
        wizard = self.env["crm.stage.catalogue.apply"].create(
            {"catalogue_id": catalogue.id, "team_id": team.id}
        )
        wizard.action_apply()
        stages = self.env["crm.stage"].search([("team_id", "=", team.id)])
        self.assertEqual(
            {stage.name: stage.forecast_category for stage in stages},
            {
                "Prospecting": "pipeline",
                "Qualification": "pipeline",
                "Proposal": "commit",
                "Closing": "commit",
                "Won": "closed",
            },
        )

    # ------------------------------------------------------------------
    # Deals follow their stage
    # ------------------------------------------------------------------
    def test_kanban_moves_won_lost_restored(self):
        deal = self.make_deal("Moves", self.s_new, 1000)
        self.assertEqual(self.categories(deal), [("pipeline", False)])
        self.flush_tracking()
        steps = [
            (lambda: deal.write({"stage_id": self.s_proposal.id}), "best_case"),
            (lambda: deal.write({"stage_id": self.s_signature.id}), "commit"),
            (deal.action_set_won, "closed"),
            (lambda: deal.write({"stage_id": self.s_qualified.id}), "pipeline"),
            (deal.action_set_lost, "omitted"),
            (deal.action_unarchive, "pipeline"),
        ]
        for step, category in steps:
            step()
            self.assertEqual(deal.forecast_category, category)
        # the category that follows the stage is not tracked (Odoo's own
        # tests count the tracking values of a lost deal)
        self.flush_tracking()
        self.assertEqual(self.tracked_categories(deal), [])

    def test_duplicate_takes_its_own_category(self):
        won = self.make_deal("Won", self.s_won, 100)
        chosen = self.make_deal("Chosen", self.s_new, 100)
        chosen.forecast_category = "commit"
        copies = won.copy() | chosen.copy()
        self.assertEqual(
            [(c.forecast_category, c.forecast_category_is_manual) for c in copies],
            [(copies[0]._sff_default_forecast_category(), False), ("pipeline", False)],
        )

    def test_chosen_category_holds_until_the_next_stage_change(self):
        deal = self.make_deal("Chosen", self.s_new, 1000)
        self.flush_tracking()
        deal.with_user(self.rep).write({"forecast_category": "commit"})
        self.assertEqual(self.categories(deal), [("commit", True)])
        self.flush_tracking()
        # other edits leave it
        deal.with_user(self.rep).write({"expected_revenue": 1500, "priority": "2"})
        deal.user_id = self.other_rep
        self.assertEqual(self.categories(deal), [("commit", True)])
        self.flush_tracking()
        # the next stage change ends it
        deal.write({"stage_id": self.s_qualified.id})
        self.assertEqual(self.categories(deal), [("pipeline", False)])
        self.flush_tracking()
        # choosing the stage's own category back is no choice
        deal.write({"forecast_category": "best_case"})
        self.flush_tracking()
        deal.write({"forecast_category": "pipeline"})
        self.assertEqual(self.categories(deal), [("pipeline", False)])
        self.flush_tracking()
        notes = deal.message_ids.filtered(lambda m: "Forecast category chosen" in (m.body or ""))
        self.assertEqual(len(notes), 2, "Commit, then Best Case, each chosen once")
        # an empty category (an import's empty cell): the stage's again
        deal.write({"forecast_category": "commit"})
        deal.write({"forecast_category": False})
        self.assertEqual(self.categories(deal), [("pipeline", False)])

    def test_category_chosen_with_the_stage_holds(self):
        deal = self.make_deal("With stage", self.s_new, 1000)
        deal.write({"stage_id": self.s_proposal.id, "forecast_category": "commit"})
        self.assertEqual(self.categories(deal), [("commit", True)])
        # the stage's own category with the stage: none chosen
        deal.write({"stage_id": self.s_signature.id, "forecast_category": "commit"})
        self.assertEqual(self.categories(deal), [("commit", False)])

    def test_form(self):
        deal = self.make_deal("Form", self.s_new, 1000)
        with Form(deal.with_user(self.rep)) as form:
            form.stage_id = self.s_proposal
            self.assertEqual(form.forecast_category, "best_case", "shown before saving")
        self.assertEqual(self.categories(deal), [("best_case", False)])
        with Form(deal.with_user(self.rep)) as form:
            form.forecast_category = "commit"
        self.assertEqual(self.categories(deal), [("commit", True)])
        # a chosen category, then another stage in the form: the stage's
        with Form(deal.with_user(self.rep)) as form:
            form.stage_id = self.s_qualified
            self.assertEqual(form.forecast_category, "pipeline")
        self.assertEqual(self.categories(deal), [("pipeline", False)])

    def test_form_stage_changed_and_back_keeps_the_choice(self):
        deal = self.make_deal("Back and forth", self.s_new, 1000)
        deal.forecast_category = "commit"
        with Form(deal.with_user(self.rep)) as form:
            form.stage_id = self.s_proposal
            self.assertEqual(form.forecast_category, "best_case")
            form.stage_id = self.s_new
            self.assertEqual(form.forecast_category, "commit")
        self.assertEqual(self.categories(deal), [("commit", True)])

    def test_several_deals_in_one_write(self):
        deals = (
            self.make_deal("One", self.s_new, 100)
            | self.make_deal("Two", self.s_new, 200)
            | self.make_deal("Three", self.s_proposal, 300)
        )
        deals[0].forecast_category = "commit"
        deals.write({"stage_id": self.s_qualified.id})
        self.assertEqual(self.categories(deals), [("pipeline", False)] * 3)
        deals.write({"forecast_category": "best_case"})
        self.assertEqual(self.categories(deals), [("best_case", True)] * 3)
        deals.write({"stage_id": self.s_proposal.id})
        # Best Case is now the stage's: no longer chosen
        self.assertEqual(self.categories(deals), [("best_case", False)] * 3)

    def test_import(self):
        deals = self.import_deals("forecast_category", ["", "Commit"])
        self.assertEqual(self.categories(deals), [("pipeline", False), ("commit", True)])
        # an update of existing deals by id
        first = deals[0]
        result = self.env["crm.lead"].load(
            [".id", "forecast_category"], [[str(first.id), "Best Case"]]
        )
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(self.categories(first), [("best_case", True)])

    def test_lead_converted_and_team_changed(self):
        lead = self.env["crm.lead"].create(
            {"name": "A lead", "type": "lead", "team_id": self.team.id}
        )
        lead.convert_opportunity(self.env["res.partner"])
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.forecast_category, lead.stage_id.forecast_category)
        # another team whose pipeline does not have the deal's stage
        other_team = self.env["crm.team"].create({"name": "Other Category Team"})
        other_stage = self.env["crm.stage"].create(
            {
                "name": "Other 75",
                "sequence": 1,
                "forecast_probability": 75,
                "team_id": other_team.id,
            }
        )
        deal = self.make_deal("Team change", self.s_new, 100)
        deal.forecast_category = "best_case"
        deal.write({"team_id": other_team.id})
        if deal.stage_id == other_stage:
            self.assertEqual(self.categories(deal), [("commit", False)])
        else:
            self.assertEqual(self.categories(deal), [("best_case", True)])

    def test_merge_keeps_the_kept_deals_category(self):
        first = self.make_deal("Merge 1", self.s_signature, 1000)
        second = self.make_deal("Merge 2", self.s_new, 500)
        second.forecast_category = "best_case"
        kept = (first | second)._merge_opportunity()
        self.assertEqual(kept, first, "the most advanced deal is kept")
        self.assertFalse(second.exists())
        self.assertEqual(self.categories(kept), [("commit", False)])

    # ------------------------------------------------------------------
    # Out of the forecast, bad input
    # ------------------------------------------------------------------
    def test_out_of_the_forecast_is_omitted(self):
        deal = self.make_deal("Excluded", self.s_proposal, 1000)
        deal.forecast_category = "commit"
        deal.with_user(self.manager).forecast_excluded = True
        self.assertEqual(self.categories(deal), [("omitted", False)])
        deal.with_user(self.manager).forecast_excluded = False
        self.assertEqual(self.categories(deal), [("best_case", False)])
        # a rep may leave a deal out of the categories by choice
        deal.with_user(self.rep).forecast_category = "omitted"
        self.assertEqual(self.categories(deal), [("omitted", True)])

    def test_stall_rule_taking_deals_out_is_omitted(self):
        self.s_proposal.write({"stall_days": 5, "stall_action": "exclude"})
        self.set_now(self.day(0))
        deal = self.make_deal("Stalled", self.s_proposal, 1000)
        deal.forecast_category = "commit"
        self.set_now(self.day(4))
        kept = self.make_deal("Young", self.s_proposal, 1000)
        self.set_now(self.day(6))
        self.env["crm.lead"]._cron_apply_stall_rules()
        self.env.invalidate_all()
        self.assertEqual(self.categories(deal | kept), [("omitted", False), ("best_case", False)])
        # it moves on: back in the forecast, in its new stage's category
        deal.stage_id = self.s_signature
        self.assertEqual(self.categories(deal), [("commit", False)])

    def test_categories_that_cannot_be_chosen(self):
        deal = self.make_deal("Open", self.s_new, 1000)
        with self.assertRaisesRegex(ValidationError, "Closed \\(Won\\) is for won deals"):
            deal.with_user(self.rep).forecast_category = "closed"
        won = self.make_deal("Won", self.s_won, 1000)
        with self.assertRaisesRegex(ValidationError, "it is won"):
            won.forecast_category = "commit"
        lost = self.make_deal("Lost", self.s_new, 1000)
        lost.action_set_lost()
        with self.assertRaisesRegex(ValidationError, "it is lost"):
            lost.forecast_category = "pipeline"
        # each refusal rolled back its write
        self.env.invalidate_all()
        self.assertEqual(
            self.categories(deal | won | lost),
            [("pipeline", False), ("closed", False), ("omitted", False)],
        )
        # in the user's language
        self.env["res.lang"]._activate_lang("fr_FR")
        with self.assertRaisesRegex(ValidationError, "gagnée"):
            won.with_context(lang="fr_FR").forecast_category = "commit"

    # ------------------------------------------------------------------
    # A manager changes a stage's category
    # ------------------------------------------------------------------
    def test_stage_category_change_moves_its_deals_but_chosen_ones(self):
        follows = self.make_deal("Follows", self.s_qualified, 100)
        chosen = self.make_deal("Chosen", self.s_qualified, 200)
        chosen.forecast_category = "commit"
        lost = self.make_deal("Lost", self.s_qualified, 300)
        lost.action_set_lost()
        elsewhere = self.make_deal("Elsewhere", self.s_new, 400)
        self.s_qualified.with_user(self.manager).forecast_category = "best_case"
        self.assertEqual(
            self.categories(follows | chosen | lost | elsewhere),
            [("best_case", False), ("commit", True), ("omitted", False), ("pipeline", False)],
        )

    # ------------------------------------------------------------------
    # Reports
    # ------------------------------------------------------------------
    def test_forecast_report_and_dashboard_by_category(self):
        """Four open deals: 1,000 in Prospect (10 %), 2,000 in Proposal
        (60 %), 3,000 in Prospect chosen as Commit, 500 in Proposal out of
        the forecast; a won and a lost deal are not open."""
        self.make_deal("P", self.s_new, 1000)
        self.make_deal("B", self.s_proposal, 2000)
        self.make_deal("C", self.s_new, 3000).forecast_category = "commit"
        self.make_deal("O", self.s_proposal, 500).forecast_excluded = True
        self.make_deal("W", self.s_won, 700)
        self.make_deal("L", self.s_new, 900).action_set_lost()
        Report = self.env["crm.forecast.report"]
        domain = [("team_id", "=", self.team.id)]
        groups = Report._read_group(
            domain,
            ["forecast_category"],
            ["deal_count:sum", "expected_revenue:sum", "forecast_revenue:sum"],
        )
        self.assertEqual(
            sorted(groups),
            [
                ("best_case", 1, 2000.0, 1200.0),
                ("commit", 1, 3000.0, 300.0),
                ("omitted", 1, 500.0, 0.0),
                ("pipeline", 1, 1000.0, 100.0),
            ],
        )
        table = Report._sff_forecast_table(self.team.id)
        self.assertEqual(
            [
                (line["category"], line["label"], line["count"], line["amount"], line["forecast"])
                for line in table["categories"]
            ],
            [
                ("commit", "Commit", 1, 3000.0, 300.0),
                ("best_case", "Best Case", 1, 2000.0, 1200.0),
                ("pipeline", "Pipeline", 1, 1000.0, 100.0),
                ("omitted", "Omitted", 1, 500.0, 0.0),
            ],
        )
        # a rep reads the same through the report's rules: all four are theirs
        rep_groups = Report.with_user(self.rep)._read_group(
            domain, ["forecast_category"], ["deal_count:sum"]
        )
        self.assertEqual(sum(count for _category, count in rep_groups), 4)

    # ------------------------------------------------------------------
    # Install onto existing deals
    # ------------------------------------------------------------------
    def test_install_gives_existing_deals_their_category(self):
        won = self.make_deal("Won before", self.s_won, 800)
        open_deal = self.make_deal("Open before", self.s_signature, 1000)
        lost = self.make_deal("Lost before", self.s_proposal, 500)
        lost.action_set_lost()
        deals = won | open_deal | lost
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET forecast_category = NULL, forecast_category_is_manual = TRUE WHERE id = ANY(%s)",
            [deals.ids],
        )
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.assertEqual(
            self.categories(deals), [("closed", False), ("commit", False), ("omitted", False)]
        )
