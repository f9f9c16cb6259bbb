# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP client shared by the adapters: timeouts, error classes, masked logs."""

import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import requests
from urllib3.exceptions import NewConnectionError

from .errors import CarrierTransientError
from .masking import is_json_body, mask_headers, mask_text

_logger = logging.getLogger(__name__)

MAX_LOG_BODY = 64 * 1024
DEFAULT_OK = (200, 201, 202, 204, 207)
_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")
_BINARY_TYPES = (
    "application/pdf",
    "image/",
    "application/octet-stream",
    "application/zip",
)


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` value (seconds or HTTP date)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if _NUMBER_RE.fullmatch(text):
        return max(0.0, float(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _never_connected(exc):
    """True when the connection was never established (request not sent)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)


def _cap(text):
    if text is None or len(text) <= MAX_LOG_BODY:
        return text
    return text[:MAX_LOG_BODY] + f"... [truncated, {len(text)} characters]"


def _body_for_log(body, content_type):
    """Masked, capped text of a request or response body."""
    if body is None or body in (b"", ""):
        return None
    ctype = (content_type or "").lower()
    if isinstance(body, bytes | bytearray) and any(t in ctype for t in _BINARY_TYPES):
        return f"<{len(body)} bytes {ctype}>"
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8", errors="replace")
    suffix = ""
    if len(body) > MAX_LOG_BODY and not is_json_body(body, content_type):
        # regex masking only needs what is kept; cut at a space so that no
        # half e-mail or phone number escapes the patterns (JSON is masked
        # whole: a cut document could not be parsed)
        suffix = f"... [truncated, {len(body)} characters]"
        cut = body.rfind(" ", MAX_LOG_BODY // 2, MAX_LOG_BODY)
        body = body[: cut if cut > 0 else MAX_LOG_BODY]
    try:
        return _cap(mask_text(body, content_type)) + suffix
    except Exception:  # logging must never break a carrier call
        _logger.exception("Could not mask a body for the integration log")
        return "<body could not be masked>"


class CarrierHttpClient:
    """One ``requests.Session`` per carrier account, explicit timeouts."""

    def __init__(
        self,
        base_url,
        *,
        connect_timeout=5.0,
        read_timeout=30.0,
        log_sink=None,
        session=None,
        account_ref="",
    ):
        self.base_url = (base_url or "").rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.log_sink = log_sink
        self.session = session or requests.Session()
        self.account_ref = account_ref

    def url_for(self, path):
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def close(self):
        self.session.close()

    def request(
        self,
        method,
        path,
        *,
        operation,
        json=None,
        data=None,
        params=None,
        headers=None,
        auth=None,
        correlation_id=None,
        ok=DEFAULT_OK,
        timeout=None,
    ):
        """Send one request; raise :class:`CarrierTransientError` when retryable.

        Timeouts, connection errors, 429 and 5xx raise; any other status is
        returned for the adapter to classify.
        """
        correlation_id = correlation_id or uuid.uuid4().hex
        url = self.url_for(path)
        all_headers = {"Accept": "application/json"}
        all_headers.update(headers or {})
        all_headers["X-Correlation-ID"] = correlation_id
        entry = {
            "operation": operation,
            "method": method.upper(),
            "url": url,
            "request_headers": None,
            "request_body": None,
            "status_code": None,
            "response_headers": None,
            "response_body": None,
            "latency_ms": None,
            "correlation_id": correlation_id,
            "error": None,
            "account_ref": self.account_ref,
        }
        prepared = None
        start = time.perf_counter()
        try:
            req = requests.Request(
                method.upper(),
                url,
                json=json,
                data=data,
                params=params,
                headers=all_headers,
                auth=auth,
            )
            prepared = self.session.prepare_request(req)
            entry["url"] = prepared.url
            settings = self.session.merge_environment_settings(
                prepared.url, {}, None, None, None
            )
            response = self.session.send(
                prepared,
                timeout=timeout or (self.connect_timeout, self.read_timeout),
                allow_redirects=False,
                **settings,
            )
            entry["latency_ms"] = round((time.perf_counter() - start) * 1000, 2)
            self._fill_response(entry, response)
            if response.status_code == 429 or response.status_code >= 500:
                raise self._transient_from_response(response, correlation_id)
            if response.status_code not in ok:
                entry["error"] = f"HTTP {response.status_code}"
            return response
        except CarrierTransientError as err:
            entry["error"] = f"{err.kind}: {err.message}"
            raise
        except requests.Timeout as exc:
            read = not isinstance(exc, requests.ConnectTimeout)
            entry["error"] = f"timeout: {exc}"
            raise CarrierTransientError(
                "The carrier did not answer in time "
                f"({'read' if read else 'connect'} timeout).",
                code="read_timeout" if read else "connect_timeout",
                carrier_message=str(exc),
                maybe_sent=read,
                correlation_id=correlation_id,
            ) from exc
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            refused = _never_connected(exc)
            entry["error"] = f"connection: {exc}"
            raise CarrierTransientError(
                "The carrier could not be reached (connection "
                f"{'refused' if refused else 'failed or was reset'}).",
                code="connect_failed" if refused else "connection_error",
                carrier_message=str(exc),
                maybe_sent=not refused,
                correlation_id=correlation_id,
            ) from exc
        except Exception as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            if entry["latency_ms"] is None:
                entry["latency_ms"] = round((time.perf_counter() - start) * 1000, 2)
            self._fill_request(entry, prepared, all_headers, json, data)
            self._emit(entry)

    @staticmethod
    def _fill_request(entry, prepared, headers, json_body, data):
        if prepared is not None:
            headers = prepared.headers
            body = prepared.body
        elif json_body is not None:
            body = json.dumps(json_body)
        elif isinstance(data, dict):
            body = urlencode(data)
        else:
            body = data
        entry["request_headers"] = mask_headers(headers)
        ctype = {k.lower(): v for k, v in dict(headers).items()}.get("content-type")
        if ctype is None and json_body is not None:
            ctype = "application/json"
        entry["request_body"] = _body_for_log(body, ctype)

    @staticmethod
    def _fill_response(entry, response):
        entry["status_code"] = response.status_code
        entry["response_headers"] = mask_headers(response.headers)
        entry["response_body"] = _body_for_log(
            response.content, response.headers.get("Content-Type")
        )

    def _emit(self, entry):
        if not self.log_sink:
            return
        try:
            self.log_sink(entry)
        except Exception:  # a broken log must not break the shipment
            _logger.exception("Integration log sink failed")

    @staticmethod
    def _transient_from_response(response, correlation_id):
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429:
            message = "The carrier is rate limiting our requests (HTTP 429)."
        else:
            message = f"The carrier's service is unavailable (HTTP {status})."
        message += " Try again later."
        return CarrierTransientError(
            message,
            status=status,
            code="rate_limited" if status == 429 else "server_error",
            carrier_message=(response.text or "")[:2000],
            retry_after=retry_after,
            correlation_id=correlation_id,
            # 429 and 503 refuse the request before doing it: safe to send
            # again; 500/502/504 may come after the work was done.
            maybe_sent=status not in (429, 503),
        )
