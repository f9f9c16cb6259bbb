# shellcheck shell=bash
# Variables defined here are used by the scripts that source this file.
# shellcheck disable=SC2034
# Shared helpers for setup/run.sh, setup/test.sh, setup/bench.sh and setup/lint.sh.
# Source it; do not execute it.
#
# Everything generated (odoo.conf files, the addons symlink, filestore, logs)
# lives OUTSIDE the repository, under $LOGISTICS_HOME.
#
# Environment (all optional):
#   ODOO_VENV        virtualenv that holds Odoo 17          (default /opt/odoo17/venv)
#   ODOO_SRC         where to put Odoo when installing it   (default <ODOO_VENV>/../src)
#   LOGISTICS_HOME   generated files                        (default ~/.local/share/logistics-suite)
#   LOGISTICS_DB_HOST / LOGISTICS_DB_PORT / LOGISTICS_DB_USER / LOGISTICS_DB_PASSWORD
#                    PostgreSQL connection (default localhost / 5432 / odoo / odoo)

if [ -n "${_LOGISTICS_LIB_LOADED:-}" ]; then
    return 0
fi
_LOGISTICS_LIB_LOADED=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# The suite's pure-Python packages (adapters, tracking rules, simulators: see
# pylib/README.md) come first on the path of every Python the scripts start, so
# the checkout being run is the code Odoo imports, also when several checkouts
# share one virtualenv (the venv also has them installed: ensure_pylib).
export PYTHONPATH="$REPO_ROOT/pylib${PYTHONPATH:+:$PYTHONPATH}"
SUITE_MODULE="logistics_suite"
SUITE_ADDONS=(
    logistics_connector_base
    logistics_carrier_dhl
    logistics_carrier_ups
    logistics_monitoring
    logistics_reconciliation
)

ODOO_VENV_DEFAULT=/opt/odoo17/venv
ODOO_VENV="${ODOO_VENV:-$ODOO_VENV_DEFAULT}"
if [ -z "${HOME:-}" ]; then
    HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
    export HOME
fi
LOGISTICS_HOME="${LOGISTICS_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/logistics-suite}"
DB_HOST="${LOGISTICS_DB_HOST:-localhost}"
DB_PORT="${LOGISTICS_DB_PORT:-}"
DB_USER="${LOGISTICS_DB_USER:-odoo}"
DB_PASSWORD="${LOGISTICS_DB_PASSWORD:-odoo}"

ADDONS_LINK_DIR="$LOGISTICS_HOME/addons"
DATA_DIR="$LOGISTICS_HOME/data"
LOG_DIR="$LOGISTICS_HOME/logs"

# ----------------------------------------------------------------- messages
if [ -t 1 ]; then
    _C_BOLD=$'\033[1m' _C_RED=$'\033[31m' _C_YEL=$'\033[33m' _C_OFF=$'\033[0m'
else
    _C_BOLD="" _C_RED="" _C_YEL="" _C_OFF=""
fi
info() { printf '%s==>%s %s\n' "$_C_BOLD" "$_C_OFF" "$*"; }
warn() { printf '%sWARNING:%s %s\n' "$_C_YEL" "$_C_OFF" "$*" >&2; }
die() {
    printf '%sERROR:%s %s\n' "$_C_RED" "$_C_OFF" "$*" >&2
    exit 1
}

# ------------------------------------------------------------ privileges
# Run a command as root (directly, or through sudo when available).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root privileges for: $* (install sudo or run as root)"
    fi
}

# apt_install PKG...: install Debian packages (apt-get update first only when the
# package lists are missing or the install fails with the lists in place).
apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get is not available: install $* yourself, then re-run"
    if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null ||
        ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" </dev/null 9>&-; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null 9>&- ||
            die "apt-get update failed (no internet, or no root?): install $* yourself, then re-run"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" </dev/null 9>&- ||
            die "apt-get install $* failed: install them yourself, then re-run"
    fi
}

# Run a command as the postgres OS user (cluster superuser, peer auth).
as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        (cd / && "$@")
    elif [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    elif command -v sudo >/dev/null 2>&1; then
        (cd / && sudo -n -u postgres "$@")
    else
        return 1
    fi
}

# A python for small helpers, before Odoo's venv is known to work.
_py() {
    if command -v python3 >/dev/null 2>&1; then
        python3 "$@"
    else
        "$ODOO_VENV/bin/python" "$@"
    fi
}

free_port() {
    _py - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# port_in_use PORT -> 0 when something accepts connections on localhost:PORT
port_in_use() {
    _py - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
sys.exit(0)
EOF
}

# http_health PORT -> 0 when http://127.0.0.1:PORT/web/health answers {"status": "pass"}
http_health() {
    _py - "$1" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/web/health", timeout=5) as r:
        sys.exit(0 if json.load(r).get("status") == "pass" else 1)
except Exception:
    sys.exit(1)
EOF
}

# ------------------------------------------------------------ PostgreSQL
_pg_is_local() {
    case "$DB_HOST" in
        localhost | 127.0.0.1 | ::1 | "") return 0 ;;
        *) return 1 ;;
    esac
}

# Install PostgreSQL (Debian/Ubuntu) when there is no server at all.
_pg_install() {
    command -v apt-get >/dev/null 2>&1 ||
        die "PostgreSQL is not installed and apt-get is unavailable; install PostgreSQL (>= 12) yourself"
    info "Installing PostgreSQL with apt-get"
    apt_install postgresql postgresql-client
}

# Make sure a local cluster runs; sets DB_PORT when it was not given.
ensure_postgres() {
    if ! _pg_is_local; then
        info "Using the PostgreSQL server at $DB_HOST (not managed by this script)"
        DB_PORT="${DB_PORT:-5432}"
        return 0
    fi
    if ! command -v pg_lsclusters >/dev/null 2>&1 ||
        ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        _pg_install
    fi
    local clusters line ver name port status
    clusters="$(pg_lsclusters --no-header 2>/dev/null || true)"
    if [ -z "$clusters" ]; then
        info "Creating a PostgreSQL cluster"
        ver="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null |
            awk -F/ '{print $5}' | sort -V | tail -n1)"
        [ -n "$ver" ] || die "no PostgreSQL server binaries found under /usr/lib/postgresql"
        as_root pg_createcluster "$ver" main
        clusters="$(pg_lsclusters --no-header)"
    fi
    # Pick the cluster on the requested port, else the one on 5432, else the first one.
    line="$(awk -v p="${DB_PORT:-5432}" '$3 == p' <<<"$clusters" | head -n1)"
    if [ -z "$line" ] && [ -z "$DB_PORT" ]; then
        line="$(head -n1 <<<"$clusters")"
    fi
    [ -n "$line" ] || die "no PostgreSQL cluster listens on port $DB_PORT (see pg_lsclusters)"
    read -r ver name port status _ <<<"$line"
    DB_PORT="$port"
    if [ "$status" != online ]; then
        info "Starting PostgreSQL cluster $ver/$name (port $port)"
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
            as_root pg_ctlcluster "$ver" "$name" start </dev/null >/dev/null 9>&-
        else
            as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start </dev/null >/dev/null 9>&-
        fi
    fi
    for _ in $(seq 1 30); do
        if pg_isready -q -h "$DB_HOST" -p "$DB_PORT"; then
            return 0
        fi
        sleep 1
    done
    die "PostgreSQL on $DB_HOST:$DB_PORT does not accept connections (log: /var/log/postgresql/)"
}

# Odoo refuses to run as the 'postgres' superuser: ensure a login role with CREATEDB.
ensure_db_role() {
    if _pg_is_local && as_postgres true 2>/dev/null; then
        as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$DB_PORT" -d postgres \
            -v role="$DB_USER" -v pw="$DB_PASSWORD" <<'EOF' >/dev/null ||
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') AS missing \gset
\if :missing
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
\else
ALTER ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
\endif
EOF
            die "could not create/update the PostgreSQL role '$DB_USER'"
    fi
    psql_odoo -d postgres -c 'SELECT 1' >/dev/null ||
        die "cannot connect to PostgreSQL as '$DB_USER' on $DB_HOST:$DB_PORT"
}

# psql as the Odoo role, over TCP.
psql_odoo() {
    PGPASSWORD="$DB_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" \
        -U "$DB_USER" "$@"
}

db_exists() {
    [ "$(psql_odoo -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}

# db_module_state DB MODULE -> prints the module state (installed, to install, ...) or nothing
db_module_state() {
    psql_odoo -d "$1" -Atc "SELECT state FROM ir_module_module WHERE name = '$2'" 2>/dev/null || true
}

# lock_db NAME: one run at a time per database and LOGISTICS_HOME. The lock is
# file descriptor 9 of this shell; it is released when the script exits. Every
# daemon a script starts (PostgreSQL, simulators, Odoo) is started with 9>&-
# (see daemonize) so that it never keeps the lock after the script is gone.
lock_db() {
    command -v flock >/dev/null 2>&1 || return 0
    mkdir -p "$LOGISTICS_HOME/locks"
    LOCK_FILE="$LOGISTICS_HOME/locks/$1.lock"
    exec 9>"$LOCK_FILE"
    if ! flock -n 9; then
        local holders=""
        command -v fuser >/dev/null 2>&1 && holders="$(fuser "$LOCK_FILE" 2>/dev/null | xargs || true)"
        die "another run is using the database $1 (lock: $LOCK_FILE${holders:+, held by process(es) $holders}); wait for it to end, or use another database/LOGISTICS_HOME"
    fi
}

# daemonize LOGFILE CMD...: start CMD in the background, in its own session, with
# no descriptor of this script but stdout/stderr to LOGFILE (no lock, no pipe
# that would keep a caller's "| tee" waiting). Sets DAEMON_PID.
daemonize() {
    local log="$1"
    shift
    setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
    DAEMON_PID=$!
}

drop_db() {
    local db="$1"
    # WITH (FORCE) needs PostgreSQL 13; older servers: end the sessions first.
    if ! psql_odoo -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" 2>/dev/null; then
        psql_odoo -d postgres -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null || true
        psql_odoo -d postgres -c "DROP DATABASE IF EXISTS \"$db\""
    fi
    rm -rf "${DATA_DIR:?}/filestore/$db"
}

# ------------------------------------------------------------ Odoo
# Check that $1 is a python that imports a real Odoo 17 (not only the odoo/addons
# namespace that OCA addon wheels like odoo-addon-queue_job install).
# Prints "<odoo package dir>" on success.
# On failure the reason is the last line on stderr.
_probe_odoo() {
    local py="$1"
    if [ ! -x "$py" ]; then
        echo "$py does not exist" >&2
        return 1
    fi
    "$py" - <<'EOF'
import os, sys
try:
    import odoo
except ImportError as exc:
    sys.exit("cannot import odoo: %s" % exc)
f = getattr(odoo, "__file__", None)
if not f:
    sys.exit("'odoo' there is only the namespace of addon wheels (odoo/addons), not Odoo")
import odoo.release
if odoo.release.serie != "17.0":
    sys.exit("odoo there is version %s, not 17.0" % odoo.release.serie)
print(os.path.dirname(os.path.abspath(f)))
EOF
}

# Sets ODOO_PY, ODOO_PKG (the odoo package dir), ODOO_BIN (command array), ODOO_CORE_ADDONS.
find_odoo() {
    ODOO_PY="$ODOO_VENV/bin/python"
    local errfile
    errfile="$(mktemp)"
    if ! ODOO_PKG="$(_probe_odoo "$ODOO_PY" 2>"$errfile")"; then
        ODOO_PROBE_ERROR="$(tail -n 1 "$errfile")"
        rm -f "$errfile"
        return 1
    fi
    rm -f "$errfile"
    ODOO_PROBE_ERROR=""
    local src
    src="$(dirname "$ODOO_PKG")"
    if [ -f "$src/odoo-bin" ]; then
        ODOO_BIN=("$ODOO_PY" "$src/odoo-bin")
    else
        ODOO_BIN=("$ODOO_PY" -m odoo)
    fi
    # Official git checkouts have <src>/addons besides <src>/odoo/addons; the nightly
    # tarball / pip layout only has odoo/addons.
    ODOO_CORE_ADDONS=()
    [ -d "$src/addons" ] && [ -f "$src/addons/web/__manifest__.py" ] && ODOO_CORE_ADDONS+=("$src/addons")
    ODOO_CORE_ADDONS+=("$ODOO_PKG/addons")
    return 0
}

# find_odoo; when the virtualenv holds no Odoo (missing, empty, or half-installed
# by an interrupted run), install Odoo 17 there (setup/install-odoo.sh: an
# existing source tree in ODOO_SRC, else Odoo's official source). A virtualenv
# that holds another Odoo version is never touched.
find_or_install_odoo() {
    if ! find_odoo; then
        case "${ODOO_PROBE_ERROR:-}" in
            *"not 17.0"*)
                die "$ODOO_VENV holds another Odoo (${ODOO_PROBE_ERROR}); point ODOO_VENV at another directory (it will be created) and re-run"
                ;;
        esac
        warn "no Odoo 17 in $ODOO_VENV (${ODOO_PROBE_ERROR:-}): installing it"
        ODOO_VENV="$ODOO_VENV" "$REPO_ROOT/setup/install-odoo.sh" 9>&-
    fi
    require_odoo
}

require_odoo() {
    find_odoo || die "no Odoo 17 in $ODOO_VENV: ${ODOO_PROBE_ERROR:-unknown reason} (set ODOO_VENV, or pass --odoo-venv DIR; ./setup/run.sh can install it)"
    info "Odoo 17 found: $ODOO_PKG (python $ODOO_PY)"
}

# Directory holding queue_job when it is not in one of the core addons dirs
# (pip-installed OCA wheels live in <site-packages>/odoo/addons).
queue_job_dir() {
    "$ODOO_PY" - <<'EOF' 2>/dev/null
import importlib.util, os
spec = importlib.util.find_spec("odoo.addons.queue_job")
if spec and spec.origin:
    print(os.path.dirname(os.path.dirname(spec.origin)))
EOF
}

# Symlink <LOGISTICS_HOME>/addons/logistics_suite -> repo root: an addon's name is its
# directory's name, and the repository root is the umbrella addon.
ensure_addons_link() {
    mkdir -p "$ADDONS_LINK_DIR"
    local link="$ADDONS_LINK_DIR/$SUITE_MODULE" current=""
    if [ -L "$link" ]; then
        current="$(readlink "$link")"
    elif [ -e "$link" ]; then
        die "$link exists and is not a symlink; remove it"
    fi
    if [ "$current" != "$REPO_ROOT" ]; then
        [ -n "$current" ] && warn "re-pointing $link from $current to $REPO_ROOT"
        ln -sfn "$REPO_ROOT" "$link"
    fi
}

# Compute ADDONS_PATH: Odoo core, queue_job (if pip-installed), repo root, symlink dir.
compute_addons_path() {
    local parts=("${ODOO_CORE_ADDONS[@]}") qj p found
    qj="$(queue_job_dir)"
    [ -n "$qj" ] || die "the queue_job addon is not installed in $ODOO_VENV (run ./setup/run.sh --no-start)"
    found=0
    for p in "${parts[@]}"; do
        [ "$(cd "$p" && pwd -P)" = "$(cd "$qj" && pwd -P)" ] && found=1
    done
    [ "$found" = 1 ] || parts+=("$qj")
    parts+=("$REPO_ROOT" "$ADDONS_LINK_DIR")
    local IFS=,
    ADDONS_PATH="${parts[*]}"
}

# write_odoo_conf FILE DB HTTP_PORT WORKERS CHANNELS [extra option lines...]
write_odoo_conf() {
    local file="$1" db="$2" port="$3" workers="$4" channels="$5"
    shift 5
    mkdir -p "$(dirname "$file")" "$DATA_DIR"
    local tmp="$file.tmp.$$"
    {
        echo "; Generated by $REPO_ROOT/setup/$(basename "$0") - re-run it instead of editing."
        echo "[options]"
        echo "addons_path = $ADDONS_PATH"
        echo "data_dir = $DATA_DIR"
        echo "db_host = $DB_HOST"
        echo "db_port = $DB_PORT"
        echo "db_user = $DB_USER"
        echo "db_password = $DB_PASSWORD"
        echo "db_name = $db"
        echo "http_port = $port"
        echo "workers = $workers"
        echo "server_wide_modules = web,queue_job"
        local line
        for line in "$@"; do
            echo "$line"
        done
        echo
        echo "[queue_job]"
        echo "channels = $channels"
    } >"$tmp"
    chmod 600 "$tmp"
    mv -f "$tmp" "$file"
}

# Parse the generic options every entry point accepts. Unknown options are left
# in REMAINING_ARGS.
parse_common_args() {
    REMAINING_ARGS=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --odoo-venv)
                [ $# -ge 2 ] || die "--odoo-venv needs a directory"
                ODOO_VENV="$2"
                shift 2
                ;;
            --odoo-venv=*)
                ODOO_VENV="${1#*=}"
                shift
                ;;
            *)
                REMAINING_ARGS+=("$1")
                shift
                ;;
        esac
    done
}

# pip_requirements_missing FILE: prints the requirements of FILE (and of the files
# it includes with -r) that the venv does not satisfy; nothing when all are met.
pip_requirements_missing() {
    "$ODOO_PY" - "$1" <<'EOF'
import os, sys
from importlib import metadata
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement

def lines(path):
    for raw in open(path, encoding="utf-8"):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            yield from lines(os.path.join(os.path.dirname(path), line[3:].strip()))
        elif line:
            yield line

for line in lines(sys.argv[1]):
    req = Requirement(line)
    if req.marker and not req.marker.evaluate():
        continue
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        print(line)
        continue
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        print(line)
EOF
}

# pip_install_requirements FILE: install what FILE lists into Odoo's venv, only when
# something is missing (a second run needs no network). OCA addon wheels are
# installed with --no-deps: their "odoo>=17.0a" requirement must never pull an
# "odoo" distribution (their other dependencies are listed in the file).
pip_install_requirements() {
    local file="$1" missing oca=() other=() line
    missing="$(pip_requirements_missing "$file")" ||
        die "cannot read $file with $ODOO_PY"
    [ -n "$missing" ] || return 0
    while IFS= read -r line; do
        case "$line" in
            odoo-addon-*) oca+=("$line") ;;
            *) other+=("$line") ;;
        esac
    done <<<"$missing"
    info "Installing into $ODOO_VENV: $(echo "$missing" | xargs)"
    local pip=("$ODOO_PY" -m pip install --disable-pip-version-check -q
        -c "$REPO_ROOT/setup/constraints.txt")
    if [ ${#other[@]} -gt 0 ]; then
        "${pip[@]}" "${other[@]}" 9>&- ||
            die "pip install ${other[*]} failed (no access to the package index?); fix it and re-run"
    fi
    if [ ${#oca[@]} -gt 0 ]; then
        "${pip[@]}" --no-deps "${oca[@]}" 9>&- ||
            die "pip install ${oca[*]} failed (no access to the package index?); fix it and re-run"
    fi
    missing="$(pip_requirements_missing "$file")"
    [ -z "$missing" ] || die "still missing after pip install: $(echo "$missing" | xargs)"
}

# check_gevent: Odoo's gevent (websocket) process must start: gevent's
# monkey-patching loads its plugins through pkg_resources (see
# setup/constraints.txt). Repairs a virtualenv that an earlier install broke.
check_gevent() {
    local probe='import gevent.monkey; gevent.monkey.patch_all(); import pkg_resources; pkg_resources.require("gevent")'
    "$ODOO_PY" -c "$probe" >/dev/null 2>&1 && return 0
    warn "gevent cannot start in $ODOO_VENV (pkg_resources does not find its requirements): reinstalling setuptools, zope.event and zope.interface"
    "$ODOO_PY" -m pip install --disable-pip-version-check -q -c "$REPO_ROOT/setup/constraints.txt" \
        --only-binary=zope.event,zope.interface setuptools zope.event zope.interface 9>&- ||
        die "pip install failed (no access to the package index?); fix it and re-run"
    "$ODOO_PY" -c "$probe" ||
        die "gevent still cannot start in $ODOO_VENV (see above); delete $ODOO_VENV and re-run"
}

# ensure_pylib: the suite's pure-Python packages (pylib/, distribution
# "logistics-carriers") installed into Odoo's venv (editable), so that an Odoo
# started without the scripts imports them too. Installed once; PYTHONPATH above
# makes the running checkout win.
ensure_pylib() {
    if PYTHONPATH= "$ODOO_PY" -c 'import importlib.metadata as m; m.version("logistics-carriers")' 2>/dev/null; then
        return 0
    fi
    info "Installing the suite's pure-Python packages (pylib/) into $ODOO_VENV"
    "$ODOO_PY" -m pip install --disable-pip-version-check -q \
        -c "$REPO_ROOT/setup/constraints.txt" -e "$REPO_ROOT/pylib" 9>&- ||
        die "pip install -e $REPO_ROOT/pylib failed (see above); fix it and re-run"
}

# The suite's run-time dependencies (setup/requirements.txt) and pylib/.
ensure_python_deps() {
    pip_install_requirements "$REPO_ROOT/setup/requirements.txt"
    ensure_pylib
    check_gevent
    [ -n "$(queue_job_dir)" ] || die "queue_job is installed but Odoo does not find it"
    # An addon wheel must never shadow Odoo itself (see setup/install-odoo.sh).
    find_odoo || die "Odoo 17 is no longer importable from $ODOO_VENV after installing dependencies: $ODOO_PROBE_ERROR (delete $ODOO_VENV and re-run to reinstall it)"
}

# The test dependencies (setup/requirements-test.txt).
ensure_test_deps() {
    pip_install_requirements "$REPO_ROOT/setup/requirements-test.txt"
}

# Browser tours (HttpCase.start_tour) need a Chromium that Odoo finds on the PATH
# (google-chrome, chromium or chromium-browser) and the websocket-client package.
# Installed when missing: Debian's "chromium" package with apt-get.
ensure_browser() {
    local bin found=""
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        if command -v "$bin" >/dev/null 2>&1; then
            found="$bin"
            break
        fi
    done
    if [ -z "$found" ]; then
        command -v apt-get >/dev/null 2>&1 ||
            die "Chromium is needed for the browser tests; install chromium (or google-chrome) yourself"
        info "Installing Chromium with apt-get (browser tests)"
        apt_install chromium
        found=chromium
    fi
    # A browser that cannot start turns every tour into a skipped test: prove it runs.
    local path
    path="$(command -v "$found")"
    if ! timeout 60 "$path" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --dump-dom about:blank >/dev/null 2>&1 </dev/null 9>&-; then
        die "$path is installed but does not start headless (try: $path --headless --no-sandbox --dump-dom about:blank)"
    fi
}

# Filter for Odoo logs: keep what a human needs (module loading, test stats/results,
# warnings about our addons, errors with their tracebacks).
odoo_log_filter() {
    awk '
        /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:,]+ [0-9]+ [A-Z]+ / {
            lvl = $4
            err = (lvl == "ERROR" || lvl == "CRITICAL")
            if (err ||
                /odoo\.modules\.loading: (Loading module logistics_|loading [0-9]+ modules|[0-9]+ modules loaded in|Modules loaded)/ ||
                /odoo\.tests\.(stats|result):/ ||
                /odoo\.modules\.module: odoo\.addons\.[a-z_]+\.tests\.[a-z_0-9]+ running/ ||
                /odoo\.service\.server: (Starting post tests|Initiating shutdown)/ ||
                (lvl == "WARNING" && /logistics/))
                print
            fflush()
            next
        }
        err { print; fflush() }
    '
}
