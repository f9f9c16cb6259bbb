# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Transient failures to exhaustion, on a running server (issue 18, item 2).

The carrier answers 503 to every create call; the circuit breaker opens on
the way. The shipment must be dead-lettered at exactly
``max_dispatch_attempts`` calls, with an exception that has an owner and an
activity, every attempt's log row kept, no serialization failure in the
server log, and a replay must then ship it once.
"""

import time

import pytest
from server._dispatch_helpers import (
    LogMark,
    create_calls,
    jobs_of,
    ledger_state,
    make_picking,
    open_exceptions,
    picking_name,
    read_shipment,
    setup_carrier,
    shipment_of,
    wait_for,
)


@pytest.fixture(scope="module")
def server(odoo_server):
    """The running server of tests/server/conftest.py (workers, real runner)."""
    return odoo_server


def test_dead_letter_at_exactly_max_attempts_under_open_breaker(server, rpc, sim):
    log = LogMark(server)
    account, carrier = setup_carrier(
        rpc,
        sim,
        max_dispatch_attempts=3,
        breaker_threshold=2,  # opens after the second failure
        breaker_cooldown=3,
    )
    picking = make_picking(rpc, carrier)
    reference = picking_name(rpc, picking)
    sim.add_fault("create_shipment", 503, times=None)
    rpc("stock.picking", "action_send_to_carrier", [picking])

    shipment = wait_for(
        lambda: (s := shipment_of(rpc, picking))["health"] == "exception" and s,
        timeout=120,
        message="dead letter",
    )
    assert len(create_calls(sim, reference)) == 3
    assert shipment["state"] == "queued"
    assert shipment["exception_category"] == "dispatch_failed"
    assert shipment["dispatch_attempts"] == 3
    assert not shipment["rerouted_to_id"]
    # the breaker opened on the way (a failed half-open trial re-opens it)
    breaker = rpc(
        "logistics.carrier.account",
        "read",
        [account],
        ["breaker_failures", "breaker_open_until"],
    )[0]
    assert breaker["breaker_failures"] == 3
    assert breaker["breaker_open_until"]
    (exception,) = open_exceptions(rpc, shipment["id"])
    assert exception["category"] == "dispatch_failed"
    assert exception["user_id"], "the dead letter has an owner"
    assert exception["activity_ids"], "and an activity to act on it"
    # every failed attempt kept its log row
    logs = rpc(
        "logistics.integration.log",
        "search_read",
        [("shipment_id", "=", shipment["id"]), ("operation", "=", "create_shipment")],
        ["status_code"],
    )
    assert [entry["status_code"] for entry in logs] == [503, 503, 503]
    (job,) = jobs_of(rpc, shipment)
    assert job["state"] == "done", job["exc_info"]
    assert ledger_state(rpc, shipment["idempotency_key"])["state"] == "failed"
    time.sleep(4)  # past the cool-down: nothing is sent any more
    assert len(create_calls(sim, reference)) == 3

    # the carrier is back: a replay ships it, once
    sim.clear_faults()
    rpc("logistics.shipment", "action_replay", [shipment["id"]])
    done = wait_for(
        lambda: (
            (s := read_shipment(rpc, shipment["id"]))["state"] == "label_created" and s
        ),
        timeout=60,
        message="replayed shipment created",
    )
    assert done["health"] == "ok"
    assert done["label_attachment_id"]
    assert len(create_calls(sim, reference)) == 4
    created = [s for s in sim.shipments.values() if s.get("reference") == reference]
    assert len(created) == 1
    assert not open_exceptions(rpc, shipment["id"])
    log.assert_clean()
