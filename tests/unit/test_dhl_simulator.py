# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The DHL contract simulator itself: shapes, auth, faults, script mode."""

import base64
import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from unit import test_dhl_support as support

support.use_fixtures(globals())

PYLIB = str(support.ADDON_DIR.parent / "pylib")
ORDERS = "/parcel/de/shipping/v2/orders"
BASIC = {
    "dhl-api-key": support.API_KEY,
    "Authorization": "Basic "
    + base64.b64encode(f"{support.USER}:{support.PASSWORD}".encode()).decode(),
}


def _keys(obj):
    if isinstance(obj, dict):
        return {k: _keys(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [_keys(obj[0])] if obj else []
    return None


def _order(count=1, **shipment):
    base = support.example("dhl-parcel-de-order-request")["shipments"][0]
    return {
        "profile": "STANDARD_GRUPPENPROFIL",
        "shipments": [{**base, "billingNumber": support.BILLING, **shipment}] * count,
    }


@pytest.fixture
def http():
    session = requests.Session()
    yield session
    session.close()


def test_order_answers_have_the_contract_shapes(dhl_sim, http):
    url = dhl_sim.url + ORDERS
    single = http.post(url, json=_order(), headers=BASIC, timeout=5)
    assert single.status_code == 200
    body = single.json()
    example = support.example("dhl-parcel-de-order-response")
    item_keys = set(_keys(example)["items"][0])
    assert set(body["items"][0]) <= item_keys
    assert set(body["status"]) == set(example["status"])
    assert body["status"]["detail"] == "1 of 1 shipment successfully created."
    multi = http.post(url, json=_order(2), headers=BASIC, timeout=5)
    assert multi.status_code == 207
    assert multi.json()["status"]["title"] == "Multi-Status"
    bad = http.post(url, json=_order(shipper={"name1": "x"}), headers=BASIC, timeout=5)
    assert bad.status_code == 400
    schema = support.example("dhl-parcel-de-schema-error")
    assert _keys(bad.json())["items"] == _keys(schema)["items"]
    invalid = http.post(
        url, json=_order(billingNumber="33333333335301"), headers=BASIC, timeout=5
    )
    assert invalid.status_code == 400
    validation = support.example("dhl-parcel-de-validation-error")
    assert set(invalid.json()["items"][0]) == set(validation["items"][0])


def test_cancel_answers_have_the_contract_shapes(dhl_sim, http):
    created = http.post(dhl_sim.url + ORDERS, json=_order(), headers=BASIC, timeout=5)
    number = created.json()["items"][0]["shipmentNo"]
    params = {"profile": "STANDARD_GRUPPENPROFIL", "shipment": number}
    ok = http.delete(dhl_sim.url + ORDERS, params=params, headers=BASIC, timeout=5)
    assert ok.status_code == 200
    example = support.example("dhl-parcel-de-cancel-response")
    request_status = {"title", "status", "statusCode", "detail", "instance"}
    assert set(example["status"]) <= set(ok.json()["status"]) <= request_status
    (item,) = ok.json()["items"]
    assert set(item) == set(example["items"][0])
    assert set(example["items"][0]["sstatus"]) <= set(item["sstatus"])
    again = http.delete(dhl_sim.url + ORDERS, params=params, headers=BASIC, timeout=5)
    assert again.status_code == 400
    error = support.example("dhl-parcel-de-cancel-error")
    assert again.json()["items"][0]["sstatus"]["title"] == "UnknownShipmentNumber"
    assert again.json()["items"][0]["sstatus"]["statusCode"] == 204
    assert set(again.json()["status"]) >= set(error["status"])


def test_authentication_shapes(dhl_sim, http):
    unauthorized = http.post(dhl_sim.url + ORDERS, json=_order(), timeout=5)
    assert unauthorized.status_code == 401
    example = support.example("dhl-parcel-de-unauthorized")
    assert set(example) - {"_note"} <= set(unauthorized.json())
    wrong_key = dict(BASIC, **{"dhl-api-key": "someone-else"})
    assert (
        http.post(dhl_sim.url + ORDERS, json=_order(), headers=wrong_key).status_code
        == 401
    )
    token = http.post(
        dhl_sim.url + "/parcel/de/account/auth/ropc/v1/token",
        data={
            "grant_type": "password",
            "client_id": support.API_KEY,
            "client_secret": support.API_SECRET,
            "username": support.USER,
            "password": support.PASSWORD,
        },
        timeout=5,
    )
    assert set(token.json()) == {"access_token", "token_type", "expires_in"}
    assert token.json()["expires_in"] == 1799
    bearer = {"Authorization": "Bearer " + token.json()["access_token"]}
    assert (
        http.post(dhl_sim.url + ORDERS, json=_order(), headers=bearer).status_code
        == 200
    )
    dhl_sim.expire_tokens()
    assert (
        http.post(dhl_sim.url + ORDERS, json=_order(), headers=bearer).status_code
        == 401
    )
    tracking = http.get(dhl_sim.url + "/track/shipments?trackingNumber=1", timeout=5)
    assert tracking.status_code == 401
    assert set(tracking.json()) >= {"title", "status", "detail"}


def test_tracking_not_found_shape_and_rate_limit(dhl_sim, http):
    headers = {"DHL-API-Key": support.API_KEY}
    url = dhl_sim.url + "/track/shipments"
    missing = http.get(url, params={"trackingNumber": "8264715546"}, headers=headers)
    assert missing.status_code == 404
    example = support.example("dhl-unified-tracking-not-found")
    assert {k: v for k, v in example.items() if k != "_note"} == missing.json()
    dhl_sim.track_rate = 1.0
    http.get(url, params={"trackingNumber": "1"}, headers=headers)
    limited = http.get(url, params={"trackingNumber": "1"}, headers=headers)
    assert limited.status_code == 429
    assert "Retry-After" not in limited.headers  # DHL documents none
    dhl_sim.rate_limit_retry_after = 3
    limited = http.get(url, params={"trackingNumber": "1"}, headers=headers)
    assert limited.headers["Retry-After"] == "3"


def test_faults_answer_in_dhl_problem_shapes(dhl_sim, http):
    dhl_sim.add_fault("create_shipment", 503)
    answer = http.post(dhl_sim.url + ORDERS, json=_order(), headers=BASIC, timeout=5)
    assert answer.status_code == 503
    assert set(answer.json()) == {"title", "statusCode", "status", "detail"}
    dhl_sim.add_fault("tracking", 500)
    answer = http.get(
        dhl_sim.url + "/track/shipments?trackingNumber=1",
        headers={"DHL-API-Key": support.API_KEY},
        timeout=5,
    )
    assert set(answer.json()) == {"title", "status", "detail"}
    assert dhl_sim.count("create_shipment") == 1
    dhl_sim.set_latency(0.3)
    start = time.monotonic()
    http.post(dhl_sim.url + ORDERS, json=_order(), headers=BASIC, timeout=5)
    assert time.monotonic() - start >= 0.3


def test_tracking_progression_and_auto_advance(dhl_sim, http):
    created = http.post(dhl_sim.url + ORDERS, json=_order(), headers=BASIC, timeout=5)
    number = created.json()["items"][0]["shipmentNo"]
    shipment = dhl_sim.shipments[number]
    assert shipment["step"] == "pre-transit"
    assert shipment["events"][0]["statusCode"] == "pre-transit"
    dhl_sim.configure(auto_advance=0.05)
    dhl_sim.advance(number, "picked_up")
    deadline = time.monotonic() + 5
    while (
        dhl_sim.shipments[number]["step"] != "delivered" and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    steps = [e["statusCode"] for e in dhl_sim.shipments[number]["events"]]
    assert steps == ["pre-transit", "transit", "transit", "transit", "delivered"]
    stamps = [e["timestamp"] for e in dhl_sim.shipments[number]["events"]]
    assert stamps == sorted(set(stamps))  # distinct, increasing
    page = http.get(f"{dhl_sim.url}/tracking-page/{number}", timeout=5)
    assert page.status_code == 200 and number in page.text
    with pytest.raises(KeyError):
        dhl_sim.advance("nope", "delivered")
    with pytest.raises(ValueError):
        dhl_sim.advance(number, "teleported")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runs_as_a_module():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "logistics_simulators.dhl", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd="/",
        env={**os.environ, "PYTHONPATH": PYLIB},
    )
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line
        answer = requests.post(
            f"http://127.0.0.1:{port}/parcel/de/account/auth/ropc/v1/token",
            data={
                "grant_type": "password",
                "client_id": "any-key",
                "client_secret": "any-secret",
                "username": "user-valid",
                "password": "SandboxPasswort2023!",
            },
            timeout=5,
        )
        assert answer.status_code == 200
        assert answer.json()["token_type"] == "Bearer"
    finally:
        proc.terminate()
        proc.wait(10)
