# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Files imported (``load()``, as the Import screen runs it, as the user
and in the user's language) and exported back: a plan's lines once, its
figures worked out, a stage named by name, refusals in the user's words,
managers' fields kept to managers."""

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import ImportCase, apply_catalogue, make_plan


@tagged("post_install", "-at_install")
class TestImportPaths(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.member_ids = [Command.link(cls.rep.id), Command.link(cls.other_rep.id)]

    def french(self, *users):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["sales_funnel_forecast"], ["fr_FR"])
        for user in users:
            user.lang = "fr_FR"
        self.env.flush_all()

    def converted_plan(self):
        """The 2027 plan of 120,000 at 1,000 a deal, with stage conversions
        of 50 % and 40 %: a win rate of 20 %, 120 deals, 600 prospects."""
        plan = make_plan(self.env, self.team)
        plan.stage_line_ids = [
            Command.create({"stage_id": self.s_new.id, "conversion": 50}),
            Command.create({"stage_id": self.s_qualified.id, "conversion": 40}),
        ]
        self.end_request()
        self.assertEqual((plan.win_rate, plan.deals_needed, plan.leads_needed), (20, 120, 600))
        return plan

    # 1 --------------------------------------------------------------
    def test_reimported_stage_conversions_do_not_double(self):
        """Export a plan's stage conversions (plan, stage, conversion) and
        import the same file back (the lines without their ids): refused in
        the user's words, the plan keeps one line per stage and its 20 % /
        600 prospects (not each stage twice and a win rate of 4 %)."""
        plan = self.converted_plan()
        columns = ["id", "name", "stage_line_ids/stage_id", "stage_line_ids/conversion"]
        rows = plan.with_user(self.manager).export_data(columns)["datas"]
        result = self.load("crm.target.plan", columns, rows, user=self.manager)
        self.assertRegex(
            result["messages"][0]["message"], "has two conversions for the stage .*: a plan has one"
        )
        self.env.invalidate_all()
        self.assertEqual(
            len(plan.stage_line_ids), len(plan.stage_line_ids.stage_id), "one line per stage"
        )
        self.assertEqual((plan.win_rate, plan.leads_needed), (20, 600))

    def test_reimported_seasons_do_not_double(self):
        """The same for the seasonality: exported (month, weight) and
        imported back, refused; the plan keeps one weight per month."""
        plan = make_plan(self.env, self.team)
        self.end_request()
        columns = ["id", "name", "season_ids/month", "season_ids/weight"]
        rows = plan.with_user(self.manager).export_data(columns)["datas"]
        result = self.load("crm.target.plan", columns, rows, user=self.manager)
        self.assertIn("two weights for January", result["messages"][0]["message"])
        self.env.invalidate_all()
        months = plan.season_ids.mapped("month")
        self.assertEqual(len(months), len(set(months)), "one weight per month")

    # 2 --------------------------------------------------------------
    def test_win_rate_column_does_not_override_the_conversions(self):
        """An exported plan file (with its Win Rate column, 20 %) whose
        second conversion is changed from 40 to 50 % and imported back: the
        conversions give 25 %, hence 480 prospects, as at creation (where
        the module drops a file's win rate when lines come with it)."""
        plan = self.converted_plan()
        columns = [
            "id",
            "name",
            "win_rate",
            "stage_line_ids/id",
            "stage_line_ids/stage_id/id",
            "stage_line_ids/conversion",
        ]
        rows = plan.with_user(self.manager).export_data(columns)["datas"]
        self.assertEqual(rows[1][5], 40.0)
        rows[1][5] = 50.0
        result = self.load("crm.target.plan", columns, rows, user=self.manager)
        self.assertFalse(result["messages"])
        self.env.invalidate_all()
        self.assertEqual(plan.stage_line_ids.mapped("conversion"), [50.0, 50.0])
        self.assertEqual((plan.win_rate, plan.leads_needed), (25, 480))

    # 3 --------------------------------------------------------------
    def test_split_plan_round_trips(self):
        """A team plan split between two salespeople, exported with its
        members' plans and imported back unchanged: no error, the same
        plans (an unchanged plan is not split again, which replaced the
        members' plans the file names); a changed target still splits."""
        plan = make_plan(self.env, self.team)
        members = plan._sff_split({self.rep: 1, self.other_rep: 3})
        self.end_request()
        columns = [
            "id",
            "name",
            "team_id/id",
            "user_id/id",
            "date_from",
            "date_to",
            "revenue_target",
            "average_deal_value",
            "win_rate",
            "sales_cycle_days",
        ]
        rows = (plan | members).with_user(self.manager).export_data(columns)["datas"]
        result = self.load("crm.target.plan", columns, rows, user=self.manager)
        self.assertEqual([message["message"] for message in result["messages"]], [])
        self.assertEqual(result["ids"], (plan | members).ids)
        self.assertEqual(plan.child_ids, members)
        plan.with_user(self.manager).revenue_target = 240000
        self.assertEqual(sorted(plan.child_ids.mapped("revenue_target")), [60000, 180000])

    # 4 --------------------------------------------------------------
    def test_stage_named_in_a_file_is_the_teams_own_of_another_catalogue(self):
        """Two teams run different shipped catalogues that both have a step
        "Payment" (the won step of the project catalogue, an 85 % step of
        the active-sales one). A file of the project team's deals naming
        "Payment" must put them in the project team's Payment (won), not in
        the other team's 85 % stage outside their pipeline."""
        projects = self.env["crm.team"].create({"name": "Projects Review"})
        active = self.env["crm.team"].create({"name": "Active Review"})
        project_stages = apply_catalogue(
            self.env, projects, self.manager, "sales_funnel_forecast.catalogue_project_sales"
        )
        apply_catalogue(
            self.env, active, self.manager, "sales_funnel_forecast.catalogue_active_sales"
        )
        self.end_request()
        own_payment = project_stages.filtered(lambda stage: stage.name == "Payment")
        self.assertTrue(own_payment.is_won)
        result = self.load(
            "crm.lead",
            ["name", "type", "team_id/.id", "stage_id", "expected_revenue"],
            [["Paid project", "opportunity", str(projects.id), "Payment", "1000"]],
            user=self.manager,
        )
        deal = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(deal.stage_id.team_id, projects)
        self.assertEqual(deal.stage_id, own_payment)

    # 5 --------------------------------------------------------------
    def test_person_twice_on_a_deal_is_said_in_the_users_language(self):
        """A French salesperson imports a buying role for a person already
        on the deal (through the deal's import): the module's own message,
        in French, not PostgreSQL's in English."""
        self.french(self.rep)
        deal = self.make_deal("Roles", self.s_new, 1000)
        person = self.env["res.partner"].create({"name": "Pat Buyer"})
        self.env["crm.lead.buying.role"].create({"lead_id": deal.id, "partner_id": person.id})
        self.end_request()
        result = self.load(
            "crm.lead",
            [".id", "buying_role_ids/partner_id/.id"],
            [[str(deal.id), str(person.id)]],
            user=self.rep,
        )
        [message] = [message["message"] for message in result["messages"]]
        self.assertNotIn("duplicate key", message)
        self.assertIn("Une personne n'a qu'un rôle par opportunité", message)

    def test_origin_twice_in_a_plan_is_said_in_the_users_language(self):
        """A French manager imports a plan whose origin mix lists Seeds
        twice: the module's message in French, not PostgreSQL's."""
        self.french(self.manager)
        result = self.load(
            "crm.target.plan",
            [
                "name",
                "team_id/.id",
                "date_from",
                "date_to",
                "revenue_target",
                "average_deal_value",
                "origin_line_ids/origin_type",
                "origin_line_ids/share",
                "origin_line_ids/win_rate",
            ],
            [
                ["Origins", str(self.team.id), "2031-01-01", "2031-12-31", "1000", "100"]
                + ["seed", "50", "30"],
                ["", "", "", "", "", "", "seed", "50", "30"],
            ],
            user=self.manager,
        )
        [message] = [message["message"] for message in result["messages"]]
        self.assertNotIn("duplicate key", message)
        self.assertIn("Chaque type d'origine n'apparaît qu'une fois", message)

    # 6 --------------------------------------------------------------
    def test_reimported_unchanged_category_logs_no_second_note(self):
        """A deal imported in Commit (chosen, a note in the chatter);
        exporting and importing the same file back changes nothing: no
        second "Forecast category chosen" note."""
        columns = ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue"]
        result = self.load(
            "crm.lead",
            [*columns, "forecast_category"],
            [
                ["Committed", "opportunity", str(self.team.id), str(self.s_qualified.id), "1000"]
                + ["commit"]
            ],
            user=self.rep,
        )
        deal = self.env["crm.lead"].browse(result["ids"])
        self.end_request()

        def notes():
            return deal.message_ids.filtered(
                lambda message: "Forecast category chosen" in (message.body or "")
            )

        self.assertEqual(len(notes()), 1)
        exported = ["id", "name", "stage_id/id", "expected_revenue", "forecast_category"]
        rows = deal.with_user(self.rep).export_data(exported)["datas"]
        result = self.load("crm.lead", exported, rows, user=self.rep)
        self.assertFalse(result["messages"])
        self.end_request()
        self.assertEqual(len(notes()), 1)

    # 7 --------------------------------------------------------------
    def test_plan_figures_are_not_taken_from_a_file(self):
        """The plan's figures are worked out, never typed: a load() of
        figures lines (a second whole-plan line, a whole-plan target and
        actual revenue) must leave the plan's 120 deals, 120,000 and
        actual 0 as they are."""
        plan = make_plan(self.env, self.team)
        self.end_request()
        whole = plan.year_period_ids
        created = self.load(
            "crm.target.plan.period",
            ["plan_id/.id", "period_type", "date_from", "date_to", "deals_needed"],
            [[str(plan.id), "year", "2027-01-01", "2027-12-31", "1"]],
            user=self.manager,
        )
        written = self.load(
            "crm.target.plan.period",
            [".id", "revenue_target", "actual_revenue"],
            [[str(whole.id), "5", "99999"]],
            user=self.manager,
        )
        for result in (created, written):
            self.assertIn("You are not allowed", result["messages"][0]["message"])
        self.env.invalidate_all()
        self.assertEqual(len(plan.year_period_ids), 1)
        self.assertEqual(
            (plan.deals_needed, whole.revenue_target, whole.actual_revenue), (120, 120000, 0)
        )

    # 8 --------------------------------------------------------------
    def test_catalogue_step_import_keeps_a_won_step(self):
        """A catalogue's won step unmarked by importing its steps alone:
        refused as the catalogue's own save refuses it."""
        catalogue = self.env["crm.stage.catalogue"].create(
            {
                "name": "Review catalogue",
                "line_ids": [
                    Command.create({"name": "A", "sequence": 1, "forecast_probability": 10}),
                    Command.create(
                        {"name": "W", "sequence": 2, "forecast_probability": 100, "is_won": True}
                    ),
                ],
            }
        )
        won = catalogue.line_ids.filtered("is_won")
        result = self.load(
            "crm.stage.catalogue.line",
            [".id", "is_won", "forecast_probability"],
            [[str(won.id), "0", "90"]],
            user=self.manager,
        )
        self.env.invalidate_all()
        self.assertIn("has no won step", result["messages"][0]["message"])
        self.assertTrue(catalogue.line_ids.filtered("is_won"))
        # deleted on its own: refused too
        with self.assertRaisesRegex(ValidationError, "has no won step"):
            with self.env.cr.savepoint():
                won.with_user(self.manager).unlink()
        # the catalogue's own save ending with another won step: accepted,
        # whatever order its lines are written in
        step_a = catalogue.line_ids - won
        catalogue.with_user(self.manager).write(
            {
                "line_ids": [
                    Command.delete(won.id),
                    Command.update(step_a.id, {"is_won": True, "forecast_probability": 100}),
                ]
            }
        )
        self.assertEqual(catalogue.line_ids.filtered("is_won"), step_a)

    # 9 --------------------------------------------------------------
    def test_rep_import_does_not_undo_a_managers_exclusion(self):
        """A manager takes a salesperson's deal out of the forecast (a field
        of managers on the deal form); the salesperson's import of the
        Out of Forecast column does not put it back (refused in the file's
        row), nor takes a deal out; the column unchanged is no change."""
        deal = self.make_deal("Taken out", self.s_qualified, 1000)
        deal.with_user(self.manager).write({"forecast_excluded": True})
        self.end_request()
        self.assertEqual((deal.forecast_revenue, deal.forecast_category), (0, "omitted"))
        result = self.load(
            "crm.lead", [".id", "forecast_excluded"], [[str(deal.id), "0"]], user=self.rep
        )
        self.assertIn("Only a sales manager", result["messages"][0]["message"])
        self.env.invalidate_all()
        self.assertEqual(
            (deal.forecast_excluded, deal.forecast_revenue, deal.forecast_category),
            (True, 0, "omitted"),
        )
        result = self.load(
            "crm.lead", [".id", "forecast_excluded"], [[str(deal.id), "1"]], user=self.rep
        )
        self.assertFalse(result["messages"])
        other = self.make_deal("Kept in", self.s_qualified, 1000)
        self.end_request()
        with self.assertRaisesRegex(AccessError, "Only a sales manager"):
            other.with_user(self.rep).write({"forecast_excluded": True})
        with self.assertRaisesRegex(AccessError, "Only a sales manager"):
            self.env["crm.lead"].with_user(self.rep).create(
                {"name": "Out at once", "type": "opportunity", "forecast_excluded": True}
            )
        other.with_user(self.manager).write({"forecast_excluded": True})
        self.assertTrue(other.forecast_excluded)
