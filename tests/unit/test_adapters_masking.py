# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Masking: no credentials or personal data in anything that is logged."""

import base64
import copy
import json

import pytest

from logistics_carriers import (
    CarrierValidationError,
    mask_headers,
    mask_payload,
    mask_text,
)


def test_mask_headers():
    headers = {
        "Authorization": "Bearer abc.def",
        "Proxy-Authorization": "Basic Zm9vOmJhcg==",
        "Cookie": "session=42",
        "X-API-Key": "k-123",
        "x-auth-token": "t-123",
        "X-Client-Secret": "s-123",
        "DHL-API-Password": "p-123",
        "X-Credential-Id": "c-123",
        "X-Sim-Signature": "t=1,v1=ab",
        "Content-Type": "application/json",
        "X-Correlation-ID": "corr-1",
        "Idempotency-Key": "outbound:WH/OUT/1",
    }
    masked = mask_headers(headers)
    for name in list(headers)[:9]:
        assert masked[name] == "***", name
    assert masked["Content-Type"] == "application/json"
    assert masked["X-Correlation-ID"] == "corr-1"
    assert masked["Idempotency-Key"] == "outbound:WH/OUT/1"
    assert headers["Authorization"] == "Bearer abc.def"  # input untouched


def test_mask_payload_personal_data_keeps_hint_and_debug_fields():
    payload = {
        "reference": "WH/OUT/00012",
        "tracking_number": "SIM000000000042",
        "recipient": {
            "name": "Jakob Empfaenger",
            "company_name": "Empfang GmbH",
            "street": "Birkenweg 12",
            "street2": "Hinterhaus",
            "city": "Berlin",
            "zip": "10115",
            "country_code": "DE",
            "phone": "+4930555098765",
            "email": "jakob@example.net",
        },
    }
    original = copy.deepcopy(payload)
    masked = mask_payload(payload)
    assert payload == original  # deep copy, input untouched
    rec = masked["recipient"]
    assert rec["name"] == "J***"
    assert rec["company_name"] == "E***"
    assert rec["street"] == "B***"
    assert rec["street2"] == "H***"
    assert rec["phone"] == "***"
    assert rec["email"] == "j***"
    assert (rec["city"], rec["zip"], rec["country_code"]) == ("Berlin", "10115", "DE")
    assert masked["reference"] == "WH/OUT/00012"
    assert masked["tracking_number"] == "SIM000000000042"


def test_mask_payload_carrier_shapes():
    ups = {
        "ShipTo": {
            "Name": "Happy Dog Pet Supply",
            "AttentionName": "Ann Attn",
            "Phone": {"Number": "5555550102", "Extension": "12"},
            "EMailAddress": "ann@example.com",
            "Address": {
                "AddressLine": ["123 Main St", "Suite 5"],
                "City": "Timonium",
                "PostalCode": "21030",
                "CountryCode": "US",
            },
        }
    }
    dhl = {
        "consignee": {
            "name1": "Erika Beispiel",
            "name2": "c/o Muster",
            "contactName": "Erika",
            "addressStreet": "Kurt-Schumacher-Str.",
            "addressHouse": "20",
            "postalCode": "53113",
            "city": "Bonn",
            "country": "DEU",
            "mobile": "+49 170 0000001",
            "e_mail": "erika@example.com",
        }
    }
    ship_to = mask_payload(ups)["ShipTo"]
    assert ship_to["Name"] == "H***"
    assert ship_to["AttentionName"] == "A***"
    assert ship_to["Phone"] == {"Number": "***", "Extension": "***"}
    assert ship_to["EMailAddress"] == "a***"
    assert ship_to["Address"]["AddressLine"] == ["***", "S***"]
    assert ship_to["Address"]["City"] == "Timonium"
    assert ship_to["Address"]["PostalCode"] == "21030"
    consignee = mask_payload(dhl)["consignee"]
    for key in ("name1", "name2", "contactName", "addressStreet", "e_mail"):
        assert consignee[key].endswith("***"), key
        assert len(consignee[key]) == 4, key
    assert consignee["addressHouse"] == "***"
    assert consignee["mobile"] == "***"
    assert (consignee["postalCode"], consignee["city"], consignee["country"]) == (
        "53113",
        "Bonn",
        "DEU",
    )


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "secret",
        "client_secret",
        "clientSecret",
        "token",
        "access_token",
        "accessToken",
        "refresh_token",
        "api_key",
        "apiKey",
        "apikey",
        "API-Key",
        "Authorization",
        "webhook_secret",
    ],
)
def test_mask_payload_credentials(key):
    masked = mask_payload({"outer": [{key: "hunter2-value", "token_type": "Bearer"}]})
    assert masked["outer"][0][key] == "***"
    assert masked["outer"][0]["token_type"] == "Bearer"


def test_mask_payload_free_email_and_blobs():
    label = base64.b64encode(("Jakob Empfaenger Birkenweg 12 " * 40).encode()).decode()
    masked = mask_payload(
        {"note": "call jakob@example.net", "labels": [{"content_b64": label}]}
    )
    assert masked["note"] == "call j***"
    assert masked["labels"][0]["content_b64"].startswith("<base64")
    assert label not in json.dumps(masked)


def test_mask_text_json_and_form():
    text = json.dumps({"recipient": {"name": "Jakob", "city": "Berlin"}})
    assert json.loads(mask_text(text, "application/json; charset=utf-8")) == {
        "recipient": {"name": "J***", "city": "Berlin"}
    }
    form = (
        "grant_type=client_credentials&client_id=abc&client_secret=p%40ss&password=pw"
    )
    masked = mask_text(form, "application/x-www-form-urlencoded")
    assert "grant_type=client_credentials" in masked
    assert "client_id=***" in masked  # an API key for some carriers (DHL)
    assert "client_secret=***" in masked
    assert "password=***" in masked
    assert "p%40ss" not in masked and "pw" not in masked.split("password=")[1]


def test_mask_text_plain_and_xml():
    text = (
        "Bearer abcdef.ghi failed for jakob@example.net, call +49 30 5550 98765 "
        "on 2026-05-04, parcel SIM000000000042, amount 12345.67"
    )
    masked = mask_text(text, "text/plain")
    assert "abcdef" not in masked
    assert "jakob@example.net" not in masked
    assert "5550 98765" not in masked
    assert "2026-05-04" in masked
    assert "SIM000000000042" in masked
    assert "12345.67" in masked
    xml = (
        "<ShipTo><Name>Jakob</Name><City>Berlin</City><Password>pw1</Password></ShipTo>"
    )
    masked_xml = mask_text(xml, "application/xml")
    assert "<Name>J***</Name>" in masked_xml
    assert "<City>Berlin</City>" in masked_xml
    assert "pw1" not in masked_xml


def test_mask_text_invalid_json_falls_back_to_regex():
    masked = mask_text('{"email": "jakob@example.net", broken', "application/json")
    assert "jakob@example.net" not in masked


def test_no_personal_data_or_credentials_in_any_log_entry(
    sim, adapter, make_request, log_entries, personal_values
):
    request = make_request()
    result = adapter.create_shipment(request)
    adapter.get_rates(request)
    adapter.track(result.tracking_numbers)
    adapter.lookup_shipment(request)
    adapter.get_label(result.carrier_shipment_id)
    adapter.validate_address(make_request().recipient)
    with pytest.raises(CarrierValidationError):
        adapter.create_shipment(make_request(idempotency_key="k2", service_code="NOPE"))
    sim.expire_tokens()
    adapter.get_rates(request)  # 401, token refresh, retry

    operations = {entry["operation"] for entry in log_entries}
    assert {"token", "create_shipment", "rates", "tracking", "lookup", "label"} <= (
        operations
    )
    assert len(log_entries) >= 10
    tokens = {
        r["headers"]["Authorization"].split()[1]
        for r in sim.requests
        if r["operation"] != "token"
    }
    secret = adapter.config.client_secret
    basic = base64.b64encode(f"{adapter.config.client_id}:{secret}".encode()).decode()
    forbidden = [*personal_values, secret, basic, *tokens]
    label_b64 = base64.b64encode(result.label).decode()
    dump = json.dumps(log_entries)
    for value in forbidden:
        assert value not in dump, value
    assert label_b64[:200] not in dump
    # still useful for debugging
    assert "Berlin" in dump and "10115" in dump
    assert result.tracking_numbers[0] in dump
    assert request.reference in dump
    for entry in log_entries:
        assert entry["request_headers"].get("Authorization") in (None, "***")


def test_labels_receivers_and_webhook_tokens_are_masked():
    """Issue 15: DHL label.zpl2 text, UPS receivedBy, our webhook URL token."""
    payload = {
        "items": [{"label": {"zpl2": "^XA^FDLena Hoffmann, Friedrichstr. 123^FS^XZ"}}],
        "Delivery": {"receivedBy": "LENA HOFFMANN"},
        "destinationURL": "https://odoo.example.com/logistics/webhook/ups/s3cret-T0ken",
    }
    masked = json.dumps(mask_payload(payload))
    for secret in ("Lena", "Friedrich", "HOFFMANN", "s3cret-T0ken"):
        assert secret not in masked
    assert "/logistics/webhook/ups/***" in masked
    text = mask_text("POST https://x/logistics/webhook/dhl/s3cret?a=1", "text/plain")
    assert "s3cret" not in text
