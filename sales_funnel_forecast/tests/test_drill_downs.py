# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every figure opens what it counts: the lists a click on a report's
figure opens, as Odoo's web client opens them."""

from lxml import etree

from .common import FunnelCase


class TestDrillDowns(FunnelCase):
    def _module_actions(self, view_type):
        """The module's window actions with a view of ``view_type``."""
        actions = self.env["ir.actions.act_window"].search([])
        return actions.filtered(
            lambda action: action.get_external_id()[action.id].startswith("sales_funnel_forecast.")
            and view_type in action.view_mode.split(",")
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
