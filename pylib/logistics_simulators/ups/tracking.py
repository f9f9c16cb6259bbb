# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS tracking state: the activities of each package (``_events``), the
canonical steps and their UPS codes, ``advance`` (add an activity, push it
with Track Alert) and the Tracking API (``/track/v1/details``)."""

import time
from datetime import datetime, timedelta, timezone

from ..core.http import Reply
from ..core.progress import PROGRESS
from .common import INQUIRY_RE, require_trans_headers, ups_errors

# Tracking steps: canonical name -> (type, code, statusCode, description)
STEPS = {
    "label_created": (
        "M",
        "MP",
        "003",
        "Shipper created a label, UPS has not received the package yet. ",
    ),
    "pickup_scheduled": ("I", "SP", "077", "Scheduled for pickup today"),
    "picked_up": ("I", "OR", "038", "Origin Scan"),
    "in_transit": ("I", "AT", "005", "On the Way"),
    "arrived_at_facility": ("I", "AR", "005", "Arrived at Facility"),
    "departed_facility": ("I", "DP", "005", "Departed from Facility"),
    "customs_hold": ("X", "5", "012", "Clearance in progress"),
    "customs_cleared": ("I", "AT", "014", "Clearance completed"),
    "delayed": ("X", "16", "046", "Delay: weather conditions"),
    "out_for_delivery": ("I", "OT", "021", "Out For Delivery Today"),
    "delivery_attempted": (
        "X",
        "48",
        "022",
        "The receiver was not available for delivery. We'll make a second "
        "attempt the next business day.",
    ),
    "available_for_pickup": ("X", "54", "017", "Held for customer pickup"),
    "delivered": ("D", "FS", "011", "Delivered"),
    "returned_to_sender": ("X", "90", "034", "Returned to sender"),
    "address_issue": ("X", "A6", "050", "The address is incomplete"),
    "damaged": ("X", "13", "059", "Damage reported"),
    "lost": ("X", "24", "068", "Sent to lost and found"),
    "cancelled": ("MV", "VP", "007", "Shipment information voided"),
}
STATUS_AFTER = {
    "picked_up": "picked_up",
    "in_transit": "in_transit",
    "arrived_at_facility": "in_transit",
    "departed_facility": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "returned_to_sender": "returned_to_sender",
    "lost": "lost",
}
LOCATIONS = {
    "picked_up": ("TIMONIUM", "MD", "21093"),
    "in_transit": ("LOUISVILLE", "KY", "40209"),
    "arrived_at_facility": ("LOUISVILLE", "KY", "40209"),
    "departed_facility": ("LOUISVILLE", "KY", "40209"),
    "out_for_delivery": ("ATLANTA", "GA", "30328"),
    "delivered": ("ATLANTA", "GA", "30328"),
}
LOCAL_OFFSET = timedelta(hours=-4)
# UPS's CIE test numbers replay events (UPS FAQ): canned histories here.
CIE_NUMBERS = {
    "1ZCIETST0111111114": ("label_created", "picked_up", "in_transit", "delivered"),
    "1ZCIETST0422222228": (
        "label_created",
        "out_for_delivery",
        "delivery_attempted",
    ),
}


class UpsTracking:
    """Mixin of :class:`~logistics_simulators.ups.UpsSimulatorServer`."""

    def _seed_cie_numbers(self):
        """UPS's CIE test numbers answer canned histories."""
        for number, steps in CIE_NUMBERS.items():
            self._events[number] = []
            start = datetime.now(timezone.utc) - timedelta(hours=len(steps) + 1)
            for index, step in enumerate(steps):
                self._events[number].append(
                    self._activity(step, start + timedelta(hours=index))
                )

    def _activity(self, step, when=None):
        type_, code, status_code, description = STEPS[step]
        when = when or datetime.now(timezone.utc)
        local = when + LOCAL_OFFSET
        city, state, postal = LOCATIONS.get(step, ("", "", ""))
        address = {"countryCode": "US", "country": "US"}
        if city:
            address.update(city=city, stateProvince=state, postalCode=postal)
        return {
            "location": {"address": address},
            "status": {
                "type": type_,
                "description": description,
                "code": code,
                "statusCode": status_code,
            },
            "date": local.strftime("%Y%m%d"),
            "time": local.strftime("%H%M%S"),
            "gmtDate": when.strftime("%Y%m%d"),
            # Track API (real answers): gmtTime "20:04:35", gmtOffset "-04:00"
            "gmtTime": when.strftime("%H:%M:%S"),
            "gmtOffset": "-04:00",
        }

    def _op_track(self, headers, arg, **_):
        missing = require_trans_headers(headers)
        if missing is not None:
            return missing
        number = arg.strip()
        if not INQUIRY_RE.fullmatch(number):
            return ups_errors(400, ("TV1002", "Invalid inquiry number"))
        with self._lock:
            activities = [dict(a) for a in reversed(self._events.get(number, []))]
        if not activities:
            if self.not_found_style == "200":
                warning = {
                    "code": "TW0001",
                    "message": "Tracking Information Not Found",
                }
                return Reply(
                    200, {"trackResponse": {"shipment": [{"warnings": [warning]}]}}
                )
            return ups_errors(404, ("TW0001", "Tracking Information Not Found"))
        package = {
            "trackingNumber": number,
            "currentStatus": activities[0]["status"],
            "activity": activities,
            "packageCount": 1,
        }
        if activities[0]["status"]["type"] == "D":
            package["deliveryDate"] = [{"type": "DEL", "date": activities[0]["date"]}]
            package["deliveryInformation"] = {"receivedBy": "FRONT DOOR"}
        return Reply(
            200,
            {
                "trackResponse": {
                    "shipment": [{"inquiryNumber": number, "package": [package]}]
                }
            },
        )

    def advance(
        self,
        number,
        status,
        *,
        description=None,
        location="",
        occurred_at=None,
        push=None,
    ):
        """Add a tracking activity to a shipment (id) or one package (number).

        ``status`` is a canonical step name (``STEPS``). Subscribed numbers
        (or all, with an account subscription) are pushed (Track Alert)
        unless ``push`` is False; ``push=True`` pushes to the configured
        ``webhook_url`` even without a subscription.
        Returns the new activities.
        """
        if status not in STEPS:
            raise ValueError(f"unknown status {status!r}; use one of {sorted(STEPS)}")
        when = occurred_at
        if isinstance(when, str):
            when = datetime.fromisoformat(when.replace("Z", "+00:00"))
        with self._lock:
            if number in self._shipments:
                record = self._shipments[number]
                numbers = list(record["tracking_numbers"])
            elif number in self._events:
                record = self._shipments.get(self._by_tracking.get(number))
                numbers = [number]
            else:
                raise KeyError(f"unknown shipment or tracking number {number!r}")
            activities = []
            for tn in numbers:
                activity = self._activity(status, when)
                if description:
                    activity["status"]["description"] = description
                if location:
                    activity["location"]["address"]["city"] = location
                self._events[tn].append(activity)
                activities.append((tn, activity))
                if record is not None and status in STATUS_AFTER:
                    record["packages"][tn] = STATUS_AFTER[status]
            if record is not None and status in STATUS_AFTER:
                record["status"] = STATUS_AFTER[status]
                record["next_advance_at"] = None
                if self.auto_advance and record["status"] in PROGRESS[:-1]:
                    record["next_advance_at"] = time.time() + float(self.auto_advance)
        if push is not False:
            for tn, activity in activities:
                self._push_activity(tn, activity, force=bool(push))
        return [activity for _tn, activity in activities]
