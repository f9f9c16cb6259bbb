# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Error classes: kinds, categories and their JSON summary."""

import json

import pytest

from logistics_carriers import (
    CarrierAuthError,
    CarrierError,
    CarrierNotSupported,
    CarrierTransientError,
    CarrierValidationError,
    FieldError,
    WebhookAuthError,
)


@pytest.mark.parametrize(
    ("cls", "kind", "category"),
    [
        (CarrierError, "carrier_error", "carrier_error"),
        (CarrierTransientError, "transient", "carrier_error"),
        (CarrierAuthError, "authentication", "authentication"),
        (CarrierValidationError, "validation", "data"),
        (WebhookAuthError, "webhook_auth", "carrier_error"),
        (CarrierNotSupported, "not_supported", "carrier_error"),
    ],
)
def test_kinds_and_default_categories(cls, kind, category):
    err = cls("Something went wrong")
    assert isinstance(err, CarrierError)
    assert err.kind == kind
    assert err.category == category
    assert str(err) == "Something went wrong"


def test_transient_error_fields():
    err = CarrierTransientError("later", status=429, retry_after=12.5)
    assert err.retry_after == 12.5
    assert err.maybe_sent is True
    assert CarrierTransientError("x").retry_after is None


def test_validation_error_to_dict():
    err = CarrierValidationError(
        "Fix the address",
        status=422,
        code="required",
        carrier_message="zip missing",
        category="address",
        field_errors=[FieldError("recipient.zip", "missing", "required")],
    )
    data = json.loads(json.dumps(err.to_dict()))
    assert data["kind"] == "validation"
    assert data["category"] == "address"
    assert data["status"] == 422
    assert data["field_errors"] == [
        {"field": "recipient.zip", "message": "missing", "code": "required"}
    ]
