# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OAuth client credentials: caching, refresh once on 401, auth errors."""

import time

import pytest

from logistics_carriers import (
    TOKEN_REFRESH_MARGIN,
    AccountConfig,
    CarrierAuthError,
    CarrierTransientError,
    MemoryTokenStore,
    SimulatorAdapter,
)
from logistics_simulators.generic import SimulatorServer


class DictTokenStore:
    """A token store kept outside the adapter (like the account field in Odoo)."""

    def __init__(self):
        self.value = None
        self.cleared = 0

    def get(self):
        return self.value

    def set(self, token, expires_at):
        self.value = (token, expires_at)

    def clear(self):
        self.value = None
        self.cleared += 1


def _bearer(request):
    return request["headers"]["Authorization"].split(" ", 1)[1]


def test_token_is_cached(sim, adapter, make_request):
    request = make_request()
    adapter.get_rates(request)
    adapter.get_rates(request)
    adapter.create_shipment(request)
    assert sim.count("token") == 1
    tokens = {_bearer(r) for r in sim.requests if r["operation"] != "token"}
    assert len(tokens) == 1
    token_request = next(r for r in sim.requests if r["operation"] == "token")
    assert token_request["headers"]["Authorization"].startswith("Basic ")


def test_token_store_is_shared_between_adapters(sim, make_adapter, make_request):
    store = DictTokenStore()
    first = make_adapter(token_store=store)
    first.get_rates(make_request())
    token, expires_at = store.value
    assert expires_at == pytest.approx(time.time() + 3600, abs=5)
    second = make_adapter(token_store=store)
    second.get_rates(make_request())
    assert sim.count("token") == 1
    assert _bearer(sim.requests[-1]) == token


def test_token_near_expiry_is_refreshed(sim, make_adapter, make_request):
    store = DictTokenStore()
    adapter = make_adapter(token_store=store)
    adapter.get_rates(make_request())
    token, _expires = store.value
    # still valid, but inside the refresh margin: fetch a new one first
    store.set(token, time.time() + TOKEN_REFRESH_MARGIN - 1)
    adapter.get_rates(make_request())
    assert sim.count("token") == 2
    assert store.value[0] != token
    assert sim.count("rates") == 2  # no 401 round trip was needed


def test_short_lived_tokens_are_fetched_each_time():
    with SimulatorServer(token_ttl=30) as server:
        adapter = SimulatorAdapter(
            AccountConfig("sim", base_url=server.url, client_id="a", client_secret="b")
        )
        adapter.track(["SIM1"])
        adapter.track(["SIM1"])
        assert server.count("token") == 2  # 30 s < the 60 s refresh margin
        adapter.close()


def test_expired_token_refreshed_once_on_401(sim, adapter, make_request):
    request = make_request()
    adapter.get_rates(request)
    sim.expire_tokens()
    quotes = adapter.get_rates(request)
    assert quotes
    assert sim.count("token") == 2
    assert sim.count("rates") == 3  # ok, 401, retried ok
    rates = [r for r in sim.requests if r["operation"] == "rates"]
    assert _bearer(rates[1]) != _bearer(rates[2])
    # the retry carries the same correlation id
    assert (
        rates[1]["headers"]["X-Correlation-ID"]
        == rates[2]["headers"]["X-Correlation-ID"]
    )


def test_second_401_raises_auth_error(sim, make_adapter, make_request):
    store = DictTokenStore()
    adapter = make_adapter(token_store=store)
    sim.add_fault("create_shipment", 401, times=2)
    with pytest.raises(CarrierAuthError) as info:
        adapter.create_shipment(make_request())
    err = info.value
    assert err.kind == "authentication"
    assert err.status == 401
    assert "administrator" in err.message
    assert sim.count("token") == 2  # initial + one refresh, never more
    assert sim.count("create_shipment") == 2  # retried exactly once
    assert store.value is None  # a rejected token is not kept
    assert sim.shipments == {}


def test_403_is_auth_error_without_refresh(sim, adapter, make_request):
    sim.add_fault("rates", 403)
    with pytest.raises(CarrierAuthError) as info:
        adapter.get_rates(make_request())
    assert info.value.status == 403
    assert sim.count("token") == 1
    assert sim.count("rates") == 1


def test_bad_client_credentials(make_adapter, make_request):
    with SimulatorServer(credentials={"demo": "right-secret"}) as server:
        wrong = make_adapter(server, client_id="demo", client_secret="wrong")
        with pytest.raises(CarrierAuthError) as info:
            wrong.create_shipment(make_request())
        assert info.value.status == 401
        assert info.value.code == "invalid_client"
        assert info.value.carrier_message == "Client authentication failed"
        assert info.value.category == "authentication"
        assert server.count("create_shipment") == 0
        right = make_adapter(server, client_id="demo", client_secret="right-secret")
        assert right.create_shipment(make_request()).tracking_numbers


def test_token_endpoint_outage_is_transient(sim, adapter, make_request):
    sim.add_fault("token", 503)
    with pytest.raises(CarrierTransientError):
        adapter.get_rates(make_request())
    assert adapter.token_store.get() is None
    assert adapter.get_rates(make_request())


def test_memory_token_store():
    store = MemoryTokenStore()
    assert store.get() is None
    store.set("tok", 123.0)
    assert store.get() == ("tok", 123.0)
    store.clear()
    assert store.get() is None
