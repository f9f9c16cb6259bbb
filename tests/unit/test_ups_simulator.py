# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The UPS simulator run as a script by path, driven over HTTP only.

This is how the demo database uses it (``server.py --port 8074``): with
Odoo's Python and with a plain Python that has no Odoo at all (standard
library only), including its control endpoints (faults, token expiry,
status progression).
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

PYLIB = str(Path(__file__).resolve().parents[2] / "pylib")


def _pythons():
    found = [("odoo-python", sys.executable)]
    plain = shutil.which("python3")
    if plain:
        probe = subprocess.run(
            [plain, "-c", "import odoo"], capture_output=True, check=False
        )
        if probe.returncode != 0:  # really without Odoo
            found.append(("plain-python", plain))
    return found


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module", params=_pythons(), ids=lambda p: p[0])
def script(request):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": PYLIB}  # the package alone
    proc = subprocess.Popen(
        [request.param[1], "-m", "logistics_simulators.ups", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd="/",
        env=env,
    )
    line = proc.stdout.readline()
    if "listening" not in line:
        proc.kill()
        pytest.fail(f"simulator did not start: {line} {proc.stderr.read()}")
    yield f"http://127.0.0.1:{port}", proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def call(url, method="GET", body=None, headers=None, form=None):
    data = None
    headers = dict(headers or {})
    if form is not None:
        data = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    req = Request(url, data=data, method=method, headers=headers)
    try:
        with urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def token(url):
    basic = base64.b64encode(b"script-client:script-secret").decode()
    status, data = call(
        f"{url}/security/v1/oauth/token",
        "POST",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert status == 200, data
    return data["access_token"]


def ship_body(packages=1):
    address = {
        "AddressLine": ["2311 York Rd"],
        "City": "Timonium",
        "StateProvinceCode": "MD",
        "PostalCode": "21093",
        "CountryCode": "US",
    }
    return {
        "ShipmentRequest": {
            "Request": {"RequestOption": "nonvalidate"},
            "Shipment": {
                "Shipper": {"Name": "S", "ShipperNumber": "ABC123", "Address": address},
                "ShipTo": {"Name": "T", "Address": dict(address, City="Towson")},
                "PaymentInformation": {
                    "ShipmentCharge": {
                        "Type": "01",
                        "BillShipper": {"AccountNumber": "ABC123"},
                    }
                },
                "Service": {"Code": "03"},
                "Package": [
                    {
                        "Packaging": {"Code": "02"},
                        "PackageWeight": {
                            "UnitOfMeasurement": {"Code": "LBS"},
                            "Weight": "5",
                        },
                    }
                ]
                * packages,
            },
            "LabelSpecification": {
                "LabelImageFormat": {"Code": "GIF"},
                # Shipping.yaml requires it (used by thermal labels only)
                "LabelStockSize": {"Height": "6", "Width": "4"},
            },
        }
    }


def test_token_ship_track_over_http(script):
    url, _proc = script
    auth = {"Authorization": f"Bearer {token(url)}"}
    status, data = call(f"{url}/api/shipments/v2409/ship", "POST", ship_body(2), auth)
    assert status == 200, data
    results = data["ShipmentResponse"]["ShipmentResults"]
    numbers = [p["TrackingNumber"] for p in results["PackageResults"]]
    assert len(numbers) == 2 and all(n.startswith("1ZABC12303") for n in numbers)
    label = base64.b64decode(
        results["PackageResults"][0]["ShippingLabel"]["GraphicImage"]
    )
    assert label.startswith(b"GIF89a")
    track_headers = dict(auth, transId="t1", transactionSrc="tests")
    status, data = call(f"{url}/track/v1/details/{numbers[0]}", headers=track_headers)
    assert status == 200
    package = data["trackResponse"]["shipment"][0]["package"][0]
    assert package["activity"][0]["status"]["statusCode"] == "003"
    # the control endpoint moves it on
    status, _data = call(
        f"{url}/_sim/events",
        "POST",
        {"tracking_number": numbers[0], "status": "delivered", "push": False},
    )
    assert status == 201
    status, data = call(f"{url}/track/v1/details/{numbers[0]}", headers=track_headers)
    newest = data["trackResponse"]["shipment"][0]["package"][0]["activity"][0]
    assert newest["status"] == {
        "type": "D",
        "description": "Delivered",
        "code": "FS",
        "statusCode": "011",
    }
    status, data = call(
        f"{url}/track/v1/details/1Z999AA10123456784", headers=track_headers
    )
    assert (status, data["response"]["errors"][0]["code"]) == (404, "TW0001")
    status, data = call(f"{url}/track/v1/details/{numbers[1]}", headers=auth)
    assert status == 400  # transId / transactionSrc are required


def test_faults_expired_tokens_and_error_envelope(script):
    url, _proc = script
    auth = {"Authorization": f"Bearer {token(url)}"}
    fault = {
        "operation": "create_shipment",
        "status": 429,
        "headers": {"Retry-After": "3"},
    }
    assert call(f"{url}/_sim/faults", "POST", fault)[0] == 201
    req = Request(
        f"{url}/shipments/v2409/ship",
        data=json.dumps(ship_body()).encode(),
        method="POST",
        headers=dict(auth, **{"Content-Type": "application/json"}),
    )
    with pytest.raises(HTTPError) as info:
        urlopen(req, timeout=10)
    assert info.value.code == 429
    assert info.value.headers["Retry-After"] == "3"
    error = json.loads(info.value.read())["response"]["errors"][0]
    assert error["message"] == "Rate Limit Exceeded"
    assert call(f"{url}/shipments/v2409/ship", "POST", ship_body(), auth)[0] == 200
    assert call(f"{url}/_sim/expire-tokens", "POST", {})[0] == 200
    status, data = call(f"{url}/shipments/v2409/ship", "POST", ship_body(), auth)
    assert (status, data["response"]["errors"][0]["code"]) == (401, "251004")
    status, data = call(f"{url}/shipments/v2409/ship", "POST", ship_body())
    assert (status, data["response"]["errors"][0]["code"]) == (401, "UJ0001")
    status, data = call(
        f"{url}/shipments/v2409/ship",
        "POST",
        {"ShipmentRequest": {}},
        {"Authorization": f"Bearer {token(url)}"},
    )
    assert status == 400 and data["response"]["errors"]
    status, data = call(
        f"{url}/shipments/v2409/ship",
        "POST",
        ship_body(),
        {"Authorization": f"Bearer {token(url)}", "Content-Type": "text/plain"},
    )
    assert (status, data["response"]["errors"][0]["code"]) == (400, "10007")
    status, data = call(f"{url}/_sim/requests")
    assert data["counts"]["create_shipment"] >= 4


def test_sigterm_stops_it(script):
    _url, proc = script
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def test_gif_label_same_pixels_with_and_without_pillow(monkeypatch):
    """Pillow's encoder (fast) and the pure-Python one (no Pillow) draw the
    same label."""
    import io

    from PIL import Image

    from logistics_simulators.core import labels

    fast = labels.build_gif_label("1Z12345E0205271688")
    monkeypatch.setattr(labels, "_gif_with_pillow", lambda *args: None)
    slow = labels.build_gif_label("1Z12345E0205271688")
    assert fast != slow  # two encoders
    for data in (fast, slow):
        assert data.startswith(b"GIF89a") and data.endswith(b";")
    images = [Image.open(io.BytesIO(data)) for data in (fast, slow)]
    assert images[0].size == images[1].size == (320, 120)
    assert images[0].tobytes() == images[1].tobytes()
