# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A worker killed (SIGKILL) in the middle of a carrier call (issue 18).

The worker running the dispatch job dies while the carrier is creating the
shipment. The queue_job runner requeues the dead job; the rerun finds the
idempotency key in flight, waits for its lease, then asks the carrier (look-up)
and takes the shipment the dead worker created: it is never sent again.
"""

import signal
import time
from urllib.parse import urlparse

import pytest
from server._dispatch_helpers import (
    LogMark,
    create_calls,
    jobs_of,
    make_picking,
    picking_name,
    setup_carrier,
    shipment_of,
    wait_for,
    workers_talking_to,
)


@pytest.fixture(scope="module")
def server(odoo_server):
    """The running server of tests/server/conftest.py (workers, real runner)."""
    return odoo_server


def test_worker_killed_mid_call_is_resolved_by_lookup_not_resent(server, rpc, sim):
    log = LogMark(server)
    # lease = (connect + read) * 3 + 60 s = 78 s
    _account, carrier = setup_carrier(rpc, sim, read_timeout=5.0)
    picking = make_picking(rpc, carrier)
    reference = picking_name(rpc, picking)
    # the carrier takes 4 s and then creates the shipment, whoever listens
    sim.add_fault("create_shipment", None, delay=4.0)
    rpc("stock.picking", "action_send_to_carrier", [picking])
    wait_for(lambda: create_calls(sim, reference), timeout=60, message="call made")
    # past the runner's own 1 s wait for the job request (its GET times out
    # normally), the worker is still waiting for the carrier
    time.sleep(1.5)
    port = urlparse(sim.url).port
    (worker,) = wait_for(
        lambda: workers_talking_to(server, port), timeout=5, message="worker found"
    )
    worker.send_signal(signal.SIGKILL)
    killed_at = time.time()
    wait_for(
        lambda: [s for s in sim.shipments.values() if s.get("reference") == reference],
        timeout=10,
        message="created at the carrier by the dead worker's call",
    )
    # other traffic wakes the runner, which requeues the dead job
    time.sleep(11)
    other = make_picking(rpc, carrier)
    rpc("stock.picking", "action_send_to_carrier", [other])

    shipment = wait_for(
        lambda: (s := shipment_of(rpc, picking))["state"] == "label_created" and s,
        timeout=180,
        message="recovered",
    )
    recovered_after = time.time() - killed_at
    assert shipment["health"] == "ok"
    assert shipment["label_attachment_id"]
    assert len(create_calls(sim, reference)) == 1, "never sent again blindly"
    created = [s for s in sim.shipments.values() if s.get("reference") == reference]
    assert [c["shipment_id"] for c in created] == [shipment["carrier_shipment_id"]]
    assert sim.count("lookup") >= 1
    (job,) = jobs_of(rpc, shipment)
    assert job["state"] == "done", job["exc_info"]
    print(f"\nWorker killed mid-call: recovered by look-up in {recovered_after:.0f} s")
    log.assert_clean()
