# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Shipment Tracking - Unified: one tracking number per call, paced to
the published app limits (DHL-RL), backing off on 429; events and status
mapping.
"""

import hashlib
import re
import time
from datetime import datetime, timezone
from urllib.parse import quote

from logistics_carriers import (
    CarrierAuthError,
    CarrierTransientError,
    CarrierValidationError,
    TrackingEvent,
)

from . import dhl_status
from .constants import PUBLIC_TRACKING_URL, UNIFIED_STATUS_CODES
from .values import _seconds_to_utc_midnight, dhl_timestamp


class TrackPacer:
    """Pacing shared by several processes (protocol; Odoo keeps it on the
    carrier account row).

    ``reserve(key, interval, daily_limit)`` books the next tracking call and
    returns the seconds to wait before making it, or None when the daily
    quota is used up; ``hold(key, seconds)`` pushes the next call back after
    a 429.
    """

    def reserve(self, key, interval, daily_limit):  # pragma: no cover
        raise NotImplementedError

    def hold(self, key, seconds):  # pragma: no cover
        raise NotImplementedError


class DhlTrackingMixin:
    """Paced tracking calls and TrackingEvents (of DhlParcelDeAdapter)."""

    def tracking_url(self, tracking_number):
        template = self.extra.get("tracking_url") or PUBLIC_TRACKING_URL
        number = quote(str(tracking_number or ""), safe="")
        if "{number}" in template:
            return template.replace("{number}", number)
        return template + number

    def _tracking_key(self):
        key = self.extra.get("tracking_api_key") or self.config.client_id
        if not key:
            raise CarrierAuthError(
                "The DHL account has no API key for Shipment Tracking - Unified. "
                "An administrator must set one.",
                code="missing_credentials",
                category="authentication",
            )
        return key

    def _quota_key(self, api_key):
        text = f"{self.tracking_endpoint}|{api_key}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def _track_slot(self, quota_key):
        """Reserve the next call slot: the daily quota, then the pace.

        With a ``pacer`` (Odoo: the account row, shared by every worker
        process) the reservation is made there; otherwise in this process.
        """
        if self.pacer is not None:
            wait = self.pacer.reserve(
                quota_key, float(self.track_min_interval), self.track_daily_limit
            )
            if wait is None:
                raise self._quota_error()
            if wait:
                self._sleep(wait)
            return
        with self._track_lock:
            state = self._track_state.setdefault(
                quota_key, {"next": 0.0, "day": None, "count": 0}
            )
            today = datetime.now(timezone.utc).date()
            if state["day"] != today:
                state.update(day=today, count=0)
            if self.track_daily_limit and state["count"] >= self.track_daily_limit:
                raise self._quota_error()
            now = time.monotonic()
            wait = max(0.0, state["next"] - now)
            state["next"] = max(now, state["next"]) + float(self.track_min_interval)
            state["count"] += 1
        if wait:
            self._sleep(wait)

    def _quota_error(self):
        return CarrierTransientError(
            f"The daily quota of {self.track_daily_limit} DHL tracking calls "
            "is used up; it resets at 24:00 GMT.",
            code="daily_quota",
            retry_after=_seconds_to_utc_midnight(),
            maybe_sent=False,
        )

    def _track_hold(self, quota_key, seconds):
        """After a 429: no call with this key for ``seconds``."""
        if self.pacer is not None:
            self.pacer.hold(quota_key, float(seconds))
            return
        with self._track_lock:
            state = self._track_state.setdefault(
                quota_key, {"next": 0.0, "day": None, "count": 0}
            )
            state["next"] = max(state["next"], time.monotonic() + seconds)

    def _track_one(self, number, api_key, quota_key, postal_code=None):
        """Unified JSON of one tracking number; None when DHL knows it not.

        ``recipientPostalCode``: parcel-de (and parcel-nl) answer the full
        data (signatory, addresses) only with the recipient's postal code.
        """
        params = {"trackingNumber": number}
        service = self.extra.get("tracking_service", self.track_service)
        if service:
            params["service"] = service
        if postal_code:
            params["recipientPostalCode"] = postal_code
        if self.extra.get("tracking_language"):
            params["language"] = self.extra["tracking_language"]
        for attempt in range(self.track_max_retries + 1):
            self._track_slot(quota_key)
            try:
                response = self.http.request(
                    "GET",
                    self.tracking_endpoint,
                    operation="tracking",
                    params=params,
                    headers={"DHL-API-Key": api_key},
                )
            except CarrierTransientError as err:
                if err.status != 429:
                    raise
                wait = err.retry_after or min(
                    self.track_backoff * 2**attempt, self.track_backoff_max
                )
                self._track_hold(quota_key, wait)
                if attempt >= self.track_max_retries:
                    err.maybe_sent = False
                    err.retry_after = max(err.retry_after or 0.0, wait)
                    raise
                continue
            break
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise CarrierAuthError(
                f"DHL refused the tracking API key (HTTP {response.status_code}). An "
                "administrator must check the account's Tracking API key.",
                status=response.status_code,
                code="unauthorized",
                carrier_message=self._carrier_text(response),
                category="authentication",
            )
        if response.status_code == 400:
            raise CarrierValidationError(
                f"DHL refused to track {number}: {self._carrier_text(response)}",
                status=400,
                code="bad_request",
                carrier_message=self._carrier_text(response),
                category="data",
            )
        if response.status_code != 200:
            raise self._unexpected(response)
        return self._json(response)

    def track(self, tracking_numbers, postal_codes=None):
        """Events of ``tracking_numbers`` (one paced Unified call each).

        ``postal_codes`` (number -> recipient postal code), else
        :attr:`postal_code_lookup` (a callable the Odoo account sets), give
        each call its ``recipientPostalCode``. Numbers DHL does not know
        (yet: new shipments take 10-30 minutes to appear) are listed in
        ``last_track_not_found``.
        """
        numbers = [str(n).strip() for n in tracking_numbers or [] if str(n).strip()]
        numbers = list(dict.fromkeys(numbers))
        self.last_track_not_found = []
        if not numbers:
            return []
        api_key = self._tracking_key()
        quota_key = self._quota_key(api_key)
        if postal_codes is None and self.postal_code_lookup is not None:
            postal_codes = self.postal_code_lookup(numbers)
        postal_codes = postal_codes or {}
        events = []
        for number in numbers:
            postal = re.sub(r"\s", "", str(postal_codes.get(number) or ""))
            data = self._track_one(number, api_key, quota_key, postal or None)
            if data is None:
                self.last_track_not_found.append(number)
                continue
            events.extend(self.events_from_response(data, number))
        events.sort(key=lambda e: e.occurred_at)
        return events

    @staticmethod
    def _matches(shipment, number):
        details = shipment.get("details") or {}
        pieces = [str(p) for p in details.get("pieceIds") or []]
        return str(shipment.get("id") or "") == number or number in pieces

    def events_from_response(self, data, number=None):
        """TrackingEvents of a Unified response (or push message)."""
        shipments = [s for s in data.get("shipments") or [] if isinstance(s, dict)]
        if number:
            chosen = [s for s in shipments if self._matches(s, number)]
            if not chosen and len(shipments) == 1:
                chosen = shipments
        else:
            chosen = shipments
        events = []
        for shipment in chosen:
            events.extend(self.events_from_shipment(shipment, number))
        return sorted(events, key=lambda e: e.occurred_at)

    @staticmethod
    def _detail(item, service):
        """A service-specific code carried by a Unified event, if any."""
        for key in ("statusDetailed", "typeCode", "eventCode"):
            value = str(item.get(key) or "").strip().upper()
            if not value or " " in value:
                continue
            code, _sep, ric = value.partition("/")
            if dhl_status.detail_code(code, service, ric):
                return value
        return ""

    @staticmethod
    def _location(location):
        if isinstance(location, str):  # a bare place name, not the object
            return location.strip()
        if not isinstance(location, dict):
            return ""
        address = location.get("address") or {}
        if not isinstance(address, dict):
            return str(address).strip() if isinstance(address, str) else ""
        parts = (address.get("postalCode"), address.get("addressLocality"))
        place = " ".join(str(p) for p in parts if p)
        country = address.get("countryCode") or ""
        return ", ".join(p for p in (place, country) if p)

    def events_from_shipment(self, shipment, number=None):
        number = str(number or shipment.get("id") or "")
        service = str(shipment.get("service") or "")
        details = shipment.get("details") or {}
        signed = (details.get("proofOfDelivery") or {}).get("signed") or {}
        signatory = str(signed.get("name") or "") if isinstance(signed, dict) else ""
        items = [e for e in shipment.get("events") or [] if isinstance(e, dict)]
        status = shipment.get("status")
        if isinstance(status, dict) and not any(
            self._same_event(status, item) for item in items
        ):
            # the status repeats the newest event, sometimes with a "Z" where
            # the event has German local time (DHL's own example): once only
            items.append(status)
        events, seen = [], set()
        for item in items:
            event = self._event(number, service, item, signatory)
            if event is not None and event.dedupe_key not in seen:
                seen.add(event.dedupe_key)
                events.append(event)
        return events

    @staticmethod
    def _same_event(status, item):
        keys = ("statusCode", "status", "description", "location")
        return all(status.get(k) == item.get(k) for k in keys)

    def _event(self, number, service, item, signatory=""):
        if not item.get("timestamp"):
            dhl_status.count_unmapped("no_timestamp", number)
            self._spec_mismatch(
                "tracking", f"event of {number} without timestamp", item
            )
            return None
        try:
            occurred = dhl_timestamp(item["timestamp"])
        except (TypeError, ValueError):
            dhl_status.count_unmapped("bad_timestamp", str(item["timestamp"]))
            self._spec_mismatch(
                "tracking", f"event of {number} with an unreadable timestamp", item
            )
            return None
        status_code = str(item.get("statusCode") or "unknown").strip().lower()
        if status_code not in UNIFIED_STATUS_CODES:
            self._spec_mismatch(
                "tracking",
                f"event of {number} with statusCode {status_code!r} (Unified: "
                + ", ".join(UNIFIED_STATUS_CODES)
                + ")",
                item,
            )
        detail = self._detail(item, service)
        raw_code = f"{status_code}:{detail}" if detail else status_code
        code = self.map_status(raw_code, service=service)
        text = str(item.get("description") or item.get("status") or "")
        if not text and detail:
            text = dhl_status.description(detail.partition("/")[0], service)
        return TrackingEvent(
            tracking_number=number,
            code=code,
            raw_code=raw_code,
            description=text,
            occurred_at=occurred,
            location=self._location(item.get("location")),
            signatory=signatory if code == "delivered" else "",
        )

    def map_status(self, raw_code, **context):
        return dhl_status.map_dhl_status(
            raw_code, context.get("service"), context.get("ric", "")
        )
