#!/usr/bin/env bash
# Run the benchmarks in tests/benchmarks/bench_*.py (not part of ./setup/test.sh).
#
#   ./setup/bench.sh [--db NAME] [--reuse-db] [--with-server] [--only a,b] [--odoo-venv DIR] [-- ARGS...]
#
#  1. PostgreSQL, Odoo and the dependencies as for the tests.
#  2. A fresh database (default logistics_bench) with demo data and logistics_suite,
#     unless --reuse-db finds one already installed.
#  3. With --with-server only: Odoo on a free port with 4 workers and the real
#     queue_job runner on that database, in the background (stopped at exit). By
#     default the benchmarks start their own server (tests/support/odoo_server.py).
#  4. Each tests/benchmarks/bench_*.py runs from the repository root with Odoo's
#     python: as a script (python FILE ARGS) when it has an
#     'if __name__ == "__main__":' block, otherwise through pytest-odoo
#     (pytest --odoo-config CONF --odoo-database DB -s FILE ARGS). Environment:
#       ODOO_RC                  the generated configuration file (Odoo reads it)
#       LOGISTICS_BENCH_DB       the database
#       LOGISTICS_BENCH_URL      http://127.0.0.1:<port> with --with-server, else ""
#       LOGISTICS_BENCH_CONF     same as ODOO_RC
#       LOGISTICS_ODOO_BIN       odoo-bin (empty when Odoo runs as "python -m odoo")
#       LOGISTICS_REPO_ROOT      the repository root
#       PYTHONPATH               starts with tests/ (import support.odoo_server)
#     Their output is printed as is. No benchmark file is not an error.
#     --only dispatch,webhook runs bench_dispatch.py and bench_webhook.py only.
#     A benchmark exits non-zero when it misses a target (and says which).
#  5. At the end, one table of every figure the benchmarks reported (their
#     "BENCH-RESULT {json}" lines, see tests/support/bench_report.py): value
#     (median of the rounds), spread, the baseline measured in the same run,
#     the ratio, the target and pass/FAIL. The table is also saved to
#     $LOGISTICS_HOME/logs/bench-<db>-table.txt.
#  Exit status: non-zero when a benchmark failed or any target was missed.
#  The HTTP load comes from wrk (Debian package, installed with apt-get when
#  missing).
set -euo pipefail

# shellcheck source=setup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB="${LOGISTICS_BENCH_DB:-logistics_bench}"
REUSE_DB=0
SERVER=0
ONLY=""
BENCH_ARGS=()
parse_common_args "$@"
set -- ${REMAINING_ARGS[@]+"${REMAINING_ARGS[@]}"}
while [ $# -gt 0 ]; do
    case "$1" in
        --db)
            [ $# -ge 2 ] || die "--db needs a name"
            BENCH_DB="$2"
            shift
            ;;
        --db=*) BENCH_DB="${1#*=}" ;;
        --reuse-db) REUSE_DB=1 ;;
        --with-server) SERVER=1 ;;
        --only)
            [ $# -ge 2 ] || die "--only needs a list such as dispatch,webhook"
            ONLY="$2"
            shift
            ;;
        --only=*) ONLY="${1#*=}" ;;
        --no-server) SERVER=0 ;;
        --)
            shift
            BENCH_ARGS=("$@")
            break
            ;;
        -h | --help)
            sed -n '2,33p' "$0"
            exit 0
            ;;
        *) die "unknown option: $1" ;;
    esac
    shift
done
[[ "$BENCH_DB" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || die "invalid database name: $BENCH_DB"

shopt -s nullglob
benches=("$REPO_ROOT"/tests/benchmarks/bench_*.py)
shopt -u nullglob
if [ -n "$ONLY" ]; then
    selected=()
    IFS=',' read -r -a wanted <<<"$ONLY"
    for name in "${wanted[@]}"; do
        file="$REPO_ROOT/tests/benchmarks/bench_${name#bench_}"
        file="${file%.py}.py"
        [ -f "$file" ] || die "no benchmark $file (--only $ONLY)"
        selected+=("$file")
    done
    benches=("${selected[@]}")
fi
if [ ${#benches[@]} -eq 0 ]; then
    info "No benchmark found (tests/benchmarks/bench_*.py): nothing to run"
    exit 0
fi

CONF="$LOGISTICS_HOME/odoo-bench.conf"
INIT_LOG="$LOG_DIR/bench-$BENCH_DB-init.log"
SERVER_LOG="$LOG_DIR/bench-$BENCH_DB-server.log"

lock_db "$BENCH_DB"
if ! command -v wrk >/dev/null 2>&1; then
    info "Installing wrk, the HTTP load generator of the webhook benchmark"
    apt_install wrk
fi
ensure_postgres
ensure_db_role
require_odoo
ensure_python_deps
mkdir -p "$LOG_DIR"
ensure_addons_link
compute_addons_path
HTTP_PORT="$(free_port)"
write_odoo_conf "$CONF" "$BENCH_DB" "$HTTP_PORT" 4 \
    "root:2,root.logistics:2,root.logistics.outbound:1,root.logistics.outbound.sim:1,root.logistics.outbound.ups:1,root.logistics.outbound.dhl:1,root.logistics.inbound:1,root.logistics.outbound_events:1" \
    "list_db = False" \
    "max_cron_threads = 1" \
    "gevent_port = $(free_port)" \
    "limit_time_cpu = 3600" \
    "limit_time_real = 7200" \
    "log_level = warn"

if [ "$REUSE_DB" = 1 ] && [ "$(db_module_state "$BENCH_DB" "$SUITE_MODULE")" = installed ]; then
    info "Reusing database $BENCH_DB"
else
    drop_db "$BENCH_DB"
    info "Creating database $BENCH_DB with $SUITE_MODULE (log: $INIT_LOG)"
    set +e
    "${ODOO_BIN[@]}" -c "$CONF" -d "$BENCH_DB" -i "$SUITE_MODULE" --workers 0 \
        --max-cron-threads 0 --stop-after-init --no-http --log-level info >"$INIT_LOG" 2>&1
    rc=$?
    set -e
    if [ "$rc" -ne 0 ] || [ "$(db_module_state "$BENCH_DB" "$SUITE_MODULE")" != installed ]; then
        die "could not install $SUITE_MODULE in $BENCH_DB (see $INIT_LOG)"
    fi
fi

SERVER_PID=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

URL=""
if [ "$SERVER" = 1 ]; then
    info "Starting Odoo (4 workers + queue_job runner) on port $HTTP_PORT (log: $SERVER_LOG)"
    "${ODOO_BIN[@]}" -c "$CONF" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    URL="http://127.0.0.1:$HTTP_PORT"
    for _ in $(seq 1 120); do
        kill -0 "$SERVER_PID" 2>/dev/null || die "Odoo exited at start (see $SERVER_LOG)"
        if "$ODOO_PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" \
            "$URL/web/login" >/dev/null 2>&1; then
            break
        fi
        sleep 1
    done
fi

export ODOO_RC="$CONF" LOGISTICS_BENCH_CONF="$CONF" LOGISTICS_BENCH_DB="$BENCH_DB"
export LOGISTICS_BENCH_URL="$URL" LOGISTICS_REPO_ROOT="$REPO_ROOT"
export PYTHONPATH="$REPO_ROOT/tests${PYTHONPATH:+:$PYTHONPATH}"
LOGISTICS_ODOO_BIN=""
[ "${ODOO_BIN[1]}" != -m ] && LOGISTICS_ODOO_BIN="${ODOO_BIN[1]}"
export LOGISTICS_ODOO_BIN

status=0
RESULTS="$LOG_DIR/bench-$BENCH_DB-output.txt"
TABLE="$LOG_DIR/bench-$BENCH_DB-table.txt"
: >"$RESULTS"
for bench in "${benches[@]}"; do
    info "Benchmark: ${bench#"$REPO_ROOT"/}"
    if grep -qE '^if __name__ == .__main__.:' "$bench"; then
        cmd=("$ODOO_PY" "$bench")
    else
        cmd=("$ODOO_PY" -m pytest --odoo-config="$CONF" --odoo-database="$BENCH_DB"
            -p no:cacheprovider --import-mode=importlib -o "python_files=bench_*.py"
            -s -q "$bench")
    fi
    set +e
    (cd "$REPO_ROOT" && "${cmd[@]}" ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}) 2>&1 | tee -a "$RESULTS"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ]; then
        warn "${bench#"$REPO_ROOT"/} failed (exit $rc)"
        status=1
    fi
done
echo
info "All figures (also in $TABLE)"
"$ODOO_PY" "$REPO_ROOT/setup/benchtable.py" "$RESULTS" | tee "$TABLE" || status=1
exit "$status"
