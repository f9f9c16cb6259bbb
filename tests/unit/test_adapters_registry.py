# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Adapter registry keyed by carrier_code."""

import pytest

from logistics_carriers import (
    CarrierAdapter,
    SimulatorAdapter,
    get_adapter_class,
    register_adapter,
    registered_codes,
)
from logistics_carriers.registry import unregister_adapter


def _adapter_class(code, name="TestAdapter"):
    def noop(self, *args, **kwargs):
        return None

    return type(
        name,
        (CarrierAdapter,),
        {
            "carrier_code": code,
            "label": "Test",
            "default_base_urls": {"sandbox": "http://127.0.0.1:1"},
            "create_shipment": noop,
            "cancel_shipment": noop,
            "get_rates": noop,
            "track": noop,
            "map_status": noop,
        },
    )


@pytest.fixture
def cleanup():
    codes = []
    yield codes
    for code in codes:
        unregister_adapter(code)


def test_simulator_is_registered():
    assert get_adapter_class("sim") is SimulatorAdapter
    assert "sim" in registered_codes()
    assert registered_codes() == sorted(registered_codes())


def test_register_and_get(cleanup):
    cls = _adapter_class("unit_test_carrier")
    cleanup.append("unit_test_carrier")
    assert register_adapter(cls) is cls  # usable as a decorator
    assert get_adapter_class("unit_test_carrier") is cls
    assert "unit_test_carrier" in registered_codes()
    assert register_adapter(cls) is cls  # registering the same class again is fine


def test_unknown_code_raises_clear_key_error():
    with pytest.raises(KeyError) as info:
        get_adapter_class("pigeon")
    text = str(info.value)
    assert "'pigeon'" in text
    assert "sim" in text  # lists what is registered
    assert "addon" in text


def test_duplicate_code_with_other_class_is_refused(cleanup):
    cleanup.append("dup_carrier")
    register_adapter(_adapter_class("dup_carrier", "FirstAdapter"))
    with pytest.raises(ValueError, match="already registered"):
        register_adapter(_adapter_class("dup_carrier", "SecondAdapter"))
    assert get_adapter_class("dup_carrier").__name__ == "FirstAdapter"


def test_only_adapters_with_a_code_can_register():
    with pytest.raises(TypeError):
        register_adapter(object)
    with pytest.raises(TypeError):
        register_adapter("sim")
    with pytest.raises(ValueError, match="carrier_code"):
        register_adapter(_adapter_class(""))


def test_adapter_needs_a_base_url():
    from logistics_carriers import (
        AccountConfig,
        CarrierError,
    )

    cls = _adapter_class("no_url")
    with pytest.raises(CarrierError, match="API address"):
        cls(AccountConfig("no_url", environment="production"))
    adapter = cls(AccountConfig("no_url"))
    assert adapter.base_url == "http://127.0.0.1:1"
    override = cls(AccountConfig("no_url", base_url="http://proxy.local/api/"))
    assert override.http.base_url == "http://proxy.local/api"
