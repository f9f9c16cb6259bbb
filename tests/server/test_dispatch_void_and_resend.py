# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Void and resend on a running server (issue 18, item 3).

A void at the carrier followed by work that rolls back used to leave Odoo
showing a label the carrier had voided. Pre-flight now runs first and the
void comes last: whatever fails, Odoo and the carrier agree afterwards, and
cancelling a shipment that is already cancelled is a success.
"""

import xmlrpc.client

import pytest
from server._dispatch_helpers import (
    LogMark,
    make_picking,
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


def _at_carrier(sim, reference):
    return {
        s["shipment_id"]: s["status"]
        for s in sim.shipments.values()
        if s.get("reference") == reference
    }


def test_void_and_resend_with_failing_preflight_keeps_both_sides_agreed(
    server, rpc, sim
):
    log = LogMark(server)
    _account, carrier = setup_carrier(rpc, sim)
    picking = make_picking(rpc, carrier)
    reference = picking_name(rpc, picking)
    rpc("stock.picking", "action_send_to_carrier", [picking])
    first = wait_for(
        lambda: (s := shipment_of(rpc, picking))["state"] == "label_created" and s,
        message="label created",
    )
    tracking = first["tracking_ref"]
    assert _at_carrier(sim, reference) == {
        first["carrier_shipment_id"]: "label_created"
    }

    # the address lost its street: the new shipment could not be sent
    partner = rpc("stock.picking", "read", [picking], ["partner_id"])[0]["partner_id"]
    rpc("res.partner", "write", [partner[0]], {"street": False})
    cancels = sim.count("cancel_shipment")
    with pytest.raises(xmlrpc.client.Fault, match="Add the street"):
        rpc("stock.picking", "action_logistics_void_and_resend", [picking])
    # nothing was voided: the label Odoo shows is live at the carrier
    assert sim.count("cancel_shipment") == cancels
    assert _at_carrier(sim, reference) == {
        first["carrier_shipment_id"]: "label_created"
    }
    again = shipment_of(rpc, picking)
    assert (again["id"], again["state"], again["tracking_ref"]) == (
        first["id"],
        "label_created",
        tracking,
    )
    data = rpc("stock.picking", "read", [picking], ["carrier_tracking_ref"])[0]
    assert data["carrier_tracking_ref"] == tracking

    # corrected: voided at the carrier and sent again
    rpc("res.partner", "write", [partner[0]], {"street": "Friedrichstraße 123"})
    rpc("stock.picking", "action_logistics_void_and_resend", [picking])
    second = wait_for(
        lambda: (
            (s := shipment_of(rpc, picking))["state"] == "label_created"
            and s["id"] != first["id"]
            and s
        ),
        message="new label created",
    )
    assert read_shipment(rpc, first["id"])["state"] == "cancelled"
    assert sim.count("cancel_shipment") == cancels + 1
    assert _at_carrier(sim, reference) == {
        first["carrier_shipment_id"]: "cancelled",
        second["carrier_shipment_id"]: "label_created",
    }
    # a cancel retried on the cancelled shipment is a success, not a call
    assert rpc("logistics.shipment", "action_cancel_at_carrier", [first["id"]])
    assert sim.count("cancel_shipment") == cancels + 1
    log.assert_clean()
