/** @odoo-module **/

/**
 * The sales teams the user reads, in the order of Odoo's team lists, for
 * the team pickers of the dashboard and the Forecast screen.
 */
export function loadTeams(orm) {
    return orm.searchRead("crm.team", [], ["name"], {order: "sequence, name"});
}
