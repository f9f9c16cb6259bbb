# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Carrier webhooks: verify, store durably, answer fast.

``POST /logistics/webhook/<carrier_code>/<account_token>`` (contract). The
request does only what must happen before the carrier gets its answer:
resolve the account by its token, reject what is too big or not JSON,
authenticate the sender with the carrier adapter, insert the raw message in
the inbox (a duplicate changes nothing) and make sure a drain job is pending.
Parsing and applying happen in the job.

The account model owns the look-up of the account and its secrets
(``_webhook_account``) and the adapter cache (``_get_webhook_adapter``);
the adapter owns authentication and the shape of its messages.

Safe under concurrency (identical pushes are what a carrier's retries send):

* the body is read once, bounded, and kept on the request (``_read_body``):
  if Odoo retries the request after a serialization failure, the retry reads
  the same body again instead of an empty one;
* the request's own transaction only reads; the inbox row and the drain job
  are written on a short READ COMMITTED transaction of their own
  (``_store_durably``), where an INSERT ... ON CONFLICT DO NOTHING, its
  foreign-key checks and the duplicate counter cannot fail with a
  serialization error whatever other transactions do to the account row.
  It is committed before the answer leaves: a 2xx means stored.
"""

import json
import logging

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from logistics_carriers import WebhookAuthError, mask_headers

_logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1024 * 1024
KEPT_HEADERS = ("content-type", "user-agent", "x-request-id", "x-correlation-id")


MAX_JSON_DEPTH = 64  # carriers' payloads nest a handful of levels


def _depth(value):
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _answer(status, payload):
    return request.make_json_response(payload, status=status)


def _read_body(limit):
    """The request body, at most ``limit + 1`` bytes, read once.

    Bounded while reading: a chunked body has no Content-Length, and
    ``get_data()`` would read it to its end before any check (Odoo's
    HTTPRequest hides the WSGI stream). Kept on the request: Odoo serves a
    request again after a serialization failure, and the stream is empty by
    then (a retried webhook must see its body, not answer "empty_body").
    """
    httprequest = request.httprequest
    body = getattr(httprequest, "_logistics_body", None)
    if body is None:
        stream = httprequest._HTTPRequest__wrapped.stream
        body = stream.read(limit + 1)
        httprequest._logistics_body = body
    return body


class LogisticsWebhookController(http.Controller):
    @staticmethod
    def _store_durably(env, account_id, message_key, body, headers):
        """Insert the message and ensure its drain job on a short transaction
        of its own (READ COMMITTED), committed here; None for a duplicate.

        The request's cursor carries it: what the request did so far is only
        reads (the account), committed first; the store then runs on a new
        transaction of the same connection (no second connection per push)."""
        cr = env.cr
        own_transaction = not env.registry.in_test_mode()  # a test cursor is
        if own_transaction:  # a savepoint of the test's transaction
            cr.commit()
            # sent with the next BEGIN (no round trip of its own); the next
            # cursor on this pooled connection sets Odoo's level again
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
        inbox = env["logistics.inbound.message"].sudo()
        message_id = inbox._store(account_id, message_key, body, headers)
        if own_transaction:
            cr.commit()  # a 2xx means stored
        return message_id

    @http.route(
        "/logistics/webhook/<string:carrier_code>/<string:account_token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, carrier_code, account_token, **kwargs):
        env = request.env
        accounts = env["logistics.carrier.account"]
        # 1. the account and its secrets, by its secret path token (one query)
        found = accounts._webhook_account(carrier_code, account_token)
        if not found:
            raise NotFound()
        account_id, write_date, secrets = found
        # 2. size, before reading the body
        limit = int(
            env["ir.config_parameter"]
            .sudo()
            .get_param("logistics.webhook_max_bytes", DEFAULT_MAX_BYTES)
        )
        length = request.httprequest.content_length
        if length is not None and length > limit:
            return _answer(413, {"error": "payload_too_large", "limit": limit})
        body = _read_body(limit)
        if len(body) > limit:
            return _answer(413, {"error": "payload_too_large", "limit": limit})
        if not body.strip():
            return _answer(400, {"error": "empty_body"})
        # 3. authenticity: HMAC or the carrier's credential header
        adapter = accounts._get_webhook_adapter(account_id, write_date)
        if adapter is None:
            raise NotFound()
        headers = request.httprequest.headers
        try:
            adapter.verify_webhook(headers, body, secrets)
        except (WebhookAuthError, UnicodeError) as err:
            _logger.info("Webhook refused for account %s: %s", account_id, err)
            return _answer(401, {"error": "unauthorized"})
        # 4. malformed: not JSON at all (the shape is checked by the job)
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            return _answer(400, {"error": "malformed_json"})
        if _depth(parsed) > MAX_JSON_DEPTH:
            return _answer(400, {"error": "too_deeply_nested", "limit": MAX_JSON_DEPTH})
        if adapter.check_shape_on_receipt:
            try:
                problem = adapter.check_webhook_shape(headers, body)
            except Exception as err:  # the check's own fault: keep the message,
                # the drain job fails it with the reason (nothing is lost)
                _logger.warning(
                    "Shape check of a webhook of account %s: %r", account_id, err
                )
                problem = None
            if problem:
                return _answer(400, {"error": "invalid_payload", "reason": problem})
        # 5. durable insert + pending drain job, in this transaction
        kept = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
        # the header a carrier authenticates with may have a custom name (DHL)
        secret_header = (adapter.push_header or "").lower()
        for key, value in mask_headers(dict(headers)).items():
            if key.lower().startswith("x-") and key.lower() not in kept:
                kept[key] = "***" if key.lower() == secret_header else value
        message_id = self._store_durably(
            env,
            account_id,
            adapter.webhook_message_id(headers, body),
            body.decode("utf-8", errors="replace"),
            json.dumps(kept),
        )
        if message_id is None:
            return _answer(200, {"status": "duplicate"})
        # 200, not 202: some carriers (UPS Track Alert) document 200 as the
        # only successful answer to a push
        return _answer(200, {"status": "accepted", "id": message_id})
