# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A call whose outcome is ambiguous, on a running server (issue 18, item 6).

The adapter knows at once that a connection reset after the request was sent,
or a read timeout, may have created the shipment. The suite must act at once:
ask the carrier where its API allows (simulator: look-up), otherwise open an
"unknown outcome" exception for a supervisor (UPS has no look-up and no
idempotency key); never send again blindly, never wait for a lease to expire.
"""

import time

import pytest
from server._dispatch_helpers import (
    USA,
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

from logistics_simulators.ups.server import UpsSimulatorServer


@pytest.fixture(scope="module")
def ups_sim():
    with UpsSimulatorServer() as server:
        yield server


@pytest.fixture(scope="module")
def server(odoo_server):
    """The running server of tests/server/conftest.py (workers, real runner)."""
    return odoo_server


def test_reset_after_send_to_ups_is_an_unknown_outcome_at_once(
    request, server, rpc, ups_sim
):
    log = LogMark(server)
    values = ups_sim.account_values()
    _account, carrier = setup_carrier(
        rpc,
        ups_sim,
        carrier_code="ups",
        service="03",
        client_id=values["client_id"],
        client_secret=values["client_secret"],
        account_number=values["account_number"],
        label_format="GIF",
    )
    picking = make_picking(rpc, carrier, where=USA)
    # the other tests ship from Germany again
    request.addfinalizer(lambda: make_picking(rpc, carrier))
    ups_sim.reset()
    ups_sim.add_fault("create_shipment", None, action="reset")
    started = time.time()
    rpc("stock.picking", "action_send_to_carrier", [picking])
    shipment = wait_for(
        lambda: (s := shipment_of(rpc, picking))["health"] == "exception" and s,
        timeout=60,
        message="unknown outcome",
    )
    surfaced_after = time.time() - started
    assert surfaced_after < 30, f"surfaced after {surfaced_after:.0f} s"
    assert shipment["exception_category"] == "unknown_outcome"
    (exception,) = open_exceptions(rpc, shipment["id"])
    assert exception["category"] == "unknown_outcome"
    assert exception["user_id"] and exception["activity_ids"]
    assert "NOT sent again" in exception["message"]
    (job,) = jobs_of(rpc, shipment)
    assert job["state"] == "done", job["exc_info"]
    # the key stays in flight: a requeued job would not send either
    assert ledger_state(rpc, shipment["idempotency_key"])["state"] == "in_flight"
    time.sleep(5)
    assert ups_sim.count("create_shipment") == 1, "never sent again blindly"
    print(f"\nUPS reset after send: unknown outcome surfaced in {surfaced_after:.1f} s")

    # a supervisor verified at UPS that it is not there: resent, once
    rpc("logistics.shipment", "action_confirm_not_sent", [shipment["id"]])
    done = wait_for(
        lambda: (
            (s := read_shipment(rpc, shipment["id"]))["state"] == "label_created" and s
        ),
        timeout=60,
        message="resent after confirmation",
    )
    assert done["health"] == "ok"
    assert ups_sim.count("create_shipment") == 2
    assert len(ups_sim.shipments) == 1
    log.assert_clean()


def test_lost_answer_is_resolved_by_lookup_at_once(server, rpc, sim):
    log = LogMark(server)
    _account, carrier = setup_carrier(rpc, sim, read_timeout=1.0)
    picking = make_picking(rpc, carrier)
    reference = picking_name(rpc, picking)
    # the carrier creates the shipment, its answer comes after our timeout
    sim.add_fault("create_shipment", None, action="timeout", delay=4.0)
    lookups = sim.count("lookup")
    started = time.time()
    rpc("stock.picking", "action_send_to_carrier", [picking])
    shipment = wait_for(
        lambda: (s := shipment_of(rpc, picking))["state"] == "label_created" and s,
        timeout=60,
        message="label created",
    )
    elapsed = time.time() - started
    assert elapsed < 20, f"resolved after {elapsed:.0f} s"
    assert shipment["health"] == "ok"
    assert shipment["dispatch_attempts"] == 0, "resolved in the same run"
    assert shipment["label_attachment_id"], "the label was fetched"
    assert len(create_calls(sim, reference)) == 1
    assert sim.count("lookup") == lookups + 1
    created = [s for s in sim.shipments.values() if s.get("reference") == reference]
    assert [c["shipment_id"] for c in created] == [shipment["carrier_shipment_id"]]
    print(f"\nLost answer resolved by look-up in {elapsed:.1f} s")
    log.assert_clean()
