# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A click on many delivery orders, dispatched in one batch job, on a
running server (issue 19: dispatch throughput).

One job sends the five shipments of one account. The carrier refuses the
first two calls (503): those two shipments get jobs of their own and are
sent on retry; the others are sent by the batch. Each shipment is created
at the carrier exactly once, each refused one counted one failed attempt
(committed on a cursor of its own, so the batch's savepoint rollback keeps
it: in Odoo's test mode it would not), and the server logged no ERROR.
"""

import json

from server._dispatch_helpers import (
    LogMark,
    create_calls,
    make_picking,
    picking_name,
    setup_carrier,
    shipment_of,
    wait_for,
)


def test_click_on_five_orders_is_one_batch_job_and_each_ships_once(
    odoo_server, rpc, sim
):
    log = LogMark(odoo_server)
    _account, carrier = setup_carrier(rpc, sim, max_dispatch_attempts=3)
    pickings = [make_picking(rpc, carrier) for _ in range(5)]
    references = [picking_name(rpc, picking) for picking in pickings]
    sim.add_fault("create_shipment", 503, times=2)
    tokens = sim.count("token")
    rpc("stock.picking", "action_send_to_carrier", pickings)

    shipments = wait_for(
        lambda: (
            (found := [shipment_of(rpc, p) for p in pickings])
            and all(s["state"] == "label_created" for s in found)
            and found
        ),
        timeout=120,
        message="five shipments labelled",
    )
    # one token for the new account: the batch's later shipments use the one
    # its first shipment stored (their job's snapshot began before it)
    assert sim.count("token") - tokens == 1
    calls = {ref: create_calls(sim, ref) for ref in references}
    assert sum(len(c) for c in calls.values()) == 7, calls  # 5 + 2 refused
    for reference in references:
        created = [s for s in sim.shipments.values() if s.get("reference") == reference]
        assert len(created) == 1, reference
    # the two refused ones counted one failed attempt each, kept by the
    # cursor of their own although the batch rolled their savepoint back
    retried = sorted(s["dispatch_attempts"] for s in shipments)
    assert retried == [0, 0, 0, 1, 1]
    assert all(s["health"] == "ok" for s in shipments)

    ids = [s["id"] for s in shipments]
    batch = rpc(
        "queue.job",
        "search_read",
        [("method_name", "=", "_dispatch_batch")],
        ["state", "record_ids", "result"],
        order="id desc",
        limit=1,
    )[0]
    record_ids = batch["record_ids"]
    if isinstance(record_ids, str):  # a serialized field reads as JSON text
        record_ids = json.loads(record_ids)
    assert sorted(record_ids) == sorted(ids)
    assert batch["state"] == "done"
    own = rpc(
        "queue.job",
        "search_read",
        [("identity_key", "in", [s["idempotency_key"] for s in shipments])],
        ["state", "method_name"],
    )
    assert [j["method_name"] for j in own] == ["_dispatch", "_dispatch"]
    assert {j["state"] for j in own} == {"done"}
    log.assert_clean()
