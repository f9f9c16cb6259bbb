# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Standard Webhooks signatures and the canonical event format (no ORM)."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timezone

from odoo.tests import BaseCase, tagged

from logistics_carriers import (
    CANONICAL_CODES,
    AccountConfig,
    CarrierValidationError,
    GenericPartnerAdapter,
    WebhookAuthError,
    get_adapter_class,
)
from logistics_carriers import generic_signature as sw
from logistics_carriers.generic import load_schema

# The example published with the Standard Webhooks specification
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TS = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def expected_signature(secret, msg_id, timestamp, body):
    """The spec's definition, written out independently of the module."""
    key = (
        base64.b64decode(secret[len("whsec_") :])
        if secret.startswith("whsec_")
        else secret.encode()
    )
    content = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return (
        "v1,"
        + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    )


def headers(msg_id, timestamp, signature):
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


@tagged("post_install", "-at_install")
class TestPartnerSignature(BaseCase):
    def test_published_vector(self):
        self.assertEqual(
            expected_signature(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIGNATURE
        )
        self.assertEqual(
            sw.sign(SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SECRET), SPEC_SIGNATURE
        )
        msg = sw.verify(
            headers(SPEC_ID, SPEC_TS, SPEC_SIGNATURE),
            SPEC_BODY,
            [SPEC_SECRET],
            now=SPEC_TS + 10,
        )
        self.assertEqual(msg, SPEC_ID)

    def test_independent_vectors_plain_and_whsec_secrets(self):
        now = int(time.time())
        body = json.dumps({"events": [{"event_id": "e1"}]}).encode()
        for secret in ("plain-secret-text", sw.new_secret(), "whsec_" + "A" * 44):
            signature = expected_signature(secret, "msg_1", now, body)
            self.assertEqual(sw.sign("msg_1", now, body, secret), signature)
            sw.verify(headers("msg_1", now, signature), body, [secret])
        self.assertTrue(sw.new_secret().startswith("whsec_"))
        self.assertEqual(len(sw.secret_key(sw.new_secret())), 32)

    def test_tampered_body_wrong_secret_and_wrong_id_are_refused(self):
        now = int(time.time())
        body = b'{"a": 1}'
        good = expected_signature("s3cret", "msg_2", now, body)
        cases = [
            (headers("msg_2", now, good), b'{"a": 2}', ["s3cret"]),
            (headers("msg_2", now, good), body, ["other"]),
            (headers("msg_3", now, good), body, ["s3cret"]),
            (headers("msg_2", now + 1, good), body, ["s3cret"]),
        ]
        for hdrs, payload, secrets in cases:
            with self.assertRaises(WebhookAuthError) as ctx:
                sw.verify(hdrs, payload, secrets)
            self.assertEqual(ctx.exception.code, "bad_signature")

    def test_rotated_secret_several_signatures(self):
        """Both the current and the previous account secret are accepted, and a
        sender may send several signatures (space-separated)."""
        now = int(time.time())
        body = b'{"b": 2}'
        old, new = "whsec_" + base64.b64encode(b"o" * 32).decode(), sw.new_secret()
        signed_old = expected_signature(old, "msg_r", now, body)
        signed_new = expected_signature(new, "msg_r", now, body)
        # a sender still on the old secret: accepted while it is the previous one
        sw.verify(headers("msg_r", now, signed_old), body, [new, old])
        with self.assertRaises(WebhookAuthError):
            sw.verify(headers("msg_r", now, signed_old), body, [new])
        # a sender signing with both during its own rotation
        both = f"v1,{'x' * 44} {signed_old} {signed_new}"
        sw.verify(headers("msg_r", now, both), body, [new])
        sw.verify(headers("msg_r", now, both), body, [old])
        # unknown versions are ignored, not matched
        with self.assertRaises(WebhookAuthError):
            sw.verify(headers("msg_r", now, "v1a," + signed_new[3:]), body, [new])

    def test_stale_and_future_timestamps_are_refused(self):
        body = b"{}"
        now = 1_800_000_000
        for stamp in (now - 301, now + 301, now - 86400):
            signature = expected_signature("k", "msg_s", stamp, body)
            with self.assertRaises(WebhookAuthError) as ctx:
                sw.verify(headers("msg_s", stamp, signature), body, ["k"], now=now)
            self.assertEqual(ctx.exception.code, "stale_timestamp")
        for stamp in (now - 299, now + 299):  # inside the 5 minutes tolerance
            signature = expected_signature("k", "msg_s", stamp, body)
            sw.verify(headers("msg_s", stamp, signature), body, ["k"], now=now)

    def test_missing_or_malformed_headers(self):
        body = b"{}"
        now = int(time.time())
        sig = expected_signature("k", "m", now, body)
        for hdrs, code in (
            ({}, "missing_signature"),
            ({"webhook-id": "m", "webhook-timestamp": str(now)}, "missing_signature"),
            (headers("m", "yesterday", sig), "malformed_signature"),
            (headers("m", now, "sha256=abc"), "malformed_signature"),
        ):
            with self.assertRaises(WebhookAuthError) as ctx:
                sw.verify(hdrs, body, ["k"])
            self.assertEqual(ctx.exception.code, code)
        with self.assertRaises(WebhookAuthError) as ctx:
            sw.verify(headers("m", now, sig), body, [])
        self.assertEqual(ctx.exception.code, "no_secret")


@tagged("post_install", "-at_install")
class TestCanonicalFormat(BaseCase):
    def setUp(self):
        super().setUp()
        self.adapter = GenericPartnerAdapter(
            AccountConfig(carrier_code="generic", account_ref="x.account(7)")
        )

    def test_registered_and_schema_matches_taxonomy(self):
        self.assertIs(get_adapter_class("generic"), GenericPartnerAdapter)
        schema = load_schema()
        event = schema["$defs"]["event"]
        self.assertEqual(tuple(event["properties"]["code"]["enum"]), CANONICAL_CODES)
        self.assertEqual(event["required"], ["event_id", "code", "occurred_at"])

    def _problem(self, data):
        return self.adapter.check_webhook_shape({}, json.dumps(data).encode())

    def test_valid_single_batch_and_envelope(self):
        event = {
            "event_id": "e-1",
            "tracking_number": "TN1",
            "code": "delivered",
            "occurred_at": "2026-11-20T10:00:00Z",
            "location": "Berlin",
            "raw_code": "DLV",
            "raw_description": "Delivered to neighbour",
            "signatory": "K. Meyer",
        }
        self.assertIsNone(self._problem(event))
        self.assertIsNone(
            self._problem({"events": [event, dict(event, event_id="e2")]})
        )
        self.assertIsNone(
            self._problem({"type": "logistics.shipment.event", "data": event})
        )
        (parsed,) = self.adapter.parse_webhook({}, json.dumps(event).encode())
        self.assertEqual(parsed.tracking_number, "TN1")
        self.assertEqual(parsed.code, "delivered")
        self.assertEqual(parsed.raw_code, "DLV")
        self.assertEqual(parsed.description, "Delivered to neighbour")
        self.assertEqual(parsed.occurred_at.tzinfo, timezone.utc)
        self.assertEqual(parsed.dedupe_key, "partner-7-e-1")
        self.assertEqual(parsed.signatory, "K. Meyer")
        by_ref = self.adapter.parse_webhook(
            {},
            json.dumps(
                {
                    "event_id": "e-2",
                    "shipment_reference": "WH/OUT/00012",
                    "code": "picked_up",
                    "occurred_at": "2026-11-20T12:00:00+01:00",
                }
            ).encode(),
        )[0]
        self.assertEqual(by_ref.reference, "WH/OUT/00012")
        self.assertEqual(by_ref.occurred_at.hour, 11)

    def test_bad_payloads_have_a_clear_reason(self):
        base = {"event_id": "e", "tracking_number": "T", "code": "delivered",
                "occurred_at": "2026-11-20T10:00:00Z"}  # fmt: skip
        cases = [
            ([base], "JSON object"),
            ({"events": []}, "non-empty"),
            ({k: v for k, v in base.items() if k != "event_id"},
             "event.event_id is required"),
            ({k: v for k, v in base.items() if k != "tracking_number"},
             "shipment_reference or a tracking_number"),
            (dict(base, code="teleported"), "not a canonical event code"),
            (dict(base, occurred_at="yesterday"), "not an RFC 3339"),
            (dict(base, occurred_at="2026-11-20T10:00:00"), "time zone"),
            (dict(base, location=12), "event.location must be a string"),
            ({"events": [base, dict(base, code="x")]}, "events[1].code"),
        ]  # fmt: skip
        for data, reason in cases:
            problem = self._problem(data)
            self.assertIn(reason, problem or "", data)
        self.assertEqual(
            self.adapter.check_webhook_shape({}, b"not json"), "the body is not JSON"
        )
        with self.assertRaises(CarrierValidationError):
            self.adapter.parse_webhook({}, json.dumps(dict(base, code="x")).encode())

    def test_message_id_is_the_webhook_id(self):
        self.assertEqual(
            self.adapter.webhook_message_id({"webhook-id": "msg_9"}, b"{}"), "msg_9"
        )
