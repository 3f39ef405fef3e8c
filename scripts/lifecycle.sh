#!/usr/bin/env bash
# Lifecycle checks of the module, on database $1 (which has it installed with
# its demo data):
#   1. the demo pipeline is what the README says;
#   2. an upgrade keeps the history; an uninstall removes the module's tables
#      and columns and keeps the deals, their lost reasons and sources, also
#      with an archived stage a deal went through;
#   3. an install onto a database without demo data that already holds deals
#      moved, reassigned, converted, won and lost under chatter tracking, and
#      an invoiced order with a credit note, phone calls marked done;
#   4. upgrades from the released 18.0.1.0.0, 18.0.1.1.0, 18.0.1.2.0, 18.0.1.4.0, 18.0.1.5.0, 18.0.1.8.0, 18.0.1.9.0, 18.0.1.10.0, 18.0.1.11.0,
#      18.0.1.12.0, 18.0.1.13.0, 18.0.1.14.0, 18.0.1.15.0 and 18.0.1.16.0
#      (their commits in this repository) of a database that holds deals: the
#      migrations make the history right, build the funnel rows, give lost
#      reasons their category, deals their contact status, link the
#      invoices to the deals of their orders and rebuild the calls from the
#      phone calls marked done; the upgraded triggers start a forecast
#      version for a deal moved after the upgrade.
source "$(dirname "$0")/common.sh"
DB="$1"
NODEMO="${DB}_nodemo"
UPGRADE="${DB}_upgrade"
EXISTING="${DB}_existing"
# the released versions as they landed: commit:version
RELEASES="${SFF_RELEASES:-f17aecc:18.0.1.0.0 d71c77b:18.0.1.1.0 7d04523:18.0.1.2.0 2cf3e9a:18.0.1.4.0 0c5a882:18.0.1.5.0 fee1e45:18.0.1.8.0 4e31457:18.0.1.9.0 109142b:18.0.1.10.0 5aef4bb:18.0.1.11.0 50dcc2f:18.0.1.12.0 a1e9e30:18.0.1.13.0 57b35ab:18.0.1.14.0 17bd9ef:18.0.1.15.0 efbf31f:18.0.1.16.0 4232d6f:18.0.1.17.0 9403e08:18.0.1.18.0 6366e9c:18.0.1.19.0 affe53e:18.0.1.20.0 2ad9a94:18.0.1.21.0 f519b95:18.0.1.22.0 2f8ac29:18.0.1.23.0 e5850ef:18.0.1.24.0 858288d:18.0.1.25.0 06c76ee:18.0.1.26.0 5c6808f:18.0.1.27.0 84037c5:18.0.1.28.0 c1b3f2c:18.0.1.29.0}"
RELEASED_DIR="$(mktemp -d)"
cleanup_lifecycle() {
    rm -rf "$RELEASED_DIR"
    dropdb --if-exists "$NODEMO" >/dev/null 2>&1 || true
    dropdb --if-exists "$UPGRADE" >/dev/null 2>&1 || true
    dropdb --if-exists "$EXISTING" >/dev/null 2>&1 || true
}
trap cleanup_lifecycle EXIT
fail() { printf 'lifecycle: FAILED: %s\n' "$*" >&2; exit 1; }
q() { psql -d "$1" -tAc "$2"; }

# --- 1. the demo pipeline -----------------------------------------------------
demo=$(q "$DB" "SELECT count(*) || ' deals, ' || count(DISTINCT team_id) || ' teams, '
                       || count(DISTINCT user_id) || ' reps, '
                       || count(*) FILTER (WHERE NOT active AND lost_reason_id IS NOT NULL) || ' lost with a reason, '
                       || count(*) FILTER (WHERE active AND probability = 100) || ' won, '
                       || (SELECT count(*) FROM crm_lead_stage_history h JOIN crm_lead d ON d.id = h.lead_id
                            WHERE h.is_regression AND d.name LIKE '% deal #%') || ' moves back, '
                       || (SELECT count(*) FROM sale_order o JOIN crm_lead d ON d.id = o.opportunity_id
                            WHERE d.name LIKE '% deal #%') || ' quotations, '
                       || (now()::date - min(create_date)::date) || ' days'
                  FROM crm_lead WHERE name LIKE '% deal #%'")
echo "lifecycle: demo pipeline: $demo"
case "$demo" in "300 deals, 2 teams, 6 reps, "*) ;; *) fail "unexpected demo pipeline: $demo" ;; esac
for figure in "lost with a reason" "won" "moves back" "quotations"; do
    echo "$demo" | grep -qE "(^|, )0 $figure" && fail "the demo pipeline has no deal: $figure"
done
[ "$(q "$DB" "SELECT count(*) FROM crm_lead WHERE active AND stage_id IS NOT NULL AND probability IS NULL")" = 0 ] \
    || fail "open deals without a probability"
[ "$(q "$DB" "SELECT count(*) FROM crm_lead_stage_history h JOIN crm_lead l ON l.id = h.lead_id
               WHERE h.date_out IS NULL AND (NOT l.active OR l.type = 'lead')")" = 0 ] \
    || fail "open stays on lost deals or leads"
[ "$(q "$DB" "SELECT count(*) FROM crm_team WHERE stage_catalogue_id IS NOT NULL")" = 2 ] \
    || fail "the demo teams do not have their catalogues"
calls=$(q "$DB" "SELECT count(*) || ' calls by ' || count(DISTINCT user_id) || ' reps, '
                        || (SELECT count(*) FROM crm_user_login) || ' logins'
                   FROM crm_lead_call")
echo "lifecycle: demo calls: $calls"
case "$calls" in "0 calls"*|*" 0 logins") fail "the demo has no calls or no logins: $calls" ;; esac
[ "$(q "$DB" "SELECT count(*) FROM crm_lead l WHERE call_count <> (SELECT count(*) FROM crm_lead_call c WHERE c.lead_id = l.id)")" = 0 ] \
    || fail "deals whose call count is not their number of calls"

# --- 2. upgrade and uninstall ---------------------------------------------------
before=$(q "$DB" "SELECT count(*) FROM crm_lead_stage_history")
# an administrator's schedule of the module's jobs survives the upgrade
cron_of() {
    q "$DB" "SELECT c.interval_number || ' ' || c.interval_type || ' ' || c.active
               FROM ir_cron c JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron'
              WHERE d.module = 'sales_funnel_forecast' AND d.name = '$1'"
}
q "$DB" "UPDATE ir_cron c SET interval_number = 6, interval_type = 'hours'
           FROM ir_model_data d WHERE d.res_id = c.id AND d.model = 'ir.cron'
            AND d.module = 'sales_funnel_forecast' AND d.name = 'ir_cron_apply_stall_rules';
         UPDATE ir_cron c SET active = FALSE
           FROM ir_model_data d WHERE d.res_id = c.id AND d.model = 'ir.cron'
            AND d.module = 'sales_funnel_forecast' AND d.name = 'ir_cron_refresh_target_plan_actuals'" >/dev/null
sff_odoo_once -d "$DB" -u sales_funnel_forecast --log-level=warn || fail "the upgrade failed"
[ "$(cron_of ir_cron_apply_stall_rules)" = "6 hours true" ] \
    || fail "the upgrade reset the stall job's schedule: $(cron_of ir_cron_apply_stall_rules)"
[ "$(cron_of ir_cron_refresh_target_plan_actuals)" = "1 days false" ] \
    || fail "the upgrade switched the plans' job back on: $(cron_of ir_cron_refresh_target_plan_actuals)"
[ "$(q "$DB" "SELECT count(*) FROM ir_model_data WHERE module = 'sales_funnel_forecast' AND model = 'ir.cron' AND NOT noupdate")" = 0 ] \
    || fail "jobs of the module that upgrades would overwrite"
echo "lifecycle: the upgrade kept the administrator's job schedules"
after=$(q "$DB" "SELECT count(*) FROM crm_lead_stage_history")
[ "$before" = "$after" ] || fail "upgrade changed the history ($before -> $after rows)"
[ "$(q "$DB" "SELECT sum(reached) FROM crm_funnel_summary")" = "$(q "$DB" "SELECT count(*) FROM crm_lead_stage_reach")" ] \
    || fail "after the upgrade the monthly totals do not count every funnel row"
[ "$(q "$DB" "SELECT forecast_probability::float FROM crm_stage s JOIN ir_model_data d ON d.res_id = s.id AND d.model = 'crm.stage' WHERE d.module = 'crm' AND d.name = 'stage_lead2'")" = "30" ] \
    || fail "upgrade changed Odoo's Qualified stage percentage"
echo "lifecycle: upgrade kept $after history rows"

# archived stages no deal is in, one that a deal went through (its stays
# and versions name it): uninstalling must not bring them back; a deal from
# one of the module's sources keeps it
sff_odoo_exec "$DB" <<'PY'
stage = env["crm.stage"].create({"name": "Lifecycle archived", "sequence": 500})
stage.action_archive()
passed = env["crm.stage"].create({"name": "Lifecycle passed through", "sequence": 501})
deal = env["crm.lead"].create(
    {
        "name": "Lifecycle through an archived stage",
        "type": "opportunity",
        "stage_id": passed.id,
        "source_id": env.ref("sales_funnel_forecast.utm_source_referral").id,
    }
)
env.cr.commit()
deal.stage_id = env["crm.stage"].search([("id", "!=", passed.id), ("team_id", "=", False)], limit=1)
env.cr.commit()
passed.action_archive()
env.cr.commit()
PY
# the demo's deals and its teams' stages are the module's demo records:
# the uninstall removes them (the teams' stages are not left to every team)
demo_deals=$(q "$DB" "SELECT count(*) FROM ir_model_data WHERE module = 'sales_funnel_forecast' AND model = 'crm.lead'")
demo_stages=$(q "$DB" "SELECT count(*) FROM crm_stage s JOIN ir_model_data d ON d.res_id = s.id
                       WHERE d.module = 'sales_funnel_forecast' AND d.model = 'crm.stage' AND s.active")
[ "$demo_deals" -gt 0 ] && [ "$demo_stages" -gt 0 ] || fail "the demo's deals and stages have no external ids"
deals=$(( $(q "$DB" "SELECT count(*) FROM crm_lead") - demo_deals ))
stages=$(( $(q "$DB" "SELECT count(*) FROM crm_stage WHERE active") - demo_stages ))
shared=$(q "$DB" "SELECT count(*) FROM crm_stage WHERE active AND team_id IS NULL")
uninstall_log="$(mktemp)"
echo "env['ir.module.module'].search([('name', '=', 'sales_funnel_forecast')]).button_immediate_uninstall()" \
    | sff_odoo_exec "$DB" 2>&1 | tee "$uninstall_log"
! grep -q "bad query" "$uninstall_log" || fail "the uninstall logged failed queries (see above)"
rm -f "$uninstall_log"
[ "$(q "$DB" "SELECT state FROM ir_module_module WHERE name = 'sales_funnel_forecast'")" = "uninstalled" ] \
    || fail "uninstall did not complete"
[ -z "$(q "$DB" "SELECT 1 FROM information_schema.tables WHERE table_name = 'crm_lead_stage_history'")" ] \
    || fail "uninstall left the history table"
[ -z "$(q "$DB" "SELECT 1 FROM information_schema.tables WHERE table_name LIKE 'crm_funnel_summary%'")" ] \
    || fail "uninstall left the funnel's monthly totals"
[ -z "$(q "$DB" "SELECT 1 FROM pg_proc WHERE proname LIKE 'sff\\_%'")" ] \
    || fail "uninstall left the monthly totals' or the forecast versions' trigger functions"
[ -z "$(q "$DB" "SELECT 1 FROM pg_trigger WHERE tgname LIKE 'sff\\_%'")" ] \
    || fail "uninstall left triggers on the deals' table"
echo "env['crm.lead'].search([], limit=1).expected_revenue += 1" | sff_odoo_exec "$DB" \
    || fail "a deal cannot be written after the uninstall"
[ -z "$(q "$DB" "SELECT 1 FROM information_schema.columns WHERE table_name = 'crm_lead' AND column_name = 'forecast_revenue'")" ] \
    || fail "uninstall left crm_lead.forecast_revenue"
[ "$(q "$DB" "SELECT count(*) FROM crm_lead")" = "$deals" ] || fail "uninstall lost deals, or kept the demo's"
[ "$(q "$DB" "SELECT count(*) FROM crm_stage")" = "$stages" ] \
    || fail "uninstall left archived stages that would show again, or the demo's"
[ "$(q "$DB" "SELECT count(*) FROM crm_stage WHERE team_id IS NULL")" = "$shared" ] \
    || fail "uninstall gave every team's pipeline stages of the demo's teams"
[ -z "$(q "$DB" "SELECT 1 FROM ir_config_parameter WHERE key LIKE 'sales_funnel_forecast.%'")" ] \
    || fail "uninstall left configuration parameters"
[ "$(q "$DB" "SELECT count(*) FROM crm_lead WHERE lost_reason_id IS NOT NULL AND lost_reason_id NOT IN (SELECT id FROM crm_lost_reason)")" = 0 ] \
    || fail "uninstall left deals with a lost reason that no longer exists"
[ "$(q "$DB" "SELECT s.name FROM crm_lead l JOIN utm_source s ON s.id = l.source_id WHERE l.name = 'Lifecycle through an archived stage'")" = "Referral" ] \
    || fail "uninstall took a deal's source away"
echo "lifecycle: uninstall removed the module's tables, columns, archived stages and the demo's $demo_deals deals and $demo_stages stages, kept $deals deals"

# --- 3. install onto existing deals ------------------------------------------------
dropdb --if-exists "$NODEMO"
sff_odoo_once -d "$NODEMO" -i crm,sale_crm,account --without-demo=all --log-level=warn \
    || fail "Odoo's crm did not install"
# Deals as a company would have them before installing the module: each
# change in its own transaction, as users make them, tracked in the chatter,
# a second apart (the chatter dates its messages to the second).
sff_odoo_exec "$NODEMO" <<'PY'
import time
Lead = env["crm.lead"]
stages = env["crm.stage"].search([], order="sequence")
new, qualified, proposition, won = stages[:4]
rep = env["res.users"].create({"name": "Existing Rep", "login": "existing.rep",
                               "groups_id": [(4, env.ref("sales_team.group_sale_salesman").id)]})
deals = Lead.create([{"name": f"Existing {i}", "type": "opportunity", "stage_id": new.id,
                      "expected_revenue": 1000 * (i + 1)} for i in range(4)])
lead = Lead.create({"name": "Existing 4", "type": "lead", "expected_revenue": 5000})
env.cr.commit()
for change in (
    lambda: deals[0].write({"stage_id": qualified.id}),
    lambda: deals[0].write({"user_id": rep.id}),
    lambda: deals[0].write({"stage_id": proposition.id}),
    lambda: deals[1].write({"stage_id": proposition.id}),
    lambda: deals[1].action_set_lost(),
    lambda: deals[2].action_set_won(),
    lambda: lead.convert_opportunity(env["res.partner"]),
    lambda: deals[3].write({"source_id": env.ref("utm.utm_source_search_engine").id}),
    # two phone calls marked done on Existing 3: nobody answered, then a talk
    lambda: deals[3].activity_schedule("mail.mail_activity_data_call").action_feedback(feedback="No answer"),
    lambda: deals[3].activity_schedule("mail.mail_activity_data_call").action_feedback(feedback="Spoke to the buyer"),
):
    time.sleep(1.05)
    change()
    env.cr.commit()
# invoiced orders: 1,000 invoiced on Existing 0 and 100 credited back; a
# second order of it still a quotation
product = env["product.product"].create({"name": "Existing service", "type": "service",
                                         "invoice_policy": "order", "taxes_id": [(5, 0, 0)]})
customer = env["res.partner"].create({"name": "Existing customer"})
def order(deal, price):
    return env["sale.order"].create({"partner_id": customer.id, "opportunity_id": deal.id,
                                     "order_line": [(0, 0, {"product_id": product.id, "price_unit": price,
                                                            "tax_id": [(5, 0, 0)]})]})
sold = order(deals[0], 1000)
sold.action_confirm()
invoice = sold._create_invoices()
invoice.action_post()
refund = invoice._reverse_moves([{"invoice_date": invoice.invoice_date}])
refund.invoice_line_ids.price_unit = 100
refund.action_post()
order(deals[0], 5000)
env.cr.commit()
PY
createdb -T "$NODEMO" "$EXISTING"
sff_odoo_once -d "$NODEMO" -i sales_funnel_forecast --without-demo=all --log-level=warn \
    || fail "the install onto existing deals failed"
# name : stays : stays with the rep : lost at : weighted forecast
got=$(q "$NODEMO" "SELECT string_agg(l.name || ':' || h.n || ':' || h.rep || ':' || COALESCE(ls.name->>'en_US', '-') || ':' || l.forecast_revenue::float, ' ' ORDER BY l.name)
                    FROM crm_lead l
                    JOIN (SELECT h.lead_id, count(*) n, count(*) FILTER (WHERE u.login = 'existing.rep') rep
                            FROM crm_lead_stage_history h LEFT JOIN res_users u ON u.id = h.user_id
                           WHERE h.reason = 'backfill' GROUP BY h.lead_id) h ON h.lead_id = l.id
               LEFT JOIN crm_stage ls ON ls.id = l.lost_stage_id")
want="Existing 0:3:1:-:600 Existing 1:2:0:Proposition:0 Existing 2:2:0:-:0 Existing 3:1:0:-:400 Existing 4:1:0:-:500"
[ "$got" = "$want" ] || fail "install on existing deals gave [$got], expected [$want]"
[ "$(q "$NODEMO" "SELECT count(*) FROM crm_lead_stage_history h JOIN crm_lead l ON l.id = h.lead_id WHERE h.date_out IS NULL AND NOT l.active")" = 0 ] \
    || fail "a lost deal kept an open stay after install"
echo "lifecycle: install onto existing deals rebuilt their history: $got"
# funnel rows: name : stages reached : entered : won rows : lost-here rows : origin type
got=$(q "$NODEMO" "SELECT string_agg(l.name || ':' || r.n || ':' || r.entered || ':' || r.won || ':' || r.lost || ':' || COALESCE(l.origin_type, '-'), ' ' ORDER BY l.name)
                    FROM crm_lead l
                    JOIN (SELECT lead_id, count(*) n, count(*) FILTER (WHERE entered) entered,
                                 count(*) FILTER (WHERE deal_state = 'won') won,
                                 count(*) FILTER (WHERE is_lost_stage) lost
                            FROM crm_lead_stage_reach GROUP BY lead_id) r ON r.lead_id = l.id")
want="Existing 0:3:3:0:0:- Existing 1:3:2:0:1:- Existing 2:4:2:4:0:- Existing 3:1:1:0:0:net Existing 4:1:1:0:0:-"
[ "$got" = "$want" ] || fail "install on existing deals gave the funnel rows [$got], expected [$want]"
echo "lifecycle: install onto existing deals built their funnel rows: $got"
statuses=$(q "$NODEMO" "SELECT string_agg(name || ':' || contact_status, ' ' ORDER BY name) FROM crm_lead WHERE name LIKE 'Existing %'")
[ "$statuses" = "Existing 0:contacted Existing 1:contacted Existing 2:qualified Existing 3:contacted Existing 4:contacted" ] \
    || fail "install on existing deals gave the contact statuses [$statuses]"
invoiced=$(q "$NODEMO" "SELECT l.name || ':' || l.invoiced_amount::float || ':' || (SELECT count(*) FROM account_move m WHERE m.opportunity_id = l.id)
                         FROM crm_lead l WHERE l.invoiced_amount <> 0")
[ "$invoiced" = "Existing 0:900:2" ] || fail "install on existing invoices gave [$invoiced], expected [Existing 0:900:2]"
echo "lifecycle: install linked the existing invoice and credit note: $invoiced"
# name : calls : attempts before the first conversation : outcomes : last activity known
calls_query="SELECT string_agg(l.name || ':' || l.call_count || ':' || l.call_attempt_count || ':' || c.outcomes || ':' || (l.date_last_activity IS NOT NULL), ' ')
               FROM crm_lead l JOIN (SELECT lead_id, string_agg(outcome, ',' ORDER BY date, id) outcomes
                                       FROM crm_lead_call GROUP BY lead_id) c ON c.lead_id = l.id"
calls=$(q "$NODEMO" "$calls_query")
[ "$calls" = "Existing 3:2:1:no_answer,conversation:true" ] \
    || fail "install on phone calls marked done gave the calls [$calls], expected [Existing 3:2:1:no_answer,conversation:true]"
echo "lifecycle: install rebuilt the calls from the phone calls marked done: $calls"
# every deal in its forecast category: Omitted when lost, Closed (Won) when
# won, else its stage's; none chosen by hand yet
categories_query="SELECT count(*) FROM crm_lead l LEFT JOIN crm_stage s ON s.id = l.stage_id
                   WHERE l.forecast_category_is_manual OR l.forecast_category IS DISTINCT FROM
                         CASE WHEN NOT l.active THEN 'omitted' WHEN s.is_won THEN 'closed'
                              WHEN l.forecast_excluded THEN 'omitted' ELSE COALESCE(s.forecast_category, 'pipeline') END"
[ "$(q "$NODEMO" "$categories_query")" = 0 ] || fail "install on existing deals left deals outside their forecast category"
categories=$(q "$NODEMO" "SELECT string_agg(name || ':' || forecast_category, ' ' ORDER BY name) FROM crm_lead WHERE name LIKE 'Existing %'")
echo "lifecycle: install put the existing deals in their forecast categories: $categories"
# every opportunity has one current forecast version, the deal as it stands;
# leads have none; the database keeps them (its two triggers)
versions_query="SELECT count(*) FROM crm_lead l
                  LEFT JOIN crm_lead_forecast_version v ON v.lead_id = l.id AND v.valid_to IS NULL
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE (l.type = 'opportunity' AND l.stage_id IS NOT NULL) IS DISTINCT FROM (v.id IS NOT NULL)
                    OR (v.id IS NOT NULL AND (v.stage_id, v.expected_revenue, v.user_id, v.team_id,
                                              v.forecast_category, v.date_deadline, v.deal_state)
                        IS DISTINCT FROM (l.stage_id, l.expected_revenue, l.user_id, l.team_id,
                                          l.forecast_category, l.date_deadline,
                                          CASE WHEN NOT l.active THEN 'lost' WHEN s.is_won THEN 'won' ELSE 'open' END))"
versions_checks() {
    [ "$(q "$1" "$versions_query")" = 0 ] || fail "$2 left deals whose current forecast version is not the deal"
    [ "$(q "$1" "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sff\\_forecast\\_version\\_%'")" = 2 ] \
        || fail "$2 did not create the forecast versions' triggers"
}
versions_checks "$NODEMO" "install on existing deals"
versions=$(q "$NODEMO" "SELECT string_agg(l.name || ':' || n, ' ' ORDER BY l.name)
                          FROM crm_lead l JOIN (SELECT lead_id, count(*) n FROM crm_lead_forecast_version GROUP BY 1) v
                            ON v.lead_id = l.id WHERE l.name LIKE 'Existing %'")
echo "lifecycle: install rebuilt the existing deals' forecast versions: $versions"

# --- 4. upgrades from the released versions -------------------------------------
for release in $RELEASES; do
    commit="${release%%:*}"
    version="${release#*:}"
    rm -rf "$RELEASED_DIR/addons"
    mkdir -p "$RELEASED_DIR/addons"
    git -C "$SFF_ROOT" archive "$commit" sales_funnel_forecast | tar -x -C "$RELEASED_DIR/addons" \
        || fail "the released version $commit is not in this clone's history"
    dropdb --if-exists "$UPGRADE"
    createdb -T "$EXISTING" "$UPGRADE"
    SFF_ADDONS="$RELEASED_DIR/addons" sff_odoo_once -d "$UPGRADE" -i sales_funnel_forecast --without-demo=all --log-level=warn \
        || fail "the released version $version did not install"
    [ "$(q "$UPGRADE" "SELECT latest_version FROM ir_module_module WHERE name = 'sales_funnel_forecast'")" = "$version" ] \
        || fail "the released version is not $version"
    # 18.0.1.0.0 left an open stay on a deal lost and moved in one write
    SFF_ADDONS="$RELEASED_DIR/addons" sff_odoo_exec "$UPGRADE" <<'PY'
deal = env["crm.lead"].search([("name", "=", "Existing 3")])
deal.write({"active": False, "stage_id": env["crm.stage"].search([], order="sequence", limit=2)[1].id})
PY
    # the administrator's schedules of the release's jobs, the totals' fold
    # left as the release shipped it
    released_jobs=$(q "$UPGRADE" "SELECT string_agg(quote_literal(d.name), ',') FROM ir_model_data d
                                   WHERE d.module = 'sales_funnel_forecast' AND d.model = 'ir.cron'
                                     AND d.name <> 'ir_cron_compact_funnel_summary'")
    q "$UPGRADE" "UPDATE ir_cron c SET interval_number = 7, interval_type = 'hours'
                    FROM ir_model_data d WHERE d.res_id = c.id AND d.model = 'ir.cron'
                     AND d.module = 'sales_funnel_forecast' AND d.name IN (${released_jobs:-NULL})" >/dev/null
    sff_odoo_once -d "$UPGRADE" -u sales_funnel_forecast --without-demo=all --log-level=warn \
        || fail "the upgrade from $version failed"
    reset=$(q "$UPGRADE" "SELECT string_agg(d.name, ' ') FROM ir_cron c
                            JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron'
                           WHERE d.module = 'sales_funnel_forecast' AND d.name IN (${released_jobs:-NULL})
                             AND (c.interval_number, c.interval_type) <> (7, 'hours')")
    [ -z "$reset" ] || fail "the upgrade from $version reset the schedules of [$reset]"
    fold=$(q "$UPGRADE" "SELECT c.interval_number || ' ' || c.interval_type FROM ir_cron c
                           JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron'
                          WHERE d.module = 'sales_funnel_forecast' AND d.name = 'ir_cron_compact_funnel_summary'")
    [ "$fold" = "1 hours" ] || fail "the upgrade from $version left the totals' fold every [$fold]"
    # the jobs are those of the data file: an earlier release's job is gone,
    # with its server action
    jobs_file=$(grep -o 'id="[a-z_]*" model="ir.cron"' "$SFF_ROOT/sales_funnel_forecast/data/ir_cron_data.xml" \
                | cut -d'"' -f2 | sort | tr '\n' ' ')
    jobs_db=$(q "$UPGRADE" "SELECT d.name FROM ir_model_data d JOIN ir_cron c ON c.id = d.res_id
                             WHERE d.module = 'sales_funnel_forecast' AND d.model = 'ir.cron' ORDER BY 1" \
              | sort | tr '\n' ' ')
    [ "$jobs_db" = "$jobs_file" ] \
        || fail "the upgrade from $version left the jobs [$jobs_db], not those of the data file [$jobs_file]"
    [ "$(q "$UPGRADE" "SELECT count(*) FROM ir_model_data WHERE module = 'sales_funnel_forecast'
                        AND model = 'ir.actions.server' AND res_id NOT IN (SELECT id FROM ir_act_server)")" = 0 ] \
        || fail "the upgrade from $version left names of server actions that are gone"
    [ "$(q "$UPGRADE" "SELECT count(*) FROM crm_lead_stage_history h JOIN crm_lead l ON l.id = h.lead_id WHERE h.date_out IS NULL AND NOT l.active")" = 0 ] \
        || fail "the upgrade from $version left open stays on lost deals"
    [ "$(q "$UPGRADE" "SELECT count(*) FROM crm_lead WHERE pipeline_amount IS NULL")" = 0 ] \
        || fail "the upgrade from $version left deals without a pipeline value"
    [ -n "$(q "$UPGRADE" "SELECT 1 FROM pg_indexes WHERE indexname = 'crm_lead_stage_history_one_open_idx'")" ] \
        || fail "the upgrade from $version did not create the one-open-stay index"
    [ -n "$(q "$UPGRADE" "SELECT 1 FROM pg_indexes WHERE indexname = 'crm_lead_company_id_id_idx'")" ] \
        || fail "the upgrade from $version did not create the deals' index by company"
    [ -z "$(q "$UPGRADE" "SELECT 1 FROM information_schema.columns WHERE table_name = 'crm_forecast_accuracy_report' AND column_name = 'refreshed_on'")" ] \
        || fail "the upgrade from $version left the accuracy lines' own refresh time"
    # every stage's weight in the history-weighted forecast: its percentage
    # (too few closed deals here) over 100
    [ "$(q "$UPGRADE" "SELECT count(*) FROM crm_stage WHERE history_weight IS NULL OR abs(history_weight -
                          (CASE WHEN history_fallback THEN forecast_probability ELSE history_win_rate END) / 100.0) > 1e-9")" = 0 ] \
        || fail "the upgrade from $version left stages without their forecast weight"
    # the funnel rows built by the migration are those a rebuild gives
    migrated=$(q "$UPGRADE" "SELECT string_agg(lead_id || '/' || stage_id || '/' || entered || '/' || deal_state, ' ' ORDER BY lead_id, stage_id) FROM crm_lead_stage_reach")
    [ -n "$migrated" ] || fail "the upgrade from $version built no funnel rows"
    # the funnel's monthly totals count every funnel row, per stage
    [ "$(q "$UPGRADE" "SELECT count(*) FROM (SELECT stage_id, count(*) AS n FROM crm_lead_stage_reach GROUP BY 1) r
                         FULL JOIN (SELECT stage_id, sum(reached) AS n FROM crm_funnel_summary GROUP BY 1) s USING (stage_id)
                        WHERE r.n IS DISTINCT FROM s.n")" = 0 ] \
        || fail "the monthly totals of the upgrade from $version differ from the funnel rows"
    echo 'env["crm.lead.stage.reach"]._sff_rebuild(None)' | sff_odoo_exec "$UPGRADE"
    rebuilt=$(q "$UPGRADE" "SELECT string_agg(lead_id || '/' || stage_id || '/' || entered || '/' || deal_state, ' ' ORDER BY lead_id, stage_id) FROM crm_lead_stage_reach")
    [ "$migrated" = "$rebuilt" ] || fail "the funnel rows of the upgrade from $version differ from a rebuild"
    [ "$(q "$UPGRADE" "SELECT origin_type FROM crm_lead WHERE name = 'Existing 3'")" = "net" ] \
        || fail "the upgrade from $version did not give deals their origin type"
    [ "$(q "$UPGRADE" "SELECT r.category FROM crm_lost_reason r JOIN ir_model_data d ON d.res_id = r.id AND d.model = 'crm.lost.reason' WHERE d.module = 'crm' AND d.name = 'lost_reason_1'")" = "price" ] \
        || fail "the upgrade from $version did not give Odoo's \"Too expensive\" its category"
    statuses=$(q "$UPGRADE" "SELECT string_agg(name || ':' || contact_status, ' ' ORDER BY name) FROM crm_lead WHERE name LIKE 'Existing %'")
    [ "$statuses" = "Existing 0:contacted Existing 1:contacted Existing 2:qualified Existing 3:contacted Existing 4:contacted" ] \
        || fail "the upgrade from $version gave the contact statuses [$statuses]"
    [ "$(q "$UPGRADE" "$categories_query")" = 0 ] \
        || fail "the upgrade from $version left deals outside their forecast category"
    versions_checks "$UPGRADE" "the upgrade from $version"
    invoiced=$(q "$UPGRADE" "SELECT l.name || ':' || l.invoiced_amount::float FROM crm_lead l WHERE l.invoiced_amount <> 0")
    [ "$invoiced" = "Existing 0:900" ] || fail "the upgrade from $version gave the invoiced amounts [$invoiced]"
    calls=$(q "$UPGRADE" "$calls_query")
    [ "$calls" = "Existing 3:2:1:no_answer,conversation:true" ] || fail "the upgrade from $version gave the calls [$calls]"
    # the upgraded triggers keep the versions: a deal moved after the
    # upgrade ends its version and starts one more
    sff_odoo_exec "$UPGRADE" <<'PY' || fail "the upgrade from $version did not start a version for a deal moved after it"
deal = env["crm.lead"].search([("type", "=", "opportunity"), ("stage_id.is_won", "=", False)], limit=1, order="id")
Version = env["crm.lead.forecast.version"]
before = Version.search_count([("lead_id", "=", deal.id)])
target = env["crm.stage"].search([("id", "!=", deal.stage_id.id), ("is_won", "=", False)], limit=1)
deal.write({"stage_id": target.id})
env.flush_all()
after = Version.search_count([("lead_id", "=", deal.id)])
assert after == before + 1, f"{before} versions before the move, {after} after"
PY
    versions_checks "$UPGRADE" "a deal moved after the upgrade from $version"
    echo "lifecycle: upgrade from $version closed the stays of lost deals, filled the new columns and built $(q "$UPGRADE" "SELECT count(*) FROM crm_lead_stage_reach") funnel rows"
done
echo "lifecycle: OK"
