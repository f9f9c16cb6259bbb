# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Send to carrier end to end: real Odoo server, real queue_job runner.

The test starts Odoo with 2 workers and the queue_job runner on the test
database, the carrier simulator on 127.0.0.1, and drives the suite over
XML-RPC as a user's script would: no trap, no direct job call.
"""

import time
import uuid

import pytest
from support.odoo_server import OdooServer

import odoo

from logistics_simulators.generic.server import SimulatorServer


@pytest.fixture(scope="module")
def sim():
    with SimulatorServer() as server:
        yield server


@pytest.fixture(scope="module")
def server():
    config = odoo.tools.config
    with OdooServer(
        config.rcfile, config["db_name"], channels="root:2,root.logistics.outbound:2"
    ) as srv:
        yield srv


@pytest.fixture(scope="module")
def rpc(server):
    return server.rpc()


def _setup_carrier(rpc, sim, **account_vals):
    tag = uuid.uuid4().hex[:8]
    account = rpc(
        "logistics.carrier.account",
        "create",
        dict(
            {
                "name": f"E2E sim {tag}",
                "carrier_code": "sim",
                "api_base_url": sim.url,
                "client_id": "e2e",
                "client_secret": "e2e-secret",
                "retry_base_delay": 1,
                "retry_max_delay": 2,
            },
            **account_vals,
        ),
    )
    product = rpc(
        "product.product", "create", {"name": f"E2E ship {tag}", "type": "service"}
    )
    carrier = rpc(
        "delivery.carrier",
        "create",
        {
            "name": f"E2E carrier {tag}",
            "delivery_type": "logistics_sim",
            "product_id": product,
            "logistics_account_id": account,
            "logistics_service_code": "SIM_STD",
        },
    )
    return account, carrier


def _make_picking(rpc, carrier):
    de = rpc("res.country", "search", [("code", "=", "DE")])[0]
    company = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
    company_partner = rpc("res.company", "read", [company], ["partner_id"])[0][
        "partner_id"
    ][0]
    rpc(
        "res.partner",
        "write",
        [company_partner],
        {
            "street": "Hauptstraße 1",
            "city": "Hamburg",
            "zip": "20095",
            "country_id": de,
            "phone": "+49 40 1234567",
        },
    )
    partner = rpc(
        "res.partner",
        "create",
        {
            "name": "E2E Customer",
            "street": "Friedrichstraße 123",
            "city": "Berlin",
            "zip": "10117",
            "country_id": de,
            "phone": "+49 30 12345678",
        },
    )
    item = rpc(
        "product.product",
        "create",
        {"name": "E2E item", "type": "consu", "weight": 2.5},
    )
    picking_type = rpc(
        "stock.picking.type", "search", [("code", "=", "outgoing")], limit=1
    )[0]
    types = rpc(
        "stock.picking.type", "read", [picking_type], ["default_location_src_id"]
    )
    src = types[0]["default_location_src_id"][0]
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
                        "name": "E2E item",
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


def _wait_for(predicate, timeout=90, interval=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def _shipment(rpc, picking):
    data = rpc("stock.picking", "read", [picking], ["logistics_shipment_id"])[0]
    shipment_id = data["logistics_shipment_id"][0]
    return rpc(
        "logistics.shipment",
        "read",
        [shipment_id],
        [
            "state",
            "health",
            "tracking_ref",
            "carrier_shipment_id",
            "label_attachment_id",
            "dispatch_attempts",
            "idempotency_key",
        ],
    )[0]


def test_send_to_carrier_through_the_real_runner(rpc, sim):
    _account, carrier = _setup_carrier(rpc, sim)
    picking = _make_picking(rpc, carrier)
    rpc("stock.picking", "action_send_to_carrier", [picking])
    shipment = _wait_for(
        lambda: (s := _shipment(rpc, picking))["state"] == "label_created" and s
    )
    assert shipment["health"] == "ok"
    assert shipment["carrier_shipment_id"] in sim.shipments
    tracking = rpc("stock.picking", "read", [picking], ["carrier_tracking_ref"])[0]
    assert tracking["carrier_tracking_ref"] == shipment["tracking_ref"]
    assert shipment["label_attachment_id"]
    jobs = rpc(
        "queue.job",
        "search_read",
        [("identity_key", "=", shipment["idempotency_key"])],
        ["state", "channel"],
    )
    assert [(j["state"], j["channel"]) for j in jobs] == [
        ("done", "root.logistics.outbound.sim")
    ]
    created = [r for r in sim.requests if r["operation"] == "create_shipment"]
    assert (
        len([r for r in created if r["json"]["reference"] == _name(rpc, picking)]) == 1
    )


def _name(rpc, picking):
    return rpc("stock.picking", "read", [picking], ["name"])[0]["name"]


def test_transient_failure_is_retried_by_the_runner(rpc, sim):
    _account, carrier = _setup_carrier(rpc, sim)
    picking = _make_picking(rpc, carrier)
    name = _name(rpc, picking)
    sim.add_fault("create_shipment", 503)
    rpc("stock.picking", "action_send_to_carrier", [picking])
    shipment = _wait_for(
        lambda: (s := _shipment(rpc, picking))["state"] == "label_created" and s
    )
    assert shipment["dispatch_attempts"] == 1  # one failure counted, then success
    attempts = [
        r
        for r in sim.requests
        if r["operation"] == "create_shipment" and r["json"]["reference"] == name
    ]
    assert len(attempts) == 2
    assert len({r["json"]["reference"] for r in attempts}) == 1
    created = [s for s in sim.shipments.values() if s.get("reference") == name]
    assert len(created) == 1
    logs = rpc(
        "logistics.integration.log",
        "search_read",
        [
            ("shipment_id.picking_id", "=", picking),
            ("operation", "=", "create_shipment"),
        ],
        ["status_code"],
    )
    assert sorted(log["status_code"] for log in logs) == [201, 503]


def test_double_click_over_rpc_ships_once(rpc, sim):
    _account, carrier = _setup_carrier(rpc, sim)
    picking = _make_picking(rpc, carrier)
    name = _name(rpc, picking)
    rpc("stock.picking", "action_send_to_carrier", [picking])
    rpc("stock.picking", "action_send_to_carrier", [picking])
    _wait_for(lambda: _shipment(rpc, picking)["state"] == "label_created")
    time.sleep(1.0)  # give a (wrong) second job the time to run
    created = [s for s in sim.shipments.values() if s.get("reference") == name]
    assert len(created) == 1
    assert (
        rpc("logistics.shipment", "search_count", [("picking_id", "=", picking)]) == 1
    )


def test_poll_job_that_fetches_a_token_runs_once(rpc, sim):
    """A poll whose carrier call stores a new token on the account (on a cursor
    of its own) must not then fail on its own account write: the runner runs
    the job once, with no serialization failure and retry."""
    account, carrier = _setup_carrier(rpc, sim, poll_interval=1)
    picking = _make_picking(rpc, carrier)
    rpc("stock.picking", "action_send_to_carrier", [picking])
    shipment = _wait_for(
        lambda: (s := _shipment(rpc, picking))["state"] == "label_created" and s
    )
    sim.advance(shipment["carrier_shipment_id"], "in_transit", push=False)
    # no cached token: the poll's first call fetches and stores one
    rpc(
        "logistics.carrier.account",
        "write",
        [account],
        {"access_token": False, "token_expires_at": False},
    )
    cron = rpc(
        "ir.model.data",
        "search_read",
        [
            ("module", "=", "logistics_connector_base"),
            ("name", "=", "cron_poll_tracking"),
        ],
        ["res_id"],
    )[0]["res_id"]
    rpc("ir.cron", "method_direct_trigger", [cron])
    job = _wait_for(
        lambda: next(
            (
                j
                for j in rpc(
                    "queue.job",
                    "search_read",
                    [
                        ("method_name", "=", "_poll_tracking"),
                        ("records", "like", f'"ids": [{account}]'),
                        ("state", "in", ("done", "failed")),
                    ],
                    ["state", "retry", "exc_info"],
                )
            ),
            None,
        )
    )
    assert (job["state"], job["retry"]) == ("done", 1), job["exc_info"]
    assert _wait_for(lambda: _shipment(rpc, picking)["state"] == "in_transit")
    polled = rpc("logistics.carrier.account", "read", [account], ["last_poll_at"])
    assert polled[0]["last_poll_at"]
