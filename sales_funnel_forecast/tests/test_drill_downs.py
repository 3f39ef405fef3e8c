# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every figure opens what it counts: the lists a click on a report's
figure opens, as Odoo's web client opens them."""

from datetime import date, datetime

from lxml import etree

from .common import FunnelCase, make_plan, screen_domain


class TestDrillDowns(FunnelCase):
    def _module_actions(self, view_type):
        """The module's window actions with a view of ``view_type``."""
        actions = self.env["ir.actions.act_window"].search([])
        return actions.filtered(
            lambda action: (
                action.get_external_id()[action.id].startswith("sales_funnel_forecast.")
                and view_type in action.view_mode.split(",")
            )
        )

    def _arch(self, model, view_id, view_type):
        views = model.get_views([(view_id, view_type)])["views"]
        return etree.fromstring(views[view_type]["arch"])

    def test_a_graph_bar_opens_a_list_that_shows_what_it_counts(self):
        """A click on a bar of a report's graph opens the list of its rows
        (the action's list view, else the one Odoo generates: the rows' ids
        only). The Calls and CRM Adoption graphs opened lists of bare ids
        (their reports have no list, and their pivots open nothing)."""
        self.env.user.groups_id |= self.env.ref("sales_team.group_sale_manager")
        checked = []
        for action in self._module_actions("graph"):
            model = self.env[action.res_model]
            views = {view_type: view_id for view_id, view_type in action.views}
            graph = self._arch(model, views.get("graph", False), "graph")
            if graph.get("disable_linking") in ("1", "True", "true"):
                continue
            listed = [
                field.get("name")
                for field in self._arch(model, views.get("list", False), "list").iter("field")
            ]
            checked.append(action.res_model)
            self.assertGreater(
                len(set(listed) - {"id"}),
                1,
                f"{action.name}: a bar opens a list of {listed} only",
            )
        self.assertIn("crm.funnel.report", checked)

    def test_a_pivot_figure_opens_a_list_with_its_column_and_total(self):
        """A click on a figure of the Sales Process or of Targets and
        Actuals opens the rows it adds up, of several kinds (stages reached,
        new prospects, quotations, activities, calls and the plans' daily
        targets) or several months: each of the pivot's measures is a
        column of that list, totalled, so that the figure is read again at
        its foot. The Sales Process list showed none of its counts nor the
        targets (a week's Target New Prospects of 7.0 opened seven target
        rows without a figure), Targets and Actuals no total."""
        self.env.user.groups_id |= self.env.ref("sales_team.group_sale_manager")
        missing = []
        for xmlid in ("crm_sales_process_report_action", "crm_target_plan_period_action"):
            action = self.env.ref(f"sales_funnel_forecast.{xmlid}")
            model = self.env[action.res_model]
            views = {view_type: view_id for view_id, view_type in action.views}
            columns = {
                field.get("name"): field
                for field in self._arch(model, views["list"], "list").iter("field")
            }
            for measure in self._arch(model, views["pivot"], "pivot").iter("field"):
                name = measure.get("name")
                if measure.get("type") != "measure":
                    continue
                self.assertEqual(model._fields[name].aggregator, "sum")
                column = columns.get(name)
                if column is None or not column.get("sum") or column.get("column_invisible"):
                    missing.append(f"{action.name}: {name}")
        self.assertEqual(missing, [])

    def test_forecast_screen_clicks_open_lists_titled_with_what_they_list(self):
        """The Forecast screen of the team for January 2026, read in March:
        its Won bar opens the deals won, its rep's line her submissions.
        Each list's title says which step, team and period (the bar opened
        "Deal Flow 01/01/2026 - 01/31/2026" whichever step was clicked) and
        whose submissions of which period (it said "Forecast Submissions")."""
        self.team.member_ids = self.rep
        self.clock_at(datetime(2026, 1, 10, 10))
        deal = self.make_deal("Won in January", self.s_new, 1000, date_deadline=date(2026, 1, 25))
        self.end_request()
        self.clock_at(datetime(2026, 1, 20, 10))
        deal.action_set_won()
        self.end_request()
        self.clock_at(datetime(2026, 3, 5, 10))
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-01-01"}
        Submission = self.env["crm.forecast.submission"].with_user(self.manager)
        bars = {bar["step"]: bar for bar in Submission.get_forecast_screen(params)["flow"]}
        self.assertEqual((bars["won"]["count"], bars["won"]["amount"]), (1, 1000.0))
        action = Submission.action_forecast_flow_step(params, "won")
        rows = self.env[action["res_model"]].with_user(self.manager).search(action["domain"])
        self.assertEqual((len(rows), sum(rows.mapped("amount"))), (1, 1000.0))
        self.assertEqual(
            action["display_name"], "Won, Funnel Test Team: Deal Flow 01/01/2026 - 01/31/2026"
        )
        self.assertEqual(action["name"], action["display_name"])
        action = Submission.action_forecast_submissions(params, self.rep.id)
        self.assertEqual(action["name"], "Forecast Submissions: Rita Rep, January 2026")
        action = Submission.action_forecast_submissions(params, False)
        self.assertEqual(action["name"], "Forecast Submissions: Funnel Test Team, January 2026")

    def test_dashboard_stage_opens_its_deals_titled_with_team_and_period(self):
        """The dashboard of every team for January 2026, read in March: a
        click on the team's Qualified bar (2 deals, 3,000) opens those two
        deals, titled with the stage, the team and the period (it said
        "Deals that reached T-Qualified", whichever team's funnel and period
        it was)."""
        self.clock_at(datetime(2026, 1, 10, 10))
        deals = self.make_deal("A", self.s_new, 1000) | self.make_deal("B", self.s_new, 2000)
        self.make_deal("C", self.s_new, 4000)
        self.end_request()
        self.clock_at(datetime(2026, 1, 20, 10))
        deals.stage_id = self.s_qualified
        self.end_request()
        self.clock_at(datetime(2026, 3, 5, 10))
        params = {"team_id": False, "period": "custom"}
        params.update(date_from="2026-01-01", date_to="2026-02-01")
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        [funnel] = [
            funnel
            for funnel in Dashboard.get_funnel_dashboard(params)["funnels"]
            if funnel["team_id"] == self.team.id
        ]
        [row] = [row for row in funnel["stages"] if row["stage_id"] == self.s_qualified.id]
        self.assertEqual((row["reached"], row["reached_amount"]), (2, 3000.0))
        action = Dashboard.get_stage_deals_action(params, self.s_qualified.id, self.team.id)
        listed = self.env["crm.lead"].with_user(self.manager).search(action["domain"])
        self.assertEqual(listed, deals)
        self.assertEqual(
            action["name"],
            "Deals that reached T-Qualified · Funnel Test Team · 01/01/2026 to 01/31/2026"
            " · Stages reached in the period (flow)",
        )

    def test_dashboard_of_every_team_names_the_deals_of_no_team(self):
        """Every team's funnels, with a deal of no sales team among them: its
        funnel is "No sales team" (the dashboard failed on it)."""
        self.make_deal("No team", self.env.ref("crm.stage_lead1"), 500, team_id=False)
        self.end_request()
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        funnels = Dashboard.get_funnel_dashboard({"team_id": False, "period": "all"})["funnels"]
        [funnel] = [funnel for funnel in funnels if not funnel["team_id"]]
        self.assertEqual(funnel["team_name"], "No sales team")

    def test_targets_and_actuals_count_the_plans_in_force(self):
        """The team's 2027 plan of 120,000 was archived and replaced by one
        of 240,000 (the overlap check asks to archive one of two plans):
        Targets and Actuals, as it opens, gave the team 360,000 for 2027
        (the archived plan's months too), where Quota Attainment and the
        Forecast screen count the 240,000 in force; its lists listed both
        plans' months."""
        make_plan(self.env, self.team, name="First plan").action_archive()
        make_plan(self.env, self.team, name="Revised plan", revenue_target=240000)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_funnel_forecast.crm_target_plan_period_action"
        )
        domain, Period = screen_domain(self.env(user=self.manager), action)
        [(target,)] = Period._read_group(
            domain + [("team_id", "=", self.team.id)], [], ["revenue_target:sum"]
        )
        self.assertEqual(target, 240000.0)
        months = Period.search(domain + [("team_id", "=", self.team.id)])
        self.assertEqual(len(months), 12)
        self.assertEqual(set(months.plan_id.mapped("name")), {"Revised plan"})
        [(quota_target,)] = (
            self.env["crm.quota.report"]
            .with_user(self.manager)
            ._read_group([("team_id", "=", self.team.id)], [], ["target:sum"])
        )
        self.assertEqual(quota_target, target)

    def test_invoiced_button_opens_a_list_totalling_its_figure(self):
        """A deal invoiced 500 in the company's currency and 1,000 in a
        currency at 2 for 1 (500): its Invoiced button says 1,000. The list
        it opens totalled the invoices in their own currencies (1,500 of two
        currencies, which Odoo does not add up): no column gave the 1,000.
        It now shows the untaxed amount in the company's currency, totalled."""
        self.env.user.groups_id |= self.env.ref("account.group_account_invoice")
        foreign = self.env.ref("base.EUR" if self.company.currency_id.name != "EUR" else "base.USD")
        foreign.active = True
        self.env["res.currency.rate"].search(
            [("currency_id", "=", foreign.id), ("company_id", "in", [self.company.id, False])]
        ).unlink()
        self.env["res.currency.rate"].create(
            {"currency_id": foreign.id, "name": "2000-01-01", "rate": 2.0}
        )
        deal = self.make_deal("Invoiced twice", self.s_proposal, 2000)
        own = self.post_invoice(deal, 500.0, self.company)
        other = own.copy({"currency_id": foreign.id, "invoice_date": own.invoice_date})
        other.invoice_line_ids.price_unit = 1000.0
        other.action_post()
        self.env.invalidate_all()
        self.assertEqual(deal.invoiced_amount, 1000.0)
        action = deal.action_view_invoices()
        views = {view_type: view_id for view_id, view_type in action["views"]}
        Move = self.env["account.move"]
        listed = Move.search(action["domain"] + [("state", "=", "posted")])
        self.assertEqual(listed, own | other)
        totals = {}
        for column in self._arch(Move, views["list"], "list").iter("field"):
            field = Move._fields[column.get("name")]
            # the untaxed amounts, which the button counts
            if (
                not column.get("sum")
                or column.get("column_invisible")
                or "untaxed" not in field.name
            ):
                continue
            if len(listed.mapped(field.get_currency_field(Move))) == 1:
                totals[field.name] = sum(listed.mapped(field.name))
        self.assertIn(1000.0, totals.values(), totals)
