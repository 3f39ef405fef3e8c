#!/usr/bin/env bash
# Live-server checks on database $1 (the module installed with its demo
# data), as a multi-worker server with a read replica runs it:
#   1. a hot standby of the private cluster (pg_basebackup -R) on the next
#      port, logging every statement it runs;
#   2. Odoo with --workers 2 --max-cron-threads 1 and --db_replica_host on
#      the standby: its websocket (gevent) process starts and stays up;
#   3. as a salesperson over JSON-RPC and HTTP (scripts/live_check.py): the
#      dashboard's data call, the funnel and forecast pivots, the spreadsheet
#      and the PDF are answered by the standby while a stage move lands on
#      the primary and shows on the standby; no read-only call had to be
#      run again on the primary.
source "$(dirname "$0")/common.sh"
DB="$1"
STANDBY_PORT=$((PGPORT + 1))
STANDBY_DIR="${SFF_PGDATA}-standby"
HTTP_PORT="${SFF_LIVE_HTTP_PORT:-8169}"
GEVENT_PORT="${SFF_LIVE_GEVENT_PORT:-8172}"
RUN_DIR="$(mktemp -d)"
LOG="$RUN_DIR/odoo.log"
BIN="$(sff_pg_bin)"
fail() { printf 'live: FAILED: %s\n' "$*" >&2; exit 1; }

ODOO_PID=
cleanup_live() {
    if [ -n "$ODOO_PID" ]; then
        sff_odoo_stop "$RUN_DIR/odoo.pid" "$ODOO_PID"
    fi
    psql -d "$DB" -qc "DELETE FROM ir_config_parameter WHERE key = 'report.url'" 2>/dev/null || true
    rm -rf "$RUN_DIR"
    sff_as_pg_owner "$BIN/pg_ctl" -D "$STANDBY_DIR" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$STANDBY_DIR"
}
trap cleanup_live EXIT

# --- 1. the hot standby --------------------------------------------------------
sff_as_pg_owner "$BIN/pg_ctl" -D "$STANDBY_DIR" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$STANDBY_DIR"
sff_as_pg_owner "$BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -D "$STANDBY_DIR" -R -X stream -c fast \
    || fail "pg_basebackup could not copy the cluster"
sff_as_pg_owner "$BIN/pg_ctl" -D "$STANDBY_DIR" -l "$STANDBY_DIR/server.log" -w -o \
    "-p $STANDBY_PORT -k $STANDBY_DIR -c listen_addresses=127.0.0.1 -c max_connections=$SFF_PG_MAX_CONNECTIONS -c hot_standby=on -c log_statement=all" \
    start >/dev/null || fail "the standby did not start (see $STANDBY_DIR/server.log)"
[ "$(psql -p "$STANDBY_PORT" -d "$DB" -tAc "SELECT pg_is_in_recovery()")" = t ] || fail "the standby is not in recovery"
echo "live: hot standby of the private cluster on port $STANDBY_PORT"

# --- 2. Odoo with workers and the replica ---------------------------------------
# wkhtmltopdf fetches the PDF's style sheets from this server
psql -d "$DB" -qc "INSERT INTO ir_config_parameter (key, value) VALUES ('report.url', 'http://127.0.0.1:$HTTP_PORT')
                   ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
sff_odoo -d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$HTTP_PORT" \
    --gevent-port="$GEVENT_PORT" --workers=2 --max-cron-threads=1 \
    --db_replica_host=127.0.0.1 --db_replica_port="$STANDBY_PORT" --pidfile="$RUN_DIR/odoo.pid" \
    --logfile="$LOG" --log-level=info &
ODOO_PID=$!
for _ in $(seq 1 120); do
    curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/login" && break
    sleep 1
done
curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/login" || { tail -n 30 "$LOG"; fail "Odoo did not answer"; }
for _ in $(seq 1 30); do
    grep -q "Evented Service (longpolling) running on" "$LOG" && break
    sleep 1
done

# --- 3. the checks ---------------------------------------------------------------
"$SFF_VENV/bin/python" "$SFF_ROOT/scripts/live_check.py" "http://127.0.0.1:$HTTP_PORT" \
    "http://127.0.0.1:$GEVENT_PORT" "$DB" sff.alice "$STANDBY_DIR/server.log" \
    "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$DB" "host=$PGHOST port=$STANDBY_PORT user=$PGUSER dbname=$DB" \
    || { tail -n 40 "$LOG"; fail "see above"; }
if grep -q "DistributionNotFound\|Traceback" "$LOG"; then
    grep -B2 -A12 "DistributionNotFound\|Traceback" "$LOG" | head -n 60
    fail "errors in Odoo's log"
fi
[ "$(grep -c "Evented Service (longpolling) running on" "$LOG")" = 1 ] \
    || fail "the websocket process did not start once and stay up: $(grep -c "Evented Service" "$LOG") starts"
if grep -q "retrying with a read/write cursor" "$LOG"; then
    grep "retrying with a read/write cursor" "$LOG" | head -n 5
    fail "a read-only call wrote, and ran again on the primary"
fi
echo "live: OK"
