# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Tracking v1: one Track API call per number, events and status mapping."""

import time
from datetime import datetime, timezone
from urllib.parse import quote

from logistics_carriers import CarrierValidationError, TrackingEvent

from . import ups_status
from .values import as_list, dig, ups_datetime


class UpsTrackingMixin:
    """Polling the Track API and building TrackingEvents (of UpsAdapter)."""

    def iter_track_batches(self, tracking_numbers):
        """Chunks of ``track_batch_size`` numbers, ``track_min_interval`` apart."""
        numbers = [n for n in dict.fromkeys(tracking_numbers or []) if n]
        for start in range(0, len(numbers), self.track_batch_size):
            if start and self.track_min_interval:
                time.sleep(self.track_min_interval)
            yield numbers[start : start + self.track_batch_size]

    def track(self, tracking_numbers):
        """Events of every number (one Track API call each), oldest first.

        Numbers UPS does not know (404, or 200 with warning TW0001) or calls
        invalid (400, e.g. TV1002) give no events and are listed in
        ``last_track_problems``; authentication and transient errors raise.
        """
        self.last_track_problems = {}
        events = []
        for number in dict.fromkeys(n.strip() for n in tracking_numbers if n):
            if number:
                events += self.track_one(number)
        events.sort(key=lambda e: e.occurred_at)
        return events

    def track_one(self, number):
        response = self._call(
            "GET",
            f"/track/v1/details/{quote(number, safe='')}",
            operation="tracking",
            params={
                "locale": "en_US",
                "returnSignature": "false",
                "returnMilestones": "false",
                "returnPOD": "false",
            },
        )
        try:
            data = self._check(response, "tracking")
        except CarrierValidationError as err:  # 404 not found, 400 invalid
            self.last_track_problems[number] = err.carrier_message or str(err)
            return []
        events = self.parse_track_response(data, number)
        if not events:
            self.last_track_problems.setdefault(number, "no tracking information")
        return events

    def parse_track_response(self, data, inquiry_number=""):
        """TrackingEvents of a ``trackResponse`` (empty when not found).

        Shipment warnings (e.g. ``TW0001`` not found) are kept in
        ``last_track_problems``.
        """
        events = []
        for shipment in as_list(dig(data, "trackResponse", "shipment")):
            if not isinstance(shipment, dict):
                continue
            for warning in as_list(shipment.get("warnings")):
                if isinstance(warning, dict) and warning.get("code"):
                    number = str(shipment.get("inquiryNumber") or inquiry_number)
                    self.last_track_problems[number] = (
                        f"{warning.get('message') or ''} ({warning['code']})".strip()
                    )
            for package in as_list(shipment.get("package")):
                if not isinstance(package, dict):
                    continue
                number = str(package.get("trackingNumber") or "").strip()
                signatory = str(
                    dig(package, "deliveryInformation", "receivedBy") or ""
                ).strip()
                # newest first: read backwards so that equal times keep order
                for activity in reversed(as_list(package.get("activity"))):
                    if isinstance(activity, dict):
                        events.append(self._activity_event(number, activity, signatory))
        events.sort(key=lambda e: e.occurred_at)
        return events

    @staticmethod
    def _location(address):
        if not isinstance(address, dict):
            return ""
        parts = [
            address.get("city"),
            address.get("stateProvince"),
            address.get("postalCode"),
            address.get("countryCode") or address.get("country"),
        ]
        return ", ".join(str(p).strip() for p in parts if p and str(p).strip())

    def _event(self, number, status, occurred_at, location, signatory):
        status = status if isinstance(status, dict) else {}
        status_code = status.get("statusCode") or status.get("descriptionCode")
        type_, code = status.get("type"), status.get("code")
        raw_code = ups_status.composite_code(status_code, type_, code)
        canonical = self.map_status(raw_code)
        description = str(status.get("description") or "").strip()
        return TrackingEvent(
            tracking_number=number,
            code=canonical,
            raw_code=raw_code,
            description=description or ups_status.description(status_code),
            occurred_at=occurred_at or datetime.now(timezone.utc),
            location=location,
            signatory=signatory if canonical == "delivered" else "",
        )

    def _activity_event(self, number, activity, signatory=""):
        occurred = ups_datetime(
            activity.get("gmtDate"), activity.get("gmtTime")
        ) or ups_datetime(
            activity.get("date"), activity.get("time"), activity.get("gmtOffset")
        )
        if occurred is None:
            self._spec_mismatch(
                "tracking", f"activity of {number} without a readable date", activity
            )
        return self._event(
            number,
            activity.get("status"),
            occurred,
            self._location(dig(activity, "location", "address")),
            signatory,
        )

    def map_status(self, raw_code, type=None, code=None, **context):
        """Canonical code: statusCode first, refined by ``type`` and ``code``.

        ``raw_code`` is a statusCode (``"011"``, ``11``) or the composite raw
        code stored on events (``"011/D/FS"``). Unmapped -> ``info``, counted
        in ``self.unmapped``.
        """
        canonical = ups_status.map_status(raw_code, type, code)
        if not ups_status.is_mapped(raw_code, type, code):
            parts = ups_status.split_raw_code(raw_code, type, code)
            key = ups_status.composite_code(*parts)
            self.unmapped[key] = self.unmapped.get(key, 0) + 1
        return canonical

    def tracking_url(self, tracking_number):
        return "https://www.ups.com/track?loc=en_US&tracknum=" + quote(
            str(tracking_number or "").strip(), safe=""
        )
