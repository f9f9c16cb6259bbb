#!/usr/bin/env bash
# README command 2: run every test of the suite on a fresh database.
#
#   ./setup/test.sh [--db NAME] [--odoo-venv DIR] [--no-odoo-tests] [--no-pytest]
#
#  1. Starts PostgreSQL when it is not running and ensures the odoo role; finds
#     Odoo 17 as ./setup/run.sh does (and installs it the same way when absent).
#  2. Drops and recreates the test database (default logistics_test).
#  3. Installs logistics_suite (demo data) with Odoo's test runner: every test of the
#     five addons and of the umbrella addon (at_install, post_install, HttpCase),
#     workers 0, on a free HTTP port. Full log in $LOGISTICS_HOME/logs/.
#  4. Runs the suite-level tests in tests/ with pytest-odoo on that database
#     (tests/benchmarks/ is not collected: see ./setup/bench.sh).
#  5. Checks the logs of every Odoo server the pytest phase started: an ERROR line
#     there fails the run (a fault the suite handles must not log an error).
#  6. Prints one closing line "N passed, N failed, N skipped" and exits non-zero
#     when anything failed or errored, when a test was skipped that is not on
#     setup/test-skips-allowed.txt, or when a phase ran fewer tests than its
#     floor in setup/test-floors.txt (full runs).
set -euo pipefail

# shellcheck source=setup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<EOF
Usage: ./setup/test.sh [options]

Options:
  --db NAME          test database, dropped and recreated (default: logistics_test)
  --odoo-venv DIR    virtualenv holding Odoo 17 (default: \$ODOO_VENV or /opt/odoo17/venv)
  --no-odoo-tests    skip Odoo's test runner (reuse the installed test database)
  --no-pytest        skip the pytest-odoo tests in tests/
  -h, --help         this help

Environment: LOGISTICS_TEST_DB, LOGISTICS_TEST_TIMEOUT (seconds for the Odoo
phase, default 4800), LOGISTICS_PYTEST_TIMEOUT (default 1200), plus those of run.sh.
EOF
}

TEST_DB="${LOGISTICS_TEST_DB:-logistics_test}"
RUN_ODOO=1
RUN_PYTEST=1
parse_common_args "$@"
set -- ${REMAINING_ARGS[@]+"${REMAINING_ARGS[@]}"}
while [ $# -gt 0 ]; do
    case "$1" in
        --db)
            [ $# -ge 2 ] || die "--db needs a name"
            TEST_DB="$2"
            shift
            ;;
        --db=*) TEST_DB="${1#*=}" ;;
        --no-odoo-tests) RUN_ODOO=0 ;;
        --no-pytest) RUN_PYTEST=0 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown option: $1"
            ;;
    esac
    shift
done
[[ "$TEST_DB" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || die "invalid database name: $TEST_DB"

ODOO_TIMEOUT="${LOGISTICS_TEST_TIMEOUT:-4800}"
PYTEST_TIMEOUT="${LOGISTICS_PYTEST_TIMEOUT:-1200}"
CONF="$LOGISTICS_HOME/odoo-test.conf"
ODOO_LOG="$LOG_DIR/test-$TEST_DB-odoo.log"
PYTEST_LOG="$LOG_DIR/test-$TEST_DB-pytest.log"
JUNIT="$LOG_DIR/test-$TEST_DB-pytest.xml"
SUMMARY_PY="$REPO_ROOT/setup/testsummary.py"
TEST_TAGS="$(printf '/%s,' "${SUITE_ADDONS[@]}" "$SUITE_MODULE")"
TEST_TAGS="${TEST_TAGS%,}"
# A subset while developing (e.g. LOGISTICS_TEST_TAGS=/logistics_reconciliation);
# the test floors are only enforced on the full run.
FULL_RUN=1
if [ -n "${LOGISTICS_TEST_TAGS:-}" ]; then
    TEST_TAGS="$LOGISTICS_TEST_TAGS"
    FULL_RUN=0
fi
PYTEST_ARGS=(tests/)
if [ -n "${LOGISTICS_PYTEST_ARGS:-}" ]; then
    read -r -a PYTEST_ARGS <<<"$LOGISTICS_PYTEST_ARGS"
    FULL_RUN=0
fi
START_TIME=$SECONDS

# --------------------------------------------------------------- preparation
lock_db "$TEST_DB"
ensure_postgres
ensure_db_role
find_or_install_odoo
ensure_python_deps
ensure_test_deps
ensure_browser
mkdir -p "$LOG_DIR"
ensure_addons_link
compute_addons_path
HTTP_PORT="$(free_port)"
# The queue_job runner stays off in tests (root:0): jobs are run by the tests themselves.
write_odoo_conf "$CONF" "$TEST_DB" "$HTTP_PORT" 0 "root:0" \
    "max_cron_threads = 0" \
    "list_db = False"
info "Test configuration: $CONF (addons_path = $ADDONS_PATH)"

declare -A R=([odoo_passed]=0 [odoo_bad]=0 [odoo_skipped]=0 [odoo_total]=0
    [pytest_passed]=0 [pytest_bad]=0 [pytest_skipped]=0 [pytest_total]=0 [servers_bad]=0)
# The servers that tests/support/odoo_server.py starts write their logs here.
export LOGISTICS_SERVER_LOG_DIR="$LOG_DIR/servers-$TEST_DB"

# read_counts PREFIX "passed=1 failed=0 ..." -> R[PREFIX_passed], R[PREFIX_bad], ...
read_counts() {
    local prefix="$1" kv
    for kv in $2; do
        R[${prefix}_${kv%%=*}]="${kv#*=}"
    done
}

# --------------------------------------------------------- Odoo test runner
if [ "$RUN_ODOO" = 1 ]; then
    if db_exists "$TEST_DB"; then
        info "Dropping database $TEST_DB"
    fi
    drop_db "$TEST_DB"
    info "Installing $SUITE_MODULE in $TEST_DB and running the addons' tests (log: $ODOO_LOG)"
    set +e
    timeout -k 60 "$ODOO_TIMEOUT" "${ODOO_BIN[@]}" -c "$CONF" -d "$TEST_DB" \
        -i "$SUITE_MODULE" --test-enable --stop-after-init --workers 0 \
        --http-port "$HTTP_PORT" --test-tags "$TEST_TAGS" --log-level info 2>&1 |
        tee "$ODOO_LOG" | odoo_log_filter
    odoo_rc=${PIPESTATUS[0]}
    set -e
    [ "$odoo_rc" -eq 124 ] && warn "Odoo test run killed after ${ODOO_TIMEOUT}s"
    read_counts odoo "$("$ODOO_PY" "$SUMMARY_PY" odoo "$ODOO_LOG" "$TEST_DB" "$odoo_rc")"
    info "Odoo tests: ${R[odoo_total]} run, ${R[odoo_passed]} passed, ${R[odoo_failed]} failed, ${R[odoo_errors]} errors, ${R[odoo_skipped]} skipped (exit $odoo_rc)"
elif [ "$(db_module_state "$TEST_DB" "$SUITE_MODULE")" != installed ]; then
    die "--no-odoo-tests needs an existing $TEST_DB with $SUITE_MODULE installed"
fi

# ------------------------------------------------------------ pytest-odoo
if [ "$RUN_PYTEST" = 1 ]; then
    if [ "$(db_module_state "$TEST_DB" "$SUITE_MODULE")" != installed ]; then
        warn "$SUITE_MODULE is not installed in $TEST_DB: the pytest-odoo tests cannot run"
        R[pytest_bad]=1
    else
        info "Running the suite-level tests (pytest-odoo, tests/; log: $PYTEST_LOG)"
        rm -f "$JUNIT"
        rm -rf "$LOGISTICS_SERVER_LOG_DIR"
        mkdir -p "$LOGISTICS_SERVER_LOG_DIR"
        set +e
        (
            cd "$REPO_ROOT" &&
                timeout -k 30 "$PYTEST_TIMEOUT" "$ODOO_PY" -m pytest \
                    --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http \
                    -p no:cacheprovider --import-mode=importlib \
                    --junitxml="$JUNIT" -ra "${PYTEST_ARGS[@]}"
        ) 2>&1 | tee "$PYTEST_LOG"
        pytest_rc=${PIPESTATUS[0]}
        set -e
        read_counts pytest "$("$ODOO_PY" "$SUMMARY_PY" pytest "$JUNIT" "$pytest_rc")"
        info "pytest: ${R[pytest_total]} run, ${R[pytest_passed]} passed, ${R[pytest_failed]} failed, ${R[pytest_errors]} errors, ${R[pytest_skipped]} skipped (exit $pytest_rc)"
        read_counts servers "$("$ODOO_PY" "$SUMMARY_PY" serverlogs "$LOGISTICS_SERVER_LOG_DIR")"
        info "Servers started by the tests: ${R[servers_total]} logs, ${R[servers_bad]} ERROR lines ($LOGISTICS_SERVER_LOG_DIR)"
    fi
fi

# ----------------------------------------------------------------- summary
# Floors: a phase that runs fewer tests than it should (a tag typo, an emptied
# tests/__init__.py, a collection error) fails the run.
floor_bad=0
if [ "$FULL_RUN" = 1 ]; then
    while read -r phase floor _; do
        case "$phase" in "" | \#*) continue ;; esac
        [ "$phase" = odoo ] && [ "$RUN_ODOO" = 0 ] && continue
        [ "$phase" = pytest ] && [ "$RUN_PYTEST" = 0 ] && continue
        ran="${R[${phase}_total]:-0}"
        if [ "$ran" -lt "$floor" ]; then
            warn "the $phase phase ran $ran tests, fewer than its floor $floor (setup/test-floors.txt)"
            floor_bad=$((floor_bad + 1))
        fi
    done <"$REPO_ROOT/setup/test-floors.txt"
fi
passed=$((R[odoo_passed] + R[pytest_passed]))
failed=$((R[odoo_bad] + R[pytest_bad] + R[servers_bad] + floor_bad))
skipped=$((R[odoo_skipped] + R[pytest_skipped]))
elapsed=$((SECONDS - START_TIME))
info "Logs: $LOG_DIR (took $((elapsed / 60))m$((elapsed % 60))s)"
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
