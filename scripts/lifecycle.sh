#!/usr/bin/env bash
# Upgrade and uninstall the module on database $1 (which has it installed),
# then install it onto a database without demo data that already holds deals
# moved under chatter tracking, and check what the install made of them.
source "$(dirname "$0")/common.sh"
DB="$1"
NODEMO="${DB}_nodemo"
fail() { printf 'lifecycle: FAILED: %s\n' "$*" >&2; exit 1; }
q() { psql -d "$1" -tAc "$2"; }

# The demo pipeline: 300 deals over 18 months, moved back and forth, won and
# lost with reasons, with quotations; every open deal has a probability.
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

before=$(q "$DB" "SELECT count(*) FROM crm_lead_stage_history")
sff_odoo_once -d "$DB" -u sales_funnel_forecast --log-level=warn || fail "the upgrade failed"
after=$(q "$DB" "SELECT count(*) FROM crm_lead_stage_history")
[ "$before" = "$after" ] || fail "upgrade changed the history ($before -> $after rows)"
[ "$(q "$DB" "SELECT forecast_probability::float FROM crm_stage s JOIN ir_model_data d ON d.res_id = s.id AND d.model = 'crm.stage' WHERE d.module = 'crm' AND d.name = 'stage_lead2'")" = "30" ] \
    || fail "upgrade changed Odoo's Qualified stage percentage"
echo "lifecycle: upgrade kept $after history rows"

deals=$(q "$DB" "SELECT count(*) FROM crm_lead")
echo "env['ir.module.module'].search([('name', '=', 'sales_funnel_forecast')]).button_immediate_uninstall()" | sff_odoo_exec "$DB"
[ "$(q "$DB" "SELECT state FROM ir_module_module WHERE name = 'sales_funnel_forecast'")" = "uninstalled" ] \
    || fail "uninstall did not complete"
[ -z "$(q "$DB" "SELECT 1 FROM information_schema.tables WHERE table_name = 'crm_lead_stage_history'")" ] \
    || fail "uninstall left the history table"
[ -z "$(q "$DB" "SELECT 1 FROM information_schema.columns WHERE table_name = 'crm_lead' AND column_name = 'forecast_revenue'")" ] \
    || fail "uninstall left crm_lead.forecast_revenue"
[ "$(q "$DB" "SELECT count(*) FROM crm_lead")" = "$deals" ] || fail "uninstall lost deals"
echo "lifecycle: uninstall removed the module's tables and columns, kept $deals deals"

dropdb --if-exists "$NODEMO"
sff_odoo_once -d "$NODEMO" -i crm,sale_crm,account --without-demo=all --log-level=warn \
    || fail "Odoo's crm did not install"
sff_odoo_exec "$NODEMO" <<'PY'
Lead = env["crm.lead"]
stages = env["crm.stage"].search([], order="sequence")
new, qualified, proposition, won = stages[:4]
deals = Lead.create([{"name": f"Existing {i}", "type": "opportunity", "stage_id": new.id,
                      "expected_revenue": 1000 * (i + 1)} for i in range(4)])
env.cr.commit()
deals[0].stage_id = qualified; env.cr.commit()
deals[0].stage_id = proposition; env.cr.commit()
deals[1].stage_id = proposition; env.cr.commit()
deals[1].action_set_lost(); env.cr.commit()
deals[2].action_set_won(); env.cr.commit()
PY
sff_odoo_once -d "$NODEMO" -i sales_funnel_forecast --without-demo=all --log-level=warn \
    || fail "the install onto existing deals failed"
got=$(q "$NODEMO" "SELECT string_agg(l.name || ':' || h.n || ':' || COALESCE(ls.name->>'en_US', '-') || ':' || l.forecast_revenue::float, ' ' ORDER BY l.name)
                    FROM crm_lead l
                    JOIN (SELECT lead_id, count(*) n FROM crm_lead_stage_history WHERE reason = 'backfill' GROUP BY lead_id) h ON h.lead_id = l.id
               LEFT JOIN crm_stage ls ON ls.id = l.lost_stage_id")
want="Existing 0:3:-:600 Existing 1:2:Proposition:0 Existing 2:2:-:0 Existing 3:1:-:400"
[ "$got" = "$want" ] || fail "install on existing deals gave [$got], expected [$want]"
echo "lifecycle: install onto existing deals rebuilt their history: $got"
dropdb --if-exists "$NODEMO"
echo "lifecycle: OK"
