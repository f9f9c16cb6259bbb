#!/usr/bin/env bash
# README command 1: set up everything and run Odoo 17 with the logistics suite.
#
#   ./setup/run.sh [--no-start] [--check] [--reset-db] [--update] [--odoo-venv DIR]
#
# Idempotent: a second run reuses the database and only (re)starts the services.
#  1. PostgreSQL: installed with apt-get if missing, started, role odoo/odoo ensured.
#  2. Odoo 17: found in $ODOO_VENV (default /opt/odoo17/venv); installed from Odoo's
#     official source there when absent (internet needed, see setup/install-odoo.sh).
#  3. Python dependencies (requests, phonenumbers, OCA queue_job 17.0) when missing.
#  4. $LOGISTICS_HOME/odoo.conf (outside the repository) and the addons symlink.
#  5. Demo database "logistics_demo" with demo data and logistics_suite installed,
#     when it does not exist yet.
#  6. The bundled carrier simulator on 127.0.0.1:8071 (stopped on exit), then Odoo
#     in the foreground, with 4 workers (2 for HTTP + the job channels' capacity 2)
#     and the queue_job runner, on port 8069.
set -euo pipefail

# shellcheck source=setup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<EOF
Usage: ./setup/run.sh [options]

Set up PostgreSQL, Odoo 17 and the demo database "logistics_demo", then run Odoo
on http://localhost:8069 (login admin / admin) with the queue_job runner and the
carrier simulator. Safe to run again.

Options:
  --no-start        set everything up, do not start Odoo
  --check           start everything, check that Odoo answers /web/health (HTTP
                    and gevent ports) with the suite installed, then stop (CI)
  --reset-db        drop and recreate the demo database
  --update          update the suite's modules in the existing demo database
                    (-u logistics_suite and its addons) before starting
  --odoo-venv DIR   virtualenv holding Odoo 17 (default: \$ODOO_VENV or /opt/odoo17/venv)
  -h, --help        this help

Environment: ODOO_VENV, LOGISTICS_HOME (default ~/.local/share/logistics-suite),
LOGISTICS_DB_HOST/PORT/USER/PASSWORD, LOGISTICS_HTTP_PORT (8069),
LOGISTICS_GEVENT_PORT (8072), LOGISTICS_SIM_PORT (8071), LOGISTICS_UPS_SIM_PORT
(8074), LOGISTICS_DHL_SIM_PORT (8073), LOGISTICS_DEMO_DB (logistics_demo).
EOF
}

START=1
CHECK=0
RESET_DB=0
UPDATE=0
parse_common_args "$@"
for arg in ${REMAINING_ARGS[@]+"${REMAINING_ARGS[@]}"}; do
    case "$arg" in
        --no-start) START=0 ;;
        --check) CHECK=1 ;;
        --reset-db) RESET_DB=1 ;;
        --update) UPDATE=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown option: $arg"
            ;;
    esac
done

DEMO_DB="${LOGISTICS_DEMO_DB:-logistics_demo}"
HTTP_PORT="${LOGISTICS_HTTP_PORT:-8069}"
GEVENT_PORT="${LOGISTICS_GEVENT_PORT:-8072}"
SIM_PORT="${LOGISTICS_SIM_PORT:-8071}"
UPS_SIM_PORT="${LOGISTICS_UPS_SIM_PORT:-8074}"  # 8072 is Odoo's gevent port
DHL_SIM_PORT="${LOGISTICS_DHL_SIM_PORT:-8073}"
CONF="$LOGISTICS_HOME/odoo.conf"

# Fail early, before touching anything, when Odoo already runs on the port.
if [ "$START" = 1 ]; then
    port_in_use "$HTTP_PORT" &&
        die "port $HTTP_PORT is already in use (is ./setup/run.sh already running?); stop it first or choose another port: LOGISTICS_HTTP_PORT=8169 ./setup/run.sh"
    port_in_use "$GEVENT_PORT" &&
        die "port $GEVENT_PORT (Odoo's gevent/websocket port) is already in use; stop what uses it or choose another: LOGISTICS_GEVENT_PORT=8172 ./setup/run.sh"
fi

lock_db "$DEMO_DB"

# 1. PostgreSQL --------------------------------------------------------------
ensure_postgres
ensure_db_role
info "PostgreSQL ready on $DB_HOST:$DB_PORT (role $DB_USER)"

# 2. Odoo 17 ----------------------------------------------------------------
find_or_install_odoo

# 3. Python dependencies -------------------------------------------------------
ensure_python_deps

# 4. Configuration -----------------------------------------------------------
mkdir -p "$LOG_DIR"
ensure_addons_link
compute_addons_path
# 4 workers: the queue_job runner runs jobs on the HTTP workers, up to the root
# channel's capacity (2): two more keep answering carriers and users while jobs
# run (with 2 workers and root:2 a webhook could find both busy with jobs).
write_odoo_conf "$CONF" "$DEMO_DB" "$HTTP_PORT" 4 \
    "root:2,root.logistics:2,root.logistics.outbound:1,root.logistics.outbound.sim:1,root.logistics.outbound.ups:1,root.logistics.outbound.dhl:1,root.logistics.inbound:1,root.logistics.outbound_events:1" \
    "gevent_port = $GEVENT_PORT" \
    "list_db = False" \
    "proxy_mode = False" \
    "max_cron_threads = 1" \
    "limit_time_cpu = 600" \
    "limit_time_real = 1200"
info "Configuration: $CONF"
info "addons_path = $ADDONS_PATH"

# 5. Demo database -------------------------------------------------------------
if [ "$RESET_DB" = 1 ] && db_exists "$DEMO_DB"; then
    info "Dropping database $DEMO_DB (--reset-db)"
    drop_db "$DEMO_DB"
fi
state="$(db_module_state "$DEMO_DB" "$SUITE_MODULE")"
if [ "$state" = installed ] && [ "$UPDATE" = 1 ]; then
    update_log="$LOG_DIR/$DEMO_DB-update.log"
    info "Updating the suite's modules in $DEMO_DB (log: $update_log)"
    set +e
    "${ODOO_BIN[@]}" -c "$CONF" -d "$DEMO_DB" \
        -u "$SUITE_MODULE,$(IFS=,; echo "${SUITE_ADDONS[*]}")" --workers 0 \
        --max-cron-threads 0 --stop-after-init --no-http 2>&1 |
        tee "$update_log" | odoo_log_filter
    rc=${PIPESTATUS[0]}
    set -e
    [ "$rc" -eq 0 ] || die "the update failed (exit $rc, see $update_log)"
    if grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$update_log"; then
        warn "the update logged errors (see $update_log)"
    fi
elif [ "$state" = installed ]; then
    info "Database $DEMO_DB exists with $SUITE_MODULE installed: reusing it"
else
    if db_exists "$DEMO_DB"; then
        # left half-created by an interrupted run: start it again from nothing
        warn "database $DEMO_DB exists without $SUITE_MODULE installed (interrupted run?): recreating it"
        drop_db "$DEMO_DB"
    fi
    init_log="$LOG_DIR/$DEMO_DB-init.log"
    info "Creating database $DEMO_DB with demo data and $SUITE_MODULE (takes a few minutes; log: $init_log)"
    set +e
    "${ODOO_BIN[@]}" -c "$CONF" -d "$DEMO_DB" -i "$SUITE_MODULE" --workers 0 \
        --max-cron-threads 0 --stop-after-init --no-http 2>&1 |
        tee "$init_log" | odoo_log_filter
    rc=${PIPESTATUS[0]}
    set -e
    state="$(db_module_state "$DEMO_DB" "$SUITE_MODULE")"
    if [ "$rc" -ne 0 ] || [ "$state" != installed ]; then
        warn "installation failed (exit $rc, $SUITE_MODULE state '${state:-absent}'); dropping $DEMO_DB so the next run starts clean"
        drop_db "$DEMO_DB" || true
        die "see $init_log"
    fi
    if grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$init_log"; then
        warn "the installation logged errors (see $init_log)"
    fi
    info "Database $DEMO_DB ready"
fi

if [ "$START" = 0 ]; then
    info "Set-up done (--no-start). Start later with: ./setup/run.sh"
    exit 0
fi

# 6. Carrier simulator + Odoo ----------------------------------------------------
SIM_PIDS=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local pid
    for pid in ${SIM_PIDS[@]+"${SIM_PIDS[@]}"}; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_simulator NAME MODULE PORT [ARGS...]: a carrier simulator
# (python -m MODULE, from pylib/) in the background on 127.0.0.1:PORT (stopped on
# exit), unless the port is taken.
start_simulator() {
    local name="$1" module="$2" port="$3"
    shift 3
    if port_in_use "$port"; then
        warn "port $port is in use: assuming the $name simulator already runs there"
        return 0
    fi
    : >"$LOG_DIR/simulator-$name.log"
    daemonize "$LOG_DIR/simulator-$name.log" "$ODOO_PY" -m "$module" --port "$port" "$@"
    local pid=$DAEMON_PID
    SIM_PIDS+=("$pid")
    for _ in $(seq 1 50); do
        port_in_use "$port" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if port_in_use "$port"; then
        info "$name simulator: http://127.0.0.1:$port (log: $LOG_DIR/simulator-$name.log)"
    else
        warn "the $name simulator did not start (see $LOG_DIR/simulator-$name.log)"
    fi
}

# The demo accounts (demo data) point at these ports; the generic simulator
# pushes tracking updates to the demo account's webhook URL with its secret,
# so shipments move by themselves through the real webhook path.
start_simulator generic logistics_simulators.generic "$SIM_PORT" \
    --webhook-url "http://127.0.0.1:$HTTP_PORT/logistics/webhook/sim/demo-sim-webhook-token" \
    --webhook-secret demo-sim-webhook-secret --auto-advance 60 --storylines
start_simulator UPS logistics_simulators.ups "$UPS_SIM_PORT" \
    --webhook-url "http://127.0.0.1:$HTTP_PORT/logistics/webhook/ups/demo-ups-webhook-token" \
    --webhook-secret demo-ups-webhook-secret --account-subscription --auto-advance 60
start_simulator DHL logistics_simulators.dhl "$DHL_SIM_PORT"

if [ "$CHECK" = 1 ]; then
    # Start Odoo like below, wait until it serves the demo database, stop it.
    odoo_log="$LOG_DIR/$DEMO_DB-check.log"
    : >"$odoo_log"
    daemonize "$odoo_log" "${ODOO_BIN[@]}" -c "$CONF" --logfile "$odoo_log"
    SIM_PIDS+=("$DAEMON_PID")
    ok=0
    for _ in $(seq 1 120); do
        kill -0 "$DAEMON_PID" 2>/dev/null || die "Odoo exited during start-up (see $odoo_log)"
        if http_health "$HTTP_PORT" && http_health "$GEVENT_PORT"; then
            ok=1
            break
        fi
        sleep 1
    done
    [ "$ok" = 1 ] || die "Odoo did not answer /web/health on ports $HTTP_PORT and $GEVENT_PORT within 120 s (see $odoo_log)"
    info "Odoo answers /web/health on http://127.0.0.1:$HTTP_PORT and on the gevent port $GEVENT_PORT"
    "$ODOO_PY" - "$HTTP_PORT" "$DEMO_DB" <<'EOF' || die "the suite is not usable in $DEMO_DB (see $odoo_log)"
import sys, xmlrpc.client
port, db = sys.argv[1], sys.argv[2]
common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common")
uid = common.authenticate(db, "admin", "admin", {})
assert uid, "admin/admin cannot log in"
models = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/object")
names = ["logistics_suite", "logistics_connector_base", "logistics_carrier_dhl",
         "logistics_carrier_ups", "logistics_monitoring", "logistics_reconciliation", "queue_job"]
rows = models.execute_kw(db, uid, "admin", "ir.module.module", "search_read",
                         [[["name", "in", names]]], {"fields": ["name", "state"]})
states = {r["name"]: r["state"] for r in rows}
missing = [n for n in names if states.get(n) != "installed"]
assert not missing, f"not installed: {missing}"
accounts = models.execute_kw(db, uid, "admin", "logistics.carrier.account", "search_count", [[]])
assert accounts >= 3, f"only {accounts} demo carrier accounts"
print(f"==> {db}: the suite's {len(names)} modules are installed, {accounts} carrier accounts")
EOF
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do
        kill -0 "$DAEMON_PID" 2>/dev/null || break
        sleep 1
    done
    if grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$odoo_log"; then
        grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$odoo_log" | head -5 >&2
        die "Odoo logged errors while running (see $odoo_log)"
    fi
    grep -q "DistributionNotFound" "$odoo_log" && die "Odoo's gevent process failed to start (see $odoo_log)"
    info "Check passed: ./setup/run.sh starts Odoo with the demo database (log: $odoo_log)"
    exit 0
fi

cat <<EOF

  Odoo 17 + logistics suite:  http://localhost:$HTTP_PORT
  Login: admin   Password: admin      (database: $DEMO_DB)

  What to click:
   1. Inventory > Delivery: open a ready delivery order (e.g. WH/OUT for
      "Maximilian Bauer", Simulator Express; "Avery Johnson", UPS Ground;
      BONN/OUT for "Jonas Petersen", DHL Paket) and click "Send to carrier":
      the label and the tracking number arrive within a second or two.
      "Compare rates" asks every carrier for a quote at once.
   2. Every minute the simulators push tracking updates through the webhook
      URL: watch the "Carrier" smart button and Logistics > Operations >
      Tracking Events. Every third simulator shipment scans out of order,
      every third ends in a delivery exception.
   3. Logistics > Operations > Exceptions: the board to work (assign, replay,
      reroute, resolve); Logistics > Monitoring > Overview and
      Logistics > Dashboards: the KPIs.
   4. Logistics > Reconciliation > Freight Invoices: SIM-DEMO-0001 has one
      line of every discrepancy; "Reconcile" leads to a vendor bill.
  Stop with Ctrl+C (the simulators stop with Odoo).

EOF
set +e
"${ODOO_BIN[@]}" -c "$CONF" 9>&-
rc=$?
set -e
exit "$rc"
