# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared fixtures of the DHL unit tests (no tests here).

The other ``test_dhl_*`` modules import this one (``from unit import
test_dhl_support as support``) and call ``support.use_fixtures(globals())``.
Like ``conftest.py`` for the base addon, it needs only the pure-Python parts
of ``logistics_carrier_dhl`` (adapters, simulator).
"""

import json
from pathlib import Path

import pytest

import logistics_carriers.dhl
import logistics_simulators.dhl

ADDON_DIR = Path(__file__).resolve().parents[2] / "logistics_carrier_dhl"
EXAMPLES_DIR = ADDON_DIR / "tests" / "carrier_examples"
# the project's shared folder, beside the checkout (developers' machines and CI)
SHARED_EXAMPLES_DIR = ADDON_DIR.parent.parent / "shared" / "carrier-examples" / "dhl"

API_KEY = "unit-dhl-api-key"
API_SECRET = "unit-dhl-api-secret"
USER = "user-valid"
PASSWORD = "SandboxPasswort2023!"
BILLING = "33333333330101"


dhl_adapters = logistics_carriers.dhl
dhl_simulator = logistics_simulators.dhl
dhl_status = dhl_adapters.dhl_status
DhlParcelDeAdapter = dhl_adapters.DhlParcelDeAdapter
DhlSimulator = dhl_simulator.DhlSimulator
base_adapters = logistics_carriers


def example(name):
    """A DHL contract example (``carrier-examples/dhl/<name>.json``)."""
    path = EXAMPLES_DIR / (name if name.endswith(".json") else name + ".json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dhl_server():
    server = DhlSimulator(api_keys={API_KEY}, client_secrets={API_KEY: API_SECRET})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dhl_sim(dhl_server):
    """The module's DHL simulator, cleared before and after each test."""
    dhl_server.reset()
    dhl_server.api_keys = {API_KEY}
    dhl_server.track_rate = dhl_server.track_daily_limit = None
    dhl_server.rate_limit_retry_after = None
    dhl_server.detail_codes = False
    DhlParcelDeAdapter._track_state.clear()
    yield dhl_server
    dhl_server.reset()
    DhlParcelDeAdapter._track_state.clear()


@pytest.fixture
def dhl_log():
    return []


@pytest.fixture
def make_dhl(dhl_sim, dhl_log):
    """Build a DHL adapter for the simulator; ``extra``/config overrides."""
    made = []

    def make(*, extra=None, token_store=None, pace=0.0, **overrides):
        values = {
            "carrier_code": "dhl",
            "environment": "sandbox",
            "base_url": dhl_sim.url,
            "client_id": API_KEY,
            "client_secret": API_SECRET,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "account_ref": "logistics.carrier.account(7)",
            "extra": {
                "username": USER,
                "password": PASSWORD,
                "billing_number": BILLING,
                "auth_mode": "basic",
                **(extra or {}),
            },
        }
        values.update(overrides)
        adapter = DhlParcelDeAdapter(
            base_adapters.AccountConfig(**values),
            token_store=token_store,
            log_sink=dhl_log.append,
        )
        adapter.track_min_interval = pace  # tests of pacing set their own
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def dhl_request(make_request):
    """A ShipmentRequest for DHL Paket (German shipper and consignee)."""

    def make(**overrides):
        overrides.setdefault("service_code", "V01PAK")
        return make_request(**overrides)

    return make


def requests_of(sim, operation):
    return [r for r in sim.requests if r["operation"] == operation]


def use_fixtures(namespace):
    """Make this module's fixtures available to a test module."""
    namespace.update(
        dhl_server=dhl_server,
        dhl_sim=dhl_sim,
        dhl_log=dhl_log,
        make_dhl=make_dhl,
        dhl_request=dhl_request,
    )
