#!/usr/bin/env bash
# Packaging check: the addon built as a wheel by whool (the way OCA publishes
# its addons: odoo-addon-sales_funnel_forecast), installed on its own into a
# fresh folder, and the module installed from there into a new database, with
# Odoo's addons and that folder as the only addons path (not this
# repository). Then the folder and the database are removed.
# Usage: scripts/wheel.sh
source "$(dirname "$0")/common.sh"
sff_find_odoo
sff_venv
sff_pg_start

WORK="$(mktemp -d)"
DB="sff_wheel_$$"
trap 'rm -rf "$WORK"; dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT

say "Building the wheel"
"$SFF_VENV/bin/pip" wheel --quiet --no-deps --no-build-isolation \
    "$SFF_ROOT/sales_funnel_forecast" --wheel-dir "$WORK/dist" || die "the wheel did not build"
shopt -s nullglob
wheels=("$WORK"/dist/odoo_addon_sales_funnel_forecast-*.whl)
shopt -u nullglob
[ "${#wheels[@]}" = 1 ] || die "expected one wheel in $WORK/dist, found ${#wheels[@]}"
wheel="${wheels[0]}"
echo "built $(basename "$wheel")"
"$SFF_VENV/bin/python" - "$wheel" <<'PY' || die "the wheel's metadata is wrong"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    metadata = next(name for name in wheel.namelist() if name.endswith(".dist-info/METADATA"))
    text = wheel.read(metadata).decode()
requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
print("\n".join(requires))
assert any("odoo==18.0" in line for line in requires), "no dependency on Odoo 18.0"
assert any("xlsxwriter" in line.lower() for line in requires), "no dependency on xlsxwriter"
PY

say "Installing the wheel into a fresh folder"
"$SFF_VENV/bin/pip" install --quiet --no-deps --target "$WORK/site" "$wheel" || die "the wheel did not install"
ADDON="$WORK/site/odoo/addons/sales_funnel_forecast"
[ -f "$ADDON/__manifest__.py" ] || die "the wheel holds no odoo/addons/sales_funnel_forecast"

say "Installing the module from it into $DB"
SFF_ADDONS="$WORK/site/odoo/addons" sff_odoo_once -d "$DB" -i sales_funnel_forecast \
    --without-demo=all --log-level=warn || die "the install from the wheel failed"
state="$(psql -d "$DB" -tAc "SELECT state FROM ir_module_module WHERE name = 'sales_funnel_forecast'")"
[ "$state" = "installed" ] || die "the module is '$state' after the install from the wheel"
echo "wheel: the module installed from $(basename "$wheel")"
