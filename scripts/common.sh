# shellcheck shell=bash
# Shared setup for the project's scripts: where Odoo, the Python environment
# and the private PostgreSQL live, and how to bring each of them up.
# Sourced by scripts/run, scripts/test, bench/run and .ci/run.

set -euo pipefail

SFF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SFF_CACHE="${SFF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sales_funnel_forecast}"
ODOO_PATH="${ODOO_PATH:-$SFF_CACHE/odoo-18.0}"
SFF_VENV="${SFF_VENV:-$SFF_CACHE/venv}"
SFF_PYTHON="${SFF_PYTHON:-python3}"
ODOO_REPO_URL="${ODOO_REPO_URL:-https://github.com/odoo/odoo.git}"
PGPORT="${PGPORT:-54329}"
PGHOST=127.0.0.1
PGUSER="${PGUSER:-odoo}"
export PGPORT PGHOST PGUSER

# PostgreSQL refuses to run as root: as root the cluster belongs to the
# "postgres" system user, which cannot enter a 0700 home, so it lives under
# /var/cache instead of the user's cache folder.
if [ "$(id -u)" = 0 ]; then
    SFF_PGDATA="${SFF_PGDATA:-/var/cache/sales_funnel_forecast/pg}"
else
    SFF_PGDATA="${SFF_PGDATA:-$SFF_CACHE/pg}"
fi

# a hot standby of the cluster (scripts/live.sh) must allow as many
SFF_PG_MAX_CONNECTIONS=200

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- Odoo source --------------------------------------------------------------
sff_find_odoo() {
    if [ -f "$ODOO_PATH/odoo-bin" ] && [ -d "$ODOO_PATH/addons/crm" ]; then
        return 0
    fi
    if [ -n "${SFF_NO_DOWNLOAD:-}" ]; then
        sff_odoo_missing
    fi
    say "Odoo 18.0 not found in $ODOO_PATH; trying to clone it from $ODOO_REPO_URL"
    mkdir -p "$(dirname "$ODOO_PATH")"
    if timeout 900 git clone --quiet --depth 1 --branch 18.0 "$ODOO_REPO_URL" "$ODOO_PATH.partial" 2>/dev/null; then
        mv "$ODOO_PATH.partial" "$ODOO_PATH"
    else
        rm -rf "$ODOO_PATH.partial"
        sff_odoo_missing
    fi
}

sff_odoo_missing() {
    cat >&2 <<MSG
error: Odoo 18.0 was not found and could not be downloaded.

The scripts look for an Odoo 18.0 source tree (the folder holding odoo-bin,
odoo/ and addons/) in:
    \$ODOO_PATH          (now: ${ODOO_PATH})
which defaults to the project's cache folder, $SFF_CACHE/odoo-18.0.

Put a copy there, for example with
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$SFF_CACHE/odoo-18.0"
or point ODOO_PATH at an existing checkout, then run the command again.
MSG
    exit 1
}

# --- Node tools (prettier with its XML plugin, for pre-commit) ----------------
SFF_NODE="${SFF_NODE:-$SFF_CACHE/node}"
SFF_NODE_PACKAGES="prettier@3.3.3 @prettier/plugin-xml@3.4.1"
sff_node() {
    local stamp="$SFF_NODE/.sff-stamp"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$SFF_NODE_PACKAGES" ] \
        && [ -x "$SFF_NODE/node_modules/.bin/prettier" ]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm is needed for prettier (Debian: apt install npm)"
    mkdir -p "$SFF_NODE"
    # one install at a time (pre-commit runs its hooks in parallel)
    (
        flock 9
        if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$SFF_NODE_PACKAGES" ] \
            && [ -x "$SFF_NODE/node_modules/.bin/prettier" ]; then
            exit 0
        fi
        say "Installing $SFF_NODE_PACKAGES into $SFF_NODE (once)"
        # shellcheck disable=SC2086 (one package a word)
        npm install --silent --no-audit --no-fund --prefix "$SFF_NODE" $SFF_NODE_PACKAGES >&2 \
            || die "npm could not install $SFF_NODE_PACKAGES"
        echo "$SFF_NODE_PACKAGES" > "$stamp"
    ) 9>"$SFF_NODE/.sff-lock" || exit 1
}

# --- Python environment -------------------------------------------------------
sff_venv() {
    sff_find_odoo
    local stamp="$SFF_VENV/.sff-stamp"
    local want
    want="$(cat "$ODOO_PATH/requirements.txt" "$SFF_ROOT/scripts/requirements-dev.txt" | sha1sum | cut -c1-12)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        export PATH="$SFF_VENV/bin:$PATH"
        return 0
    fi
    say "Installing Odoo's Python requirements into $SFF_VENV (a few minutes, once)"
    [ -x "$SFF_VENV/bin/python" ] || "$SFF_PYTHON" -m venv "$SFF_VENV"
    local req="$SFF_VENV/odoo-requirements.txt"
    # cbor2 5.4.2 does not build on Python 3.11; python-ldap needs system
    # headers and only serves LDAP logins, which the module does not use.
    sed -e 's/^cbor2==5\.4\.2/cbor2==5.6.2/' -e '/^python-ldap/d' \
        "$ODOO_PATH/requirements.txt" > "$req"
    # Old source packages import pkg_resources while they build.
    PIP_CONSTRAINT="$SFF_ROOT/scripts/pip-constraints.txt" \
        "$SFF_VENV/bin/pip" install --quiet -r "$req" -r "$SFF_ROOT/scripts/requirements-dev.txt"
    echo "$want" > "$stamp"
    export PATH="$SFF_VENV/bin:$PATH"
}

# --- private PostgreSQL --------------------------------------------------------
sff_as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

sff_pg_bin() {
    # the newest PostgreSQL installed (Debian keeps one folder per version)
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then
        echo "$d"
        return 0
    fi
    command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
    die "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL 12+ (Debian: apt-get install postgresql)"
}

# mkdir -p that, as root, gives the folders it creates (and only those) to
# the postgres system user.
sff_pg_mkdir() {
    local dir="$1" missing=()
    while [ ! -e "$dir" ]; do
        missing=("$dir" "${missing[@]}")
        dir="$(dirname "$dir")"
    done
    local created
    for created in "${missing[@]}"; do
        mkdir "$created"
        [ "$(id -u)" = 0 ] && chown postgres: "$created"
    done
    return 0
}

# The private cluster trades durability for speed (fsync, synchronous
# commit and full page writes off): it holds throwaway demo and test
# databases. SFF_PG_DURABLE=1 starts it with PostgreSQL's defaults instead
# (the benchmark measures both).
sff_pg_options() {
    local options="-p $PGPORT -k $SFF_PGDATA -c listen_addresses=127.0.0.1 -c max_connections=$SFF_PG_MAX_CONNECTIONS"
    if [ -z "${SFF_PG_DURABLE:-}" ]; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    echo "$options"
}

sff_pg_start() {
    local bin
    bin="$(sff_pg_bin)"
    if [ ! -f "$SFF_PGDATA/PG_VERSION" ]; then
        say "Creating a private PostgreSQL cluster in $SFF_PGDATA (port $PGPORT)"
        sff_pg_mkdir "$SFF_PGDATA"
        sff_as_pg_owner "$bin/initdb" -D "$SFF_PGDATA" -U "$PGUSER" --auth=trust \
            --encoding=UTF8 --locale=C >/dev/null
    fi
    if ! sff_as_pg_owner "$bin/pg_ctl" -D "$SFF_PGDATA" status >/dev/null 2>&1; then
        say "Starting the private PostgreSQL on 127.0.0.1:$PGPORT"
        sff_as_pg_owner "$bin/pg_ctl" -D "$SFF_PGDATA" -l "$SFF_PGDATA/server.log" -w \
            -o "$(sff_pg_options)" start >/dev/null
    fi
}

# Restart the private cluster with the options of the environment (used by
# the benchmark to switch durability on and off).
sff_pg_restart() {
    local bin
    bin="$(sff_pg_bin)"
    sff_as_pg_owner "$bin/pg_ctl" -D "$SFF_PGDATA" -m fast stop >/dev/null 2>&1 || true
    sff_pg_start
}

sff_pg_stop() {
    local bin
    bin="$(sff_pg_bin)"
    sff_as_pg_owner "$bin/pg_ctl" -D "$SFF_PGDATA" -m fast stop >/dev/null 2>&1 || true
}

# Odoo command line shared by every script. SFF_ADDONS points at another
# folder holding the module (the lifecycle checks install an earlier release).
sff_odoo() {
    "$SFF_VENV/bin/python" "$ODOO_PATH/odoo-bin" \
        --addons-path="$ODOO_PATH/addons,${SFF_ADDONS:-$SFF_ROOT}" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" \
        "$@"
}

# Stops an Odoo started in the background: $1 its pid file, $2 the pid of
# the shell job that started it. The server first (from its pid file), then
# what it started: its workers, its cron worker and its websocket process;
# without a pid file (Odoo not started yet), the job itself.
sff_odoo_stop() {
    local pidfile="$1" job="$2" server children
    server="$(cat "$pidfile" 2>/dev/null || true)"
    if [ -z "$server" ]; then
        kill "$job" 2>/dev/null || true
        wait "$job" 2>/dev/null || true
        return 0
    fi
    children="$(pgrep -P "$server" || true)"
    kill "$server" 2>/dev/null || true
    for _ in $(seq 1 30); do
        kill -0 "$server" 2>/dev/null || break
        sleep 1
    done
    # shellcheck disable=SC2086 (one pid a word)
    kill -9 $server $children 2>/dev/null || true
    wait "$job" 2>/dev/null || true
}

# odoo-bin run to completion (--stop-after-init), without the warning Odoo
# prints when run as root; returns Odoo's exit status (non-zero when a
# database failed to initialise, e.g. an install that broke).
sff_odoo_once() {
    local rc
    set +e
    sff_odoo "$@" --stop-after-init 2>&1 | grep -v "Running as user 'root' is a security risk"
    rc="${PIPESTATUS[0]}"
    set -e
    return "$rc"
}

# Python code from standard input, run with `env` on database $1.
sff_odoo_exec() {
    local db="$1"
    shift
    PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}" "$SFF_VENV/bin/python" "$SFF_ROOT/scripts/odoo_exec.py" \
        --addons-path="$ODOO_PATH/addons,${SFF_ADDONS:-$SFF_ROOT}" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" -d "$db" --log-level=warn "$@"
}
