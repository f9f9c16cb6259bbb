# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The generic carrier simulator itself: protocol, faults, control API."""

import base64
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from logistics_simulators.generic import (
    SimulatorServer,
    build_pdf_label,
)

PYLIB = str(Path(__file__).resolve().parents[2] / "pylib")
SHIPMENT = {
    "reference": "WH/OUT/1",
    "service": "SIM_STD",
    "shipper": {"country_code": "DE", "zip": "20095", "city": "Hamburg"},
    "recipient": {
        "name": "Jakob",
        "street": "Birkenweg 12",
        "city": "Berlin",
        "zip": "10115",
        "country_code": "DE",
    },
    "parcels": [{"weight_kg": 1.2}],
    "label_format": "PDF",
}


@pytest.fixture
def http():
    session = requests.Session()
    yield session
    session.close()


def _token(sim, http):
    response = http.post(
        sim.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("id", "secret"),
        timeout=5,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    return {"Authorization": "Bearer " + body["access_token"]}


def test_keep_alive_http11(sim, http):
    auth = _token(sim, http)
    first = http.get(sim.url + "/v1/tracking?numbers=X", headers=auth, timeout=5)
    second = http.get(sim.url + "/v1/tracking?numbers=Y", headers=auth, timeout=5)
    assert first.raw.version == 11
    assert first.headers.get("Connection") != "close"
    ports = {r["client_port"] for r in sim.requests}
    assert len(sim.requests) == 3
    assert len(ports) == 1  # token + two calls on one TCP connection
    assert second.json()["results"][0]["error"]["code"] == "not_found"


def test_token_errors(sim, http):
    response = http.post(
        sim.url + "/oauth/token", data={"grant_type": "password"}, auth=("a", "b")
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    with SimulatorServer(credentials={"id": "good"}) as strict:
        bad = http.post(
            strict.url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("id", "bad"),
        )
        assert bad.status_code == 401
        assert bad.json()["error"] == "invalid_client"
        assert "error_description" in bad.json()


def test_unknown_and_expired_tokens(sim, http):
    unknown = http.get(
        sim.url + "/v1/tracking?numbers=X", headers={"Authorization": "Bearer nope"}
    )
    assert unknown.status_code == 401
    assert unknown.json() == {
        "error": "token_expired",
        "error_description": "Token expired or unknown",
    }
    auth = _token(sim, http)
    assert http.get(sim.url + "/v1/tracking?numbers=X", headers=auth).status_code == 200
    sim.expire_tokens()
    expired = http.get(sim.url + "/v1/tracking?numbers=X", headers=auth)
    assert expired.status_code == 401
    assert expired.json()["error"] == "token_expired"
    with SimulatorServer(token_ttl=0) as short:
        token = http.post(
            short.url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("a", "b"),
        ).json()["access_token"]
        time.sleep(0.01)
        late = http.get(
            short.url + "/v1/tracking?numbers=X",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert late.status_code == 401


def test_create_replay_header_and_shapes(sim, http):
    auth = _token(sim, http)
    headers = {**auth, "Idempotency-Key": "k-1"}
    first = http.post(sim.url + "/v1/shipments", json=SHIPMENT, headers=headers)
    assert first.status_code == 201
    body = first.json()
    assert set(body) >= {"shipment_id", "tracking_numbers", "labels", "charges"}
    assert body["charges"] == {"amount": "6.86", "currency": "EUR"}
    label = body["labels"][0]
    assert label["format"] == "PDF"
    assert label["tracking_number"] == body["tracking_numbers"][0]
    assert base64.b64decode(label["content_b64"]).startswith(b"%PDF-")
    again = http.post(sim.url + "/v1/shipments", json=SHIPMENT, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["shipment_id"] == body["shipment_id"]
    assert sim.count("create_shipment") == 2
    assert len(sim.shipments) == 1
    lookup = http.get(sim.url + "/v1/shipments?reference=WH/OUT/1", headers=auth)
    assert [s["shipment_id"] for s in lookup.json()["shipments"]] == [
        body["shipment_id"]
    ]


def test_reset_after_creates_then_drops_the_connection(sim, http):
    """The answer is lost, the work is done: the look-up finds it."""
    auth = _token(sim, http)
    sim.add_fault("create_shipment", None, action="reset_after")
    with pytest.raises(requests.ConnectionError):
        http.post(sim.url + "/v1/shipments", json=SHIPMENT, headers=auth, timeout=5)
    (created,) = sim.shipments.values()
    assert created["reference"] == "WH/OUT/1"
    lookup = http.get(sim.url + "/v1/shipments?reference=WH/OUT/1", headers=auth)
    assert [s["shipment_id"] for s in lookup.json()["shipments"]] == [
        created["shipment_id"]
    ]


def test_validation_shape(sim, http):
    auth = _token(sim, http)
    bad = dict(SHIPMENT, recipient={"country_code": "DE"}, parcels=[{"weight_kg": -1}])
    response = http.post(sim.url + "/v1/shipments", json=bad, headers=auth)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {
        "recipient.street",
        "recipient.city",
        "recipient.zip",
        "parcels[0].weight_kg",
    }
    assert all(e["code"] and e["message"] for e in errors)


def test_fault_times_is_thread_safe(sim, http):
    auth = _token(sim, http)
    sim.add_fault("tracking", 503, times=5)

    def call(_):
        with requests.Session() as session:
            return [
                session.get(
                    sim.url + "/v1/tracking?numbers=X", headers=auth, timeout=5
                ).status_code
                for _ in range(5)
            ]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = [s for batch in pool.map(call, range(20)) for s in batch]
    assert len(statuses) == 100
    assert statuses.count(503) == 5
    assert statuses.count(200) == 95
    assert sim.count("tracking") == 100


def test_fault_forever_delay_and_reset(sim, http):
    auth = _token(sim, http)
    sim.add_fault("tracking", 500, times=None)
    for _ in range(3):
        assert (
            http.get(sim.url + "/v1/tracking?numbers=X", headers=auth).status_code
            == 500
        )
    sim.reset()
    auth = _token(sim, http)
    sim.add_fault("tracking", None, delay=0.3)  # slow but normal answer
    start = time.monotonic()
    response = http.get(sim.url + "/v1/tracking?numbers=X", headers=auth)
    assert response.status_code == 200
    assert time.monotonic() - start >= 0.3
    with pytest.raises(ValueError):
        sim.add_fault("teleport")
    with pytest.raises(ValueError):
        sim.add_fault("tracking", action="explode")


def test_set_latency(sim, http):
    auth = _token(sim, http)
    sim.set_latency(0.5)
    start = time.monotonic()
    http.get(sim.url + "/v1/tracking?numbers=X", headers=auth)
    assert time.monotonic() - start >= 0.5
    sim.set_latency(0)
    start = time.monotonic()
    http.get(sim.url + "/v1/tracking?numbers=X", headers=auth)
    assert time.monotonic() - start < 0.4


def test_http_control_endpoints(sim, http):
    created = http.post(
        sim.url + "/_sim/faults",
        json={"operation": "tracking", "status": 429, "headers": {"Retry-After": "3"}},
    )
    assert created.status_code == 201
    auth = _token(sim, http)
    limited = http.get(sim.url + "/v1/tracking?numbers=X", headers=auth)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert http.post(sim.url + "/_sim/expire-tokens").status_code == 200
    assert http.get(sim.url + "/v1/tracking?numbers=X", headers=auth).status_code == 401
    recorded = http.get(sim.url + "/_sim/requests").json()
    assert recorded["counts"] == {"token": 1, "tracking": 2}
    assert [r["operation"] for r in recorded["requests"]] == [
        "token",
        "tracking",
        "tracking",
    ]
    bad = http.post(sim.url + "/_sim/faults", json={"operation": "nope"})
    assert bad.status_code == 400
    assert http.post(sim.url + "/_sim/reset").status_code == 200
    assert sim.requests == []
    assert http.get(sim.url + "/_sim/health").json()["status"] == "ok"


def test_http_events_endpoint_advances(sim, http):
    auth = _token(sim, http)
    created = http.post(sim.url + "/v1/shipments", json=SHIPMENT, headers=auth).json()
    number = created["tracking_numbers"][0]
    response = http.post(
        sim.url + "/_sim/events",
        json={"tracking_number": number, "status": "delivered"},
    )
    assert response.status_code == 201
    tracking = http.get(sim.url + f"/v1/tracking?numbers={number}", headers=auth)
    statuses = [e["status"] for e in tracking.json()["results"][0]["events"]]
    assert statuses == ["label_created", "delivered"]
    assert sim.shipments[created["shipment_id"]]["status"] == "delivered"
    cancel = http.delete(
        sim.url + f"/v1/shipments/{created['shipment_id']}", headers=auth
    )
    assert cancel.status_code == 409
    missing = http.post(sim.url + "/_sim/events", json={"tracking_number": "NOPE"})
    assert missing.status_code == 404


def test_auto_advance_moves_shipments_to_delivered(sim, http):
    sim.configure(auto_advance=0.05)
    auth = _token(sim, http)
    created = http.post(sim.url + "/v1/shipments", json=SHIPMENT, headers=auth).json()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if sim.shipments[created["shipment_id"]]["status"] == "delivered":
            break
        time.sleep(0.05)
    number = created["tracking_numbers"][0]
    events = http.get(sim.url + f"/v1/tracking?numbers={number}", headers=auth).json()
    assert [e["status"] for e in events["results"][0]["events"]] == [
        "label_created",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]


def test_pdf_label_escapes_text():
    pdf = build_pdf_label(["Name (with) \\ backslash", "Müller"], "SIM1")
    assert b"Name \\(with\\) \\\\ backslash" in pdf
    assert b"M\xfcller" in pdf  # latin-1 (WinAnsi)
    assert pdf.rstrip().endswith(b"%%EOF")


def test_unknown_route_and_bad_json(sim, http):
    assert http.get(sim.url + "/v2/nothing").status_code == 404
    auth = _token(sim, http)
    bad = http.post(
        sim.url + "/v1/shipments",
        data=b"{broken",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "invalid_json"


def test_runs_as_a_script():
    proc = subprocess.Popen(
        [sys.executable, "-m", "logistics_simulators.generic", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": PYLIB},
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Carrier simulator listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        health = requests.get(url + "/_sim/health", timeout=5)
        assert health.json() == {"status": "ok", "url": url}
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_storylines_tell_plain_out_of_order_and_exception_journeys(sim, http):
    """The demo's simulator: shipments take the three storylines in turn."""
    sim.configure(auto_advance=0.05, storylines=True)
    auth = _token(sim, http)
    created = [
        http.post(sim.url + "/v1/shipments", json=SHIPMENT, headers=auth).json()
        for _ in range(3)
    ]
    final = {0: "delivered", 1: "delivered", 2: "address_issue"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        states = [sim.shipments[c["shipment_id"]]["status"] for c in created]
        if all(states[i] == final[i] for i in final):
            break
        time.sleep(0.05)
    journeys = []
    for shipment in created:
        number = shipment["tracking_numbers"][0]
        answer = http.get(sim.url + f"/v1/tracking?numbers={number}", headers=auth)
        journeys.append(answer.json()["results"][0]["events"])
    statuses = [[e["status"] for e in events] for events in journeys]
    assert statuses[0] == [
        "label_created",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert statuses[1] == [
        "label_created",
        "in_transit",
        "picked_up",
        "out_for_delivery",
        "delivered",
    ]
    # the late "picked up" scan happened before "in transit": out of order
    late, earlier = journeys[1][2], journeys[1][1]
    assert late["occurred_at"] < earlier["occurred_at"]
    assert statuses[2] == [
        "label_created",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "address_issue",
    ]
