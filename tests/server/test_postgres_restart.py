# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""PostgreSQL restarted during a load of dispatches and webhooks (issue 18).

The shared cluster must not be restarted: this module runs its own
PostgreSQL instance (``support.private_pg``), installs the suite in a new
database there (no demo data, a minute or two) and starts Odoo on it (2
workers, the real queue_job runner). Then, while delivery orders are being
sent to the carrier simulator and partner webhooks arrive one after the
other, PostgreSQL is stopped (every session ended, as a restart or a
fail-over does), stays down a few seconds and starts again. The Odoo server
is not restarted. Afterwards:

- every delivery order is shipped once: label created in Odoo, that very
  shipment at the carrier, never two live shipments for one order;
- every webhook answered 2xx is applied once; those answered 5xx (or not
  answered) while the database was down are sent again, as a carrier does,
  and then applied once; none is answered 4xx (a carrier does not resend
  those: the event would be lost);
- new work (a dispatch, a webhook) goes through on the same server.
"""

import collections
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from server._dispatch_helpers import (
    CHANNELS,
    create_calls,
    make_picking,
    picking_name,
    setup_carrier,
    shipment_of,
)
from support.odoo_server import OdooServer, install_database
from support.private_pg import ERRORS_WHILE_DOWN, PrivatePostgres
from support.server_rpc import wait_until

import odoo

from logistics_carriers import generic_signature

DB = "logistics_pg_restart"
SHIPMENTS = 24
DOWN_FOR = 5.0
PARTNER_SECRET = "whsec_" + "cGctcmVzdGFydC1wYXJ0bmVyLXNlY3JldC0zMi1ieXRlcyE="


@pytest.fixture(scope="module")
def private_pg():
    with PrivatePostgres() as pg:
        yield pg


@pytest.fixture(scope="module")
def odoo_server(private_pg):
    """Overrides the layer's server: this one runs on the private instance."""
    config = odoo.tools.config
    install_database(config.rcfile, DB, ["logistics_suite"], private_pg.odoo_args())
    with OdooServer(
        config.rcfile,
        DB,
        channels=CHANNELS,
        extra_args=private_pg.odoo_args(),
    ) as server:
        yield server


def _partner_push(url, event_id, number, when):
    event = {
        "event_id": event_id,
        "code": "in_transit",
        "tracking_number": number,
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": "Hamburg DC",
    }
    body = json.dumps({"events": [event]}).encode()
    headers = generic_signature.sign_headers(f"msg-{event_id}", body, PARTNER_SECRET)
    headers["Content-Type"] = "application/json"
    return url, body, headers


def _post(url, body, headers, timeout=30):
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0  # no answer: a carrier sends it again


class WebhookLoad(threading.Thread):
    """A carrier pushing events one after the other until stopped."""

    def __init__(self, url, number):
        super().__init__(daemon=True)
        self.url, self.number = url, number
        self.start_at = datetime.now(timezone.utc).replace(microsecond=0)
        self.sent = {}  # event id -> (request, first answer's status)
        self.stopping = threading.Event()

    def run(self):
        index = 0
        while not self.stopping.is_set():
            event_id = f"pgr-{uuid.uuid4().hex}"
            when = self.start_at + timedelta(seconds=index)
            request = _partner_push(self.url, event_id, self.number, when)
            self.sent[event_id] = (request, _post(*request))
            index += 1
            time.sleep(0.05)


def _batch_of_pickings(rpc, template, count):
    tpl = rpc(
        "stock.picking",
        "read",
        [template],
        [
            "partner_id",
            "picking_type_id",
            "location_id",
            "location_dest_id",
            "carrier_id",
        ],
    )[0]
    move = rpc(
        "stock.move",
        "search_read",
        [("picking_id", "=", template)],
        ["product_id", "product_uom"],
    )[0]
    vals = {
        "partner_id": tpl["partner_id"][0],
        "picking_type_id": tpl["picking_type_id"][0],
        "location_id": tpl["location_id"][0],
        "location_dest_id": tpl["location_dest_id"][0],
        "carrier_id": tpl["carrier_id"][0],
        "move_ids": [
            (
                0,
                0,
                {
                    "name": "Restart item",
                    "product_id": move["product_id"][0],
                    "product_uom_qty": 1,
                    "product_uom": move["product_uom"][0],
                    "location_id": tpl["location_id"][0],
                    "location_dest_id": tpl["location_dest_id"][0],
                },
            )
        ],
    }
    pickings = rpc("stock.picking", "create", [vals] * count)
    rpc("stock.picking", "action_confirm", pickings)
    return pickings


def _live_at_carrier(sim, reference):
    return [
        s["shipment_id"]
        for s in sim.shipments.values()
        if s.get("reference") == reference and s["status"] != "cancelled"
    ]


# Odoo and queue_job log these themselves while the database is down (each
# allowed record holds a connection error): see support.private_pg
@pytest.mark.allow_server_errors(*ERRORS_WHILE_DOWN)
def test_postgres_restart_loses_and_duplicates_nothing(
    odoo_server, rpc, sim, private_pg, server_log
):
    server = odoo_server
    master_pid = server.proc.pid
    _account, carrier = setup_carrier(rpc, sim)
    tag = uuid.uuid4().hex[:8]
    rpc(
        "logistics.carrier.account",
        "create",
        {
            "name": f"Partner {tag}",
            "carrier_code": "generic",
            "webhook_token": f"pgr-{tag}",
            "webhook_secret": PARTNER_SECRET,
            "poll_interval": 0,
        },
    )
    url = f"{server.url}/logistics/webhook/generic/pgr-{tag}"
    first = make_picking(rpc, carrier)
    rpc("stock.picking", "action_send_to_carrier", [first])
    tracked = wait_until(
        lambda: (s := shipment_of(rpc, first))["state"] == "label_created" and s,
        message="first label",
    )
    number = tracked["tracking_ref"].split(",")[0]

    # the load: dispatches in flight (every carrier call takes 0.3 s) and a
    # carrier pushing events, when PostgreSQL goes down
    pickings = _batch_of_pickings(rpc, first, SHIPMENTS)
    sim.set_latency(0.3)
    load = WebhookLoad(url, number)
    load.start()
    rpc("stock.picking", "action_send_to_carrier", pickings)
    time.sleep(1.5)
    private_pg.restart(down_for=DOWN_FOR)
    restarted_at = time.time()
    time.sleep(5)
    load.stopping.set()
    load.join(60)
    sim.set_latency(0)

    answers = [status for _request, status in load.sent.values()]
    # the database down: 503 (db_unavailable.py) or 500 (a request whose
    # connection died), never a 4xx
    assert 503 in answers, collections.Counter(answers)
    refused = sorted({s for s in answers if 400 <= s < 500})
    assert not refused, f"webhooks answered {refused}: a carrier does not resend"
    unanswered = [r for r, status in load.sent.values() if not 200 <= status < 300]
    print(
        f"\nPostgreSQL down {DOWN_FOR:.0f} s: {len(answers)} webhooks sent, "
        f"{len(unanswered)} answered 5xx or not at all "
        f"{dict(collections.Counter(answers))}"
    )
    assert unanswered, "the outage was not seen by the webhooks: no fault tested"
    # the carrier sends again what got no 2xx, until it gets one
    for request in unanswered:
        wait_until(
            lambda request=request: 200 <= _post(*request) < 300,
            timeout=60,
            interval=1,
            message="a resent webhook answered 2xx",
        )

    # nothing lost: every delivery order ends shipped (a job that died with
    # its connection is requeued; an in-flight call is resolved by look-up)
    def all_shipped():
        shipments = [shipment_of(rpc, p) for p in pickings]
        if all(s and s["state"] == "label_created" for s in shipments):
            return shipments
        return None

    shipments = wait_until(all_shipped, timeout=300, interval=2, message="all shipped")
    print(
        f"{SHIPMENTS} dispatches: all shipped {time.time() - restarted_at:.0f} s "
        f"after the restart, {sim.count('lookup')} look-up(s) at the carrier"
    )
    for picking, shipment in zip(pickings, shipments, strict=True):
        reference = picking_name(rpc, picking)
        assert shipment["health"] == "ok", (reference, shipment)
        assert shipment["label_attachment_id"], reference
        # nothing created twice at the carrier
        assert _live_at_carrier(sim, reference) == [shipment["carrier_shipment_id"]]
        assert len(create_calls(sim, reference)) >= 1

    # every event applied once
    event_ids = list(load.sent)
    inbox = wait_until(
        lambda: (
            (
                rows := rpc(
                    "logistics.inbound.message",
                    "search_read",
                    [("message_key", "in", [f"msg-{e}" for e in event_ids])],
                    ["state", "message_key", "error"],
                )
            )
            and len(rows) == len(event_ids)
            and all(r["state"] == "done" for r in rows)
            and rows
        ),
        timeout=120,
        message="every webhook stored and drained",
    )
    assert len(inbox) == len(event_ids)
    events = rpc(
        "logistics.shipment.event",
        "search_read",
        [("shipment_id", "=", tracked["id"]), ("code", "=", "in_transit")],
        ["dedupe_key"],
    )
    keys = [e["dedupe_key"] for e in events]
    assert len(keys) == len(set(keys)), "an event applied twice"
    assert sorted(k.rsplit("-", 1)[-1] for k in keys) == sorted(
        e.rsplit("-", 1)[-1] for e in event_ids
    )

    # recovered without a restart: the same server takes new work
    assert server.proc.poll() is None and server.proc.pid == master_pid
    after = _batch_of_pickings(rpc, first, 1)[0]
    rpc("stock.picking", "action_send_to_carrier", [after])
    wait_until(
        lambda: shipment_of(rpc, after)["state"] == "label_created",
        timeout=60,
        message="a dispatch after the restart",
    )
    fresh = f"pgr-{uuid.uuid4().hex}"
    assert _post(*_partner_push(url, fresh, number, datetime.now(timezone.utc))) == 200
