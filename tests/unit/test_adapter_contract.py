# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The adapter contract on CarrierAdapter: declared capabilities and the one
webhook-parsing template (plain pytest, no Odoo)."""

import json

import pytest

import logistics_carriers
import logistics_carriers.dhl
import logistics_carriers.ups
from logistics_carriers import (
    AccountConfig,
    CarrierAdapter,
    CarrierNotSupported,
    CarrierValidationError,
    get_adapter_class,
)

CARRIERS = ("generic", "sim", "ups", "dhl")
# the capabilities the addons read on an adapter (the class docstring
# documents each one with its default)
CAPABILITIES = (
    "label",
    "default_base_urls",
    "supports_lookup",
    "idempotent_create",
    "supports_returns",
    "supports_webhooks",
    "check_shape_on_receipt",
    "webhook_malformed_message",
    "push_header",
    "track_batch_size",
    "track_min_interval",
)


@pytest.mark.parametrize("name", CAPABILITIES)
def test_every_capability_is_declared_and_documented_on_the_base(name):
    assert name in vars(CarrierAdapter), name
    assert f"``{name}``" in CarrierAdapter.__doc__, name


@pytest.mark.parametrize("code", CARRIERS)
def test_carriers_override_the_hooks_not_the_template(code):
    cls = get_adapter_class(code)
    for template in ("parse_webhook", "check_webhook_shape", "_read_webhook"):
        assert getattr(cls, template) is getattr(CarrierAdapter, template), template
    assert cls.supports_webhooks
    assert cls._webhook_events is not CarrierAdapter._webhook_events
    assert cls._webhook_shape_problem is not CarrierAdapter._webhook_shape_problem


class _Minimal(CarrierAdapter):
    """A carrier that declares only the webhook hooks (not registered)."""

    carrier_code = "contract-test"
    default_base_urls = {"sandbox": "http://127.0.0.1:9"}
    supports_webhooks = True
    webhook_malformed_message = "Not a contract-test push: {problem}"

    def create_shipment(self, request):
        raise NotImplementedError

    def cancel_shipment(self, carrier_shipment_id, tracking_numbers=None):
        raise NotImplementedError

    def get_rates(self, request):
        raise NotImplementedError

    def track(self, tracking_numbers):
        raise NotImplementedError

    def map_status(self, raw_code, **context):
        return "info"

    def _webhook_shape_problem(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("n"), str):
            return "no 'n'"
        return None

    def _webhook_events(self, headers, data):
        return [data["n"]]


@pytest.fixture
def minimal():
    adapter = _Minimal(AccountConfig(carrier_code="contract-test"))
    yield adapter
    adapter.close()


@pytest.mark.parametrize(
    "body, problem",
    [(b"{", "the body is not JSON"), (b"[]", "no 'n'"), (b'{"n": 1}', "no 'n'")],
)
def test_template_refuses_with_the_one_error(minimal, body, problem):
    assert minimal.check_webhook_shape({}, body) == problem
    with pytest.raises(CarrierValidationError) as info:
        minimal.parse_webhook({}, body)
    assert info.value.code == "malformed_webhook"
    assert str(info.value) == f"Not a contract-test push: {problem}"


def test_template_parses_through_the_hooks(minimal):
    body = json.dumps({"n": "1Z"}).encode()
    assert minimal.check_webhook_shape({}, body) is None
    assert minimal.parse_webhook({}, body) == ["1Z"]


def test_an_adapter_without_webhooks_says_so(minimal):
    minimal.supports_webhooks = False
    with pytest.raises(CarrierNotSupported):
        minimal.parse_webhook({}, b'{"n": "1Z"}')
    assert minimal.check_webhook_shape({}, b"{") is None


def test_the_split_packages_export_what_the_addons_import():
    ups, dhl = logistics_carriers.ups, logistics_carriers.dhl
    for name in ups.__all__:
        assert getattr(ups, name) is not None, name
    for name in dhl.__all__:
        assert getattr(dhl, name) is not None, name
    assert get_adapter_class("ups") is ups.UpsAdapter
    assert get_adapter_class("dhl") is dhl.DhlParcelDeAdapter
