# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every public method of the suite checks its caller (issue 15).

In Odoo 17 ``/web/dataset/call_kw`` lets any logged-in user call any public
method (a name without a leading underscore) of any model on any record id.
``CLASSIFICATION`` below says, for every public method of every model the
suite defines or extends, who may call it. The tests:

* fail when a public method exists that nobody classified (or a classified
  one disappeared): a new endpoint is a decision, not an accident;
* start a real Odoo server and call each method over JSON-RPC as a portal
  user, as an internal user without any logistics group (who may use
  Inventory and Sales) and as a Logistics User, on a record of the caller's
  company and on one of another company; wherever the method is not meant
  for that caller (or that company) the answer must be an AccessError or a
  UserError with a message, and the database must not have changed;
* sweep the record rules: a user of company A sees and changes nothing of
  company B, for every model of the suite with a company.
"""

import inspect

import pytest
import requests
from support import rpc_fixtures
from support.odoo_server import OdooServer

import odoo
from odoo import SUPERUSER_ID, api

# Who may call a method: the smallest group. ACTION_ONLY: returns a window
# action built from the ids it is given, reads and changes nothing (the list
# it opens is filtered by the caller's own rights): every caller gets it, and
# the test checks that nothing changed. PORTAL: any logged-in user;
# INTERNAL: internal users (Inventory or Sales rights checked by the method);
# USER, SUPERVISOR, FINANCE, ADMIN: the logistics groups; NOBODY: only the
# suite itself (superuser), e.g. the ORM's create of records it writes alone.
ACTION_ONLY, PORTAL, INTERNAL, USER, SUPERVISOR, FINANCE, ADMIN, NOBODY = (
    "action_only",
    "portal",
    "internal",
    "user",
    "supervisor",
    "finance",
    "admin",
    "nobody",
)
# which of the three test callers each level lets through
ALLOWED = {
    ACTION_ONLY: {"portal", "internal", "user"},
    PORTAL: {"portal", "internal", "user"},
    INTERNAL: {"internal", "user"},
    USER: {"user"},
    SUPERVISOR: set(),
    FINANCE: set(),
    ADMIN: set(),
    NOBODY: set(),
}

CLASSIFICATION = {
    "delivery.carrier": {
        "logistics_sim_rate_shipment": INTERNAL,
        "logistics_sim_send_shipping": INTERNAL,
        "logistics_sim_cancel_shipment": USER,
        "logistics_sim_get_tracking_link": INTERNAL,
        "logistics_ups_rate_shipment": INTERNAL,
        "logistics_ups_send_shipping": INTERNAL,
        "logistics_ups_cancel_shipment": USER,
        "logistics_ups_get_tracking_link": INTERNAL,
        "logistics_dhl_rate_shipment": INTERNAL,
        "logistics_dhl_send_shipping": INTERNAL,
        "logistics_dhl_cancel_shipment": USER,
        "logistics_dhl_get_tracking_link": INTERNAL,
    },
    "logistics.carrier.account": {
        "action_reset_breaker": ADMIN,
        "action_rotate_webhook_secret": ADMIN,
        "action_clear_previous_webhook_secret": ADMIN,
        "action_view_shipments": USER,
        "action_ups_test_connection": ADMIN,
    },
    "logistics.event.delivery": {"action_resend": SUPERVISOR},
    "logistics.event.subscription": {
        "create": ADMIN,
        "write": ADMIN,
        "unlink": ADMIN,
        "action_rotate_secret": ADMIN,
        "action_clear_previous_secret": ADMIN,
        "action_resend_failed": SUPERVISOR,
        "action_send_now": SUPERVISOR,
        "action_view_deliveries": SUPERVISOR,
    },
    "logistics.exception": {
        "create": SUPERVISOR,
        "write": SUPERVISOR,
        "action_resolve": SUPERVISOR,
        "action_mark_resolved": SUPERVISOR,
        "action_replay": SUPERVISOR,
        "action_open_shipment": USER,
        "action_assign_to_me": SUPERVISOR,
        "action_cancel_at_carrier": SUPERVISOR,
        "action_open_resolve_wizard": SUPERVISOR,
        "action_open_reroute_wizard": SUPERVISOR,
        "action_open_events": USER,
        "action_open_logs": SUPERVISOR,
        "action_open_inbound": SUPERVISOR,
    },
    "logistics.inbound.message": {"action_reprocess": SUPERVISOR},
    "logistics.shipment": {
        "create": NOBODY,
        "action_replay": SUPERVISOR,
        "action_confirm_not_sent": SUPERVISOR,
        "action_cancel_at_carrier": SUPERVISOR,
        "action_open_picking": USER,
        "action_view_exceptions": USER,
    },
    "logistics.shipment.event": {"create": NOBODY},
    "logistics.shipment.package": {"action_ups_void_package": SUPERVISOR},
    "stock.picking": {
        "action_send_to_carrier": USER,
        "send_to_shipper": INTERNAL,
        "cancel_shipment": USER,
        "action_open_logistics_shipment": USER,
        "action_cancel": INTERNAL,
        "action_logistics_compare_rates": USER,
        "action_logistics_void_and_resend": USER,
        "action_logistics_return_label": USER,
        "action_logistics_send_consolidated": USER,
    },
    "stock.picking.batch": {"action_logistics_send_consolidated": USER},
    "sale.order": {"action_logistics_compare_rates": USER},
    "logistics.rate.shopping.wizard": {"action_apply_rule": USER},
    "logistics.rate.shopping.line": {"action_select": USER},
    "ups.address.suggestion": {"action_send_as_entered": USER},
    "ups.address.suggestion.line": {"action_use": USER},
    "logistics.aging.rule": {
        "action_open_exceptions": SUPERVISOR,
        "action_run_now": SUPERVISOR,
    },
    "logistics.exception.stage": {"write": ADMIN},
    "logistics.overview": {
        "action_open_shipments": SUPERVISOR,
        "action_open_events": SUPERVISOR,
        "action_open_exceptions": SUPERVISOR,
        "action_open_board": SUPERVISOR,
        "action_open_health": SUPERVISOR,
        "action_open_duplicates": SUPERVISOR,
    },
    "logistics.exception.resolve.wizard": {"action_confirm": SUPERVISOR},
    "logistics.exception.reroute.wizard": {"action_confirm": SUPERVISOR},
    "logistics.freight.dispute": {
        "create": FINANCE,
        "action_won": FINANCE,
        "action_lost": FINANCE,
    },
    "logistics.freight.invoice": {
        "action_match": FINANCE,
        "action_create_vendor_bill": FINANCE,
        "action_view_bills": FINANCE,
        "action_view_disputes": ACTION_ONLY,
        "action_open_reconcile_wizard": FINANCE,
        "action_view_lines": ACTION_ONLY,
        "action_done": FINANCE,
        "action_reset_to_draft": FINANCE,
    },
    "logistics.freight.invoice.line": {
        "create": FINANCE,
        "write": FINANCE,
        "action_approve": FINANCE,
        "action_write_off": FINANCE,
        "action_dispute": FINANCE,
    },
    "logistics.freight.import.wizard": {"action_import": FINANCE},
    "logistics.freight.reconcile.wizard": {
        "action_apply": FINANCE,
        "action_create_vendor_bill": FINANCE,
    },
}


def suite_public_methods(registry):
    """{(model, method)} of every public method defined in the suite's addons."""
    found = set()
    for model_name in registry:
        for klass in registry[model_name].__mro__:
            module = getattr(klass, "__module__", "") or ""
            if not module.startswith("odoo.addons.logistics_"):
                continue
            for name, value in vars(klass).items():
                if name.startswith("_") or name == "init":  # init: private in Odoo
                    continue
                if inspect.isfunction(value) or isinstance(
                    value, (classmethod, staticmethod)
                ):
                    found.add((model_name, name))
    return found


def _registry():
    return api.Registry(odoo.tools.config["db_name"])


def test_every_public_method_is_classified():
    """A new public method nobody classified makes this test fail."""
    found = suite_public_methods(_registry())
    classified = {(m, n) for m, methods in CLASSIFICATION.items() for n in methods}
    assert sorted(found - classified) == [], (
        "public methods (RPC endpoints for every logged-in user) nobody "
        "classified: give each a caller check and a line in CLASSIFICATION"
    )
    assert sorted(classified - found) == [], "classified methods that do not exist"


# ---------------------------------------------------------------------------
# A running server, its users and two companies' records
# ---------------------------------------------------------------------------
PASSWORD = "rpc-access-pw-1"


@pytest.fixture(scope="module")
def world():
    config = odoo.tools.config
    tag, company_a, company_b, records = rpc_fixtures.build(config["db_name"])
    with OdooServer(config.rcfile, config["db_name"], channels="root:0") as server:
        admin = server.rpc()
        users = {}
        for key, groups in rpc_fixtures.CALLER_GROUPS.items():
            group_ids = [_xmlid(admin, g) for g in groups]
            login = f"rpc-{key}-{tag}"
            users[key] = admin(
                "res.users",
                "create",
                {
                    "name": f"RPC {key} {tag}",
                    "login": login,
                    "password": PASSWORD,
                    "company_id": company_a,
                    "company_ids": [(6, 0, [company_a])],
                    "groups_id": [(6, 0, group_ids)],
                },
            )
        yield {
            "server": server,
            "admin": admin,
            "tag": tag,
            "companies": {"A": company_a, "B": company_b},
            "records": records,
            "sessions": {key: _session(server, f"rpc-{key}-{tag}") for key in users},
        }


def _xmlid(admin, xmlid):
    module, name = xmlid.split(".")
    return admin(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        ["res_id"],
    )[0]["res_id"]


def _session(server, login):
    session = requests.Session()
    answer = session.post(
        f"{server.url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": server.dbname, "login": login, "password": PASSWORD},
        },
        timeout=60,
    ).json()
    assert answer.get("result", {}).get("uid"), answer
    return session


def call_kw(server, session, model, method, args, kwargs=None):
    """One JSON-RPC call as the browser makes it: (result, error data)."""
    answer = session.post(
        f"{server.url}/web/dataset/call_kw/{model}/{method}",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        },
        timeout=120,
    ).json()
    if "error" in answer:
        return None, answer["error"].get("data", {})
    return answer["result"], None


# tables whose rows a refused call must leave alone
WATCHED_TABLES = (
    "logistics_%",
    "ups_address_suggestion%",
    "stock_picking",
    "stock_picking_batch",
    "sale_order",
    "sale_order_line",
    "res_partner",
    "delivery_carrier",
    "mail_message",
    "queue_job",
    "account_move",
)


_SNAPSHOT_SQL = []


def _snapshot_sql(cr):
    """One query: (table, row count, last write) of every watched table."""
    if not _SNAPSHOT_SQL:
        cr.execute(
            """
            SELECT c.relname,
                   EXISTS (SELECT 1 FROM information_schema.columns i
                            WHERE i.table_name = c.relname
                              AND i.column_name = 'write_date')
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname = 'public'
               AND c.relname LIKE ANY(%s)
             ORDER BY 1
            """,
            (list(WATCHED_TABLES),),
        )
        parts = [
            f"SELECT '{table}', count(*), "
            f'{"max(write_date)::text" if dated else "NULL"} FROM "{table}"'
            for table, dated in cr.fetchall()
        ]
        _SNAPSHOT_SQL.append(" UNION ALL ".join(parts))
    return _SNAPSHOT_SQL[0]


def snapshot():
    """{table: (row count, last write)} of every watched table."""
    with _registry().cursor() as cr:
        cr.execute(_snapshot_sql(cr))
        return {table: (count, last) for table, count, last in cr.fetchall()}


def _arguments(model, method, records, company):
    """(args, kwargs) of a call: the record ids, then what the method needs."""
    mine = records[company]
    func = getattr(_registry()[model], method)
    if method == "create":
        return [[{}]], {}
    ids = [mine[model]]
    if getattr(func, "_api", None) in ("model", "model_create"):
        return [], {}
    extra = {
        "write": [{}],
        "action_dispute": ["forged reason"],
        "action_resolve": ["forged resolution"],
    }.get(method, [])
    if model == "delivery.carrier":
        target = mine["sale.order"] if "rate" in method else mine["stock.picking"]
        extra = [target if "rate" in method or "tracking" in method else [target]]
    return [ids, *extra], {}


def _refused(error):
    """An AccessError with a message: the caller was refused before anything
    ran (a UserError could come from the method's work itself, e.g. the
    carrier's answer, and would hide a missing check)."""
    return (
        error
        and error.get("name") == "odoo.exceptions.AccessError"
        and (error.get("message") or "").strip()
    )


CASES = sorted(
    (model, method, level)
    for model, methods in CLASSIFICATION.items()
    for method, level in methods.items()
)


@pytest.mark.parametrize("caller", ["portal", "internal", "user"])
def test_public_methods_refuse_callers_they_are_not_for(world, caller):
    server = world["server"]
    session = world["sessions"][caller]
    problems = []
    calls = 0
    for model, method, level in CASES:
        for company in ("A", "B"):
            if caller in ALLOWED[level] and company == "A" and level != ACTION_ONLY:
                continue  # meant for this caller, on its own company's record
            if model not in world["records"][company]:
                problems.append(f"{model}: no test record")
                continue
            args, kwargs = _arguments(model, method, world["records"], company)
            before = snapshot()
            result, error = call_kw(server, session, model, method, args, kwargs)
            calls += 1
            after = snapshot()
            where = f"{model}.{method} as {caller} on company {company}"
            if level == ACTION_ONLY:
                if error or (result or {}).get("type") != "ir.actions.act_window":
                    problems.append(f"{where}: not a bare window action: {error}")
            elif not _refused(error):
                problems.append(
                    f"{where}: not refused ({error.get('name') if error else result!r})"
                )
            changed = sorted(t for t in before if before[t] != after.get(t))
            if changed:
                problems.append(f"{where}: changed {', '.join(changed)}")
    assert calls > 50
    assert problems == [], "\n".join(problems)


def test_ledger_methods_are_not_callable_over_rpc(world):
    """Nobody can forge a stored result, free a key or mark an entry failed."""
    server = world["server"]
    entry = world["records"]["A"]["logistics.idempotency.record"]
    for caller in ("portal", "internal", "user"):
        session = world["sessions"][caller]
        for method, args in (
            ("_acquire_committed", ["outbound_dispatch", "forged", "fp"]),
            ("_mark_succeeded", [entry, {"tracking": "FORGED"}]),
            ("_mark_failed", [entry, "forged"]),
        ):
            before = snapshot()
            _result, error = call_kw(
                server, session, "logistics.idempotency.record", method, args
            )
            assert error["name"] == "odoo.exceptions.AccessError", (caller, method)
            assert "Private methods" in error["message"]
            assert before == snapshot(), (caller, method)
    ledger = _registry()["logistics.idempotency.record"]
    for old_public in ("acquire", "mark_succeeded", "mark_failed"):
        assert not hasattr(ledger, old_public)


def test_logistics_user_writes_no_shipment_data_directly(world):
    """Shipments, packages, events, ledger entries and inbound messages are
    written by the suite's own methods only."""
    server = world["server"]
    records = world["records"]["A"]
    for caller in ("user",):
        session = world["sessions"][caller]
        for model, vals in (
            ("logistics.shipment", {"tracking_ref": "FORGED", "state": "delivered"}),
            ("logistics.shipment.package", {"tracking_number": "FORGED"}),
            ("logistics.shipment.event", {"code": "delivered"}),
            ("logistics.idempotency.record", {"state": "failed"}),
            ("logistics.inbound.message", {"body": '{"forged": true}'}),
        ):
            before = snapshot()
            _result, error = call_kw(
                server, session, model, "write", [[records[model]], vals]
            )
            assert error and error["name"] == "odoo.exceptions.AccessError", model
            _result, error = call_kw(server, session, model, "create", [vals])
            assert error and error["name"] == "odoo.exceptions.AccessError", model
            assert before == snapshot(), model


def _company_models(registry):
    return sorted(
        name
        for name in registry
        if (name.startswith(("logistics.", "ups.")))
        and not registry[name]._abstract
        and (
            "company_id" in registry[name]._fields
            or "company_ids" in registry[name]._fields
        )
    )


def test_record_rules_keep_companies_apart(world):
    """A Logistics Administrator of company A sees and changes nothing of B."""
    server = world["server"]
    session = world["sessions"]["admin_a"]
    company_b = world["companies"]["B"]
    records_b = world["records"]["B"]
    registry = _registry()
    models = _company_models(registry)
    assert "logistics.event.subscription" in models
    assert len(models) >= 20
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        in_b = {}
        for model in models:
            field = (
                "company_ids" if "company_ids" in env[model]._fields else "company_id"
            )
            in_b[model] = (
                env[model]
                .with_context(active_test=False)
                .search([(field, "in", [company_b])])
                .ids
            )
    problems = []
    for model in models:
        if not in_b[model]:
            problems.append(f"{model}: the fixtures made no record of company B")
            continue
        seen, error = call_kw(
            server, session, model, "search", [[("id", "in", in_b[model])]]
        )
        if error or seen:
            problems.append(f"{model}: search shows company B's {seen or error}")
        for method, args in (
            ("read", [in_b[model][:1], ["display_name"]]),
            ("write", [in_b[model][:1], {}]),
            ("unlink", [in_b[model][:1]]),
        ):
            before = snapshot()
            _result, error = call_kw(server, session, model, method, args)
            if not error or error.get("name") != "odoo.exceptions.AccessError":
                problems.append(f"{model}.{method} on company B: {error or 'allowed'}")
            if before != snapshot():
                problems.append(f"{model}.{method} on company B changed the database")
    assert records_b["logistics.shipment"]
    assert problems == [], "\n".join(problems)


def test_server_log_holds_no_error(world):
    """Every refusal above is a handled AccessError/UserError, not a crash."""
    with open(world["server"].logfile, encoding="utf-8") as log:
        errors = [line for line in log if " ERROR " in line]
    assert errors == []
