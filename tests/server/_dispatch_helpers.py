# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers of the outbound real-server tests (tests/server/test_dispatch_*.py).

Everything goes through XML-RPC (a user's script) and the simulators' own
control methods: no ORM from the test process. The server log is read from
the file the server writes; a test passes only when the server logged no
ERROR or CRITICAL line while it ran.
"""

import os
import re
import time
import uuid

import psutil
from support.odoo_server import OdooServer
from support.server_rpc import wait_until

import odoo

CHANNELS = "root:2,root.logistics.inbound:1,root.logistics.outbound:2"
_ERROR_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")


def start_server(**options):
    """A running Odoo (2 workers, the real queue_job runner) on the test db."""
    config = odoo.tools.config
    options.setdefault("channels", CHANNELS)
    return OdooServer(config.rcfile, config["db_name"], **options).start()


class LogMark:
    """The server log from now on: ``assert_clean()`` fails on any ERROR."""

    def __init__(self, server):
        self.server = server
        self.start = os.path.getsize(server.logfile)

    def records(self):
        with open(self.server.logfile, encoding="utf-8", errors="replace") as log:
            log.seek(self.start)
            text = log.read()
        records, current = [], None
        for line in text.splitlines():
            if re.match(r"^\d{4}-\d\d-\d\d ", line):
                current = [line]
                records.append(current)
            elif current is not None:
                current.append(line)
        return ["\n".join(r) for r in records]

    def errors(self):
        return [r for r in self.records() if _ERROR_RE.match(r)]

    def assert_clean(self):
        time.sleep(0.5)  # the last requests and jobs log what they have to
        errors = self.errors()
        assert not errors, (
            f"the server logged {len(errors)} ERROR record(s) "
            f"({self.server.logfile}):\n" + "\n---\n".join(errors[:3])
        )


wait_for = wait_until  # the layer's poller (support.server_rpc)


def setup_carrier(rpc, sim, carrier_code="sim", service="SIM_STD", **account_vals):
    """A carrier account on ``sim`` and a shipping method using it."""
    tag = uuid.uuid4().hex[:8]
    vals = {
        "name": f"Dispatch {carrier_code} {tag}",
        "carrier_code": carrier_code,
        "api_base_url": sim.url,
        "client_id": "e2e",
        "client_secret": "e2e-secret",
        "connect_timeout": 1.0,
        "read_timeout": 2.0,
        "retry_base_delay": 1,
        "retry_max_delay": 2,
        "breaker_threshold": 50,
    }
    vals.update(account_vals)
    account = rpc("logistics.carrier.account", "create", vals)
    product = rpc(
        "product.product", "create", {"name": f"Ship {tag}", "type": "service"}
    )
    carrier = rpc(
        "delivery.carrier",
        "create",
        {
            "name": f"Dispatch carrier {tag}",
            "delivery_type": f"logistics_{carrier_code}",
            "product_id": product,
            "logistics_account_id": account,
            "logistics_service_code": service,
        },
    )
    return account, carrier


GERMANY = {
    "shipper": {
        "street": "Hauptstraße 1",
        "city": "Hamburg",
        "zip": "20095",
        "phone": "+49 40 1234567",
    },
    "recipient": {
        "name": "Dispatch Customer",
        "street": "Friedrichstraße 123",
        "city": "Berlin",
        "zip": "10117",
        "phone": "+49 30 12345678",
    },
    "country": "DE",
    "state": None,
}
USA = {
    "shipper": {
        "street": "2311 York Rd",
        "city": "Timonium",
        "zip": "21093",
        "phone": "+1 410-308-1234",
    },
    "recipient": {
        "name": "Jordan Miller",
        "street": "55 Glenlake Pkwy NE",
        "city": "Atlanta",
        "zip": "30328",
        "phone": "+1 404-828-6000",
    },
    "country": "US",
    "state": ("MD", "GA"),
}


def make_picking(rpc, carrier, where=GERMANY, weight=2.5):
    """A confirmed delivery order with ``carrier`` (the company ships from
    ``where``, to a customer there)."""
    country = rpc("res.country", "search", [("code", "=", where["country"])])[0]
    states = [False, False]
    if where["state"]:
        states = [
            rpc(
                "res.country.state",
                "search",
                [("country_id", "=", country), ("code", "=", code)],
            )[0]
            for code in where["state"]
        ]
    company = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
    # the company's first warehouse ships; the suite's shipper is its partner
    warehouse = rpc(
        "stock.warehouse",
        "search_read",
        [("company_id", "=", company)],
        ["out_type_id", "partner_id"],
        order="id",
        limit=1,
    )[0]
    picking_type = warehouse["out_type_id"][0]
    shipper = (warehouse["partner_id"] or [None])[0] or rpc(
        "res.company", "read", [company], ["partner_id"]
    )[0]["partner_id"][0]
    rpc(
        "res.partner",
        "write",
        [shipper],
        dict(where["shipper"], street2=False, country_id=country, state_id=states[0]),
    )
    partner = rpc(
        "res.partner",
        "create",
        dict(where["recipient"], country_id=country, state_id=states[1]),
    )
    item = rpc(
        "product.product",
        "create",
        {"name": "Dispatch item", "type": "consu", "weight": weight},
    )
    src = rpc(
        "stock.picking.type", "read", [picking_type], ["default_location_src_id"]
    )[0]["default_location_src_id"][0]
    dest = rpc("stock.location", "search", [("usage", "=", "customer")], limit=1)[0]
    uom = rpc("uom.uom", "search", [("name", "=", "Units")], limit=1)[0]
    picking = rpc(
        "stock.picking",
        "create",
        {
            "partner_id": partner,
            "picking_type_id": picking_type,
            "location_id": src,
            "location_dest_id": dest,
            "carrier_id": carrier,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Dispatch item",
                        "product_id": item,
                        "product_uom_qty": 1,
                        "product_uom": uom,
                        "location_id": src,
                        "location_dest_id": dest,
                    },
                )
            ],
        },
    )
    rpc("stock.picking", "action_confirm", [picking])
    return picking


SHIPMENT_FIELDS = [
    "name",
    "state",
    "health",
    "exception_category",
    "tracking_ref",
    "carrier_shipment_id",
    "label_attachment_id",
    "dispatch_attempts",
    "idempotency_key",
    "rerouted_to_id",
    "needs_lookup",
]


def shipment_of(rpc, picking):
    data = rpc("stock.picking", "read", [picking], ["logistics_shipment_id"])[0]
    if not data["logistics_shipment_id"]:
        return None
    return read_shipment(rpc, data["logistics_shipment_id"][0])


def read_shipment(rpc, shipment_id):
    return dict(
        rpc("logistics.shipment", "read", [shipment_id], SHIPMENT_FIELDS)[0],
        id=shipment_id,
    )


def picking_name(rpc, picking):
    return rpc("stock.picking", "read", [picking], ["name"])[0]["name"]


def open_exceptions(rpc, shipment_id):
    return rpc(
        "logistics.exception",
        "search_read",
        [("shipment_id", "=", shipment_id), ("state", "=", "open")],
        ["category", "user_id", "activity_ids", "message"],
    )


def ledger_state(rpc, key, scope="outbound_dispatch"):
    rows = rpc(
        "logistics.idempotency.record",
        "search_read",
        [("scope", "=", scope), ("key", "=", key)],
        ["state", "attempts"],
    )
    return rows[0] if rows else None


def jobs_of(rpc, shipment):
    return rpc(
        "queue.job",
        "search_read",
        [("identity_key", "=", shipment["idempotency_key"])],
        ["state", "retry", "exc_info"],
    )


def create_calls(sim, reference):
    """The carrier's create requests for one delivery order (by reference)."""
    return [
        r
        for r in sim.requests
        if r["operation"] == "create_shipment"
        and (r.get("json") or {}).get("reference") == reference
    ]


def workers_talking_to(server, port):
    """The server's worker processes with a connection open to ``port``."""
    master = psutil.Process(server.proc.pid)
    found = []
    for child in master.children(recursive=True):
        # net_connections() since psutil 6, connections() before
        method = getattr(child, "net_connections", None) or child.connections
        try:
            connections = method(kind="tcp")
        except psutil.Error:
            continue
        if any(c.raddr and c.raddr.port == port for c in connections):
            found.append(child)
    return found
