# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the real-server tests do over HTTP and XML-RPC (no ORM).

Set-up of carriers and pickings as a user's script would do it, waiting for
an asynchronous outcome, and sending webhooks all at once.
"""

import threading
import time
import urllib.error
import urllib.request
import uuid


def wait_until(predicate, timeout=90, interval=0.3, message="condition"):
    """Poll ``predicate`` until it returns a truthy value (returned)."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"{message} not reached within {timeout}s")
        time.sleep(interval)


# -- shared set-up over XML-RPC (no ORM in the test process) -------------------
def make_sim_carrier(rpc, sim, **account_vals):
    """A ``sim`` carrier account on the simulator ``sim`` and its shipping
    method: ``(account id, delivery.carrier id)``."""
    tag = uuid.uuid4().hex[:8]
    account = rpc(
        "logistics.carrier.account",
        "create",
        {
            "name": f"Server sim {tag}",
            "carrier_code": "sim",
            "api_base_url": sim.url,
            "client_id": "server",
            "client_secret": "server-secret",
            "retry_base_delay": 1,
            "retry_max_delay": 2,
            **account_vals,
        },
    )
    product = rpc(
        "product.product", "create", {"name": f"Ship {tag}", "type": "service"}
    )
    carrier = rpc(
        "delivery.carrier",
        "create",
        {
            "name": f"Server carrier {tag}",
            "delivery_type": "logistics_sim",
            "product_id": product,
            "logistics_account_id": account,
            "logistics_service_code": "SIM_STD",
        },
    )
    return account, carrier


def make_picking(rpc, carrier, weight=2.5):
    """A confirmed outgoing delivery order (DE) shipped with ``carrier``."""
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
            "name": "Server Customer",
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
        {"name": "Server item", "type": "consu", "weight": weight},
    )
    picking_type = rpc(
        "stock.picking.type", "search", [("code", "=", "outgoing")], limit=1
    )[0]
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
                        "name": "Server item",
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
    "state",
    "health",
    "tracking_ref",
    "carrier_shipment_id",
    "label_attachment_id",
    "dispatch_attempts",
    "idempotency_key",
]


def shipment_of(rpc, picking, fields=SHIPMENT_FIELDS):
    """The picking's shipment (read over XML-RPC), or None."""
    data = rpc("stock.picking", "read", [picking], ["logistics_shipment_id"])[0]
    if not data["logistics_shipment_id"]:
        return None
    shipment_id = data["logistics_shipment_id"][0]
    return rpc("logistics.shipment", "read", [shipment_id], ["id", *fields])[0]


def ship(rpc, carrier, timeout=90):
    """Send a new picking to the carrier through the real runner; its
    shipment once ``label_created``."""
    picking = make_picking(rpc, carrier)
    rpc("stock.picking", "action_send_to_carrier", [picking])
    return wait_until(
        lambda: (
            (s := shipment_of(rpc, picking)) and s["state"] == "label_created" and s
        ),
        timeout=timeout,
        message="label_created",
    )


def post_concurrently(requests_, timeout=60):
    """POST ``[(url, body bytes, headers)]`` all at once (one thread each,
    released together): ``[(status, text, seconds)]`` in order; status 0
    when the server could not be reached."""
    barrier = threading.Barrier(len(requests_))
    results = [None] * len(requests_)

    def one(index, url, body, headers):
        request = urllib.request.Request(url, data=body, headers=headers)
        barrier.wait()
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode(errors="replace")
        except OSError as err:
            status, text = 0, str(err)
        results[index] = (status, text, time.monotonic() - start)

    threads = [
        threading.Thread(target=one, args=(i, *req)) for i, req in enumerate(requests_)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
