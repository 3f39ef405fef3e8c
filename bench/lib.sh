# Shared by bench/reports and bench/stall (sourced, not run): a database of
# generated deals with the module installed onto them.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

# bench_database DB DEALS OUT: bench_deals, then bench_install.
bench_database() {
    bench_deals "$1" "$2"
    bench_install "$1" "$3"
}

# bench_deals DB DEALS: creates DB (crm, sale_crm, account, no demo data)
# with 20 salespeople in two teams and a manager, and DEALS deals from
# bench/generate_reports.sql.
bench_deals() {
    local db="$1" deals="$2"
    say "Creating $db (crm, sale_crm, account, no demo data) with 20 salespeople and a manager"
    sff_odoo_once -d "$db" -i crm,sale_crm,account --without-demo=all --log-level=warn \
        || die "Odoo's crm did not install"
    sff_odoo_exec "$db" <<'PY'
own = env.ref("sales_team.group_sale_salesman")
everything = env.ref("sales_team.group_sale_manager")
teams = env["crm.team"].search([], order="id", limit=2)
if len(teams) < 2:
    teams |= env["crm.team"].create({"name": "Second team"})
env["res.users"].create([{"name": "Bench Manager", "login": "bench.manager",
                          "groups_id": [(6, 0, [everything.id])]}])
reps = env["res.users"].create([
    {"name": f"Bench Rep {index:02d}", "login": f"bench.rep.{index:02d}",
     "groups_id": [(6, 0, [own.id])]} for index in range(1, 21)])
for index, user in enumerate(reps):
    env["crm.team.member"].create({"crm_team_id": teams[index % 2].id, "user_id": user.id})
PY
    say "Generating $deals deals"
    psql -d "$db" -q -v deals="$deals" -f "$SFF_ROOT/bench/generate_reports.sql" \
        || die "the deals were not generated"
    psql -d "$db" -tAc "SELECT 'tracked stage changes: ' || count(*) FROM mail_tracking_value"
}

# bench_install DB OUT: installs sales_funnel_forecast onto DB; writes the
# whole command's time in seconds to OUT/install_s and its log to
# OUT/install.log.
bench_install() {
    local db="$1" out="$2" start
    say "Installing sales_funnel_forecast onto them"
    start=$(date +%s.%N)
    sff_odoo_once -d "$db" -i sales_funnel_forecast --without-demo=all --log-level=warn \
        --log-handler=odoo.addons.sales_funnel_forecast.hooks:INFO | tee "$out/install.log" \
        || die "the module did not install"
    echo "$(date +%s.%N) - $start" | bc > "$out/install_s"
}

# bench_workspace NAME: sets DB and OUT, starts what is needed, and drops the
# database at exit unless SFF_KEEP_DB=1.
bench_workspace() {
    DB="sff_bench_$1_$$"
    OUT="$SFF_CACHE/bench-$1-$$"
    sff_find_odoo
    sff_venv
    sff_pg_start
    mkdir -p "$OUT"
    trap bench_finish EXIT
}
bench_finish() {
    if [ -z "${SFF_KEEP_DB:-}" ]; then
        dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    fi
    rm -rf "$OUT"
}
