# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Carrier-neutral data transfer objects.

Weights in kg, dimensions in cm, datetimes tz-aware UTC.
"""

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timezone

CANONICAL_CODES = (
    "label_created",
    "pickup_scheduled",
    "picked_up",
    "in_transit",
    "arrived_at_facility",
    "departed_facility",
    "customs_hold",
    "customs_cleared",
    "delayed",
    "out_for_delivery",
    "delivery_attempted",
    "available_for_pickup",
    "delivered",
    "returned_to_sender",
    "address_issue",
    "damaged",
    "lost",
    "cancelled",
    "info",
)


def _num(value, digits=3):
    """Normalise a number so that 1, 1.0 and 1.0000001 serialise alike."""
    return round(float(value or 0.0), digits)


def _from_dict(cls, data):
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in (data or {}).items() if k in names})


def to_utc(value):
    """Return ``value`` as a tz-aware UTC datetime (naive means UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_datetime(value):
    """Parse an ISO 8601 string (``Z`` accepted) into a UTC datetime."""
    if isinstance(value, datetime):
        return to_utc(value)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return to_utc(datetime.fromisoformat(text))
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 in UTC
        raise ValueError(f"date and time out of range: {text[:40]!r}") from None


@dataclass
class Address:
    name: str
    street: str
    city: str
    zip: str
    country_code: str  # ISO-3166 alpha-2
    street2: str = ""
    state_code: str = ""
    company_name: str = ""
    phone: str = ""  # E.164
    email: str = ""

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return _from_dict(cls, data)


@dataclass
class Parcel:
    weight_kg: float
    length_cm: float = 0
    width_cm: float = 0
    height_cm: float = 0
    reference: str = ""
    package_type: str = ""

    def to_dict(self):
        return {
            "weight_kg": _num(self.weight_kg),
            "length_cm": _num(self.length_cm),
            "width_cm": _num(self.width_cm),
            "height_cm": _num(self.height_cm),
            "reference": self.reference or "",
            "package_type": self.package_type or "",
        }

    @classmethod
    def from_dict(cls, data):
        return _from_dict(cls, data)


@dataclass
class ShipmentRequest:
    reference: str  # picking name, e.g. "WH/OUT/00012"
    idempotency_key: str  # stable key, sent to carriers that accept one
    service_code: str  # carrier product/service code
    shipper: Address
    recipient: Address
    parcels: list[Parcel]
    ship_date: date | None = None
    label_format: str = "PDF"  # PDF|PNG|GIF|ZPL
    currency: str = ""
    declared_value: float = 0.0
    is_return: bool = False  # a return label: the recipient is the warehouse
    # Customs data of a shipment leaving the shipper's customs area, filled
    # by carrier addons: {"description", "reason", "invoice_number",
    # "invoice_date", "currency", "lines": [{"description", "quantity",
    # "unit_value", "uom", "hs_code", "origin_country", "part_number"}]}.
    customs: dict = field(default_factory=dict)

    @property
    def total_weight_kg(self):
        return sum(float(p.weight_kg or 0.0) for p in self.parcels)

    def to_dict(self):
        """JSON-able and stable: equal requests give equal dicts."""
        res = {
            "reference": self.reference,
            "idempotency_key": self.idempotency_key,
            "service_code": self.service_code,
            "shipper": self.shipper.to_dict(),
            "recipient": self.recipient.to_dict(),
            "parcels": [p.to_dict() for p in self.parcels],
            "ship_date": self.ship_date.isoformat() if self.ship_date else None,
            "label_format": self.label_format,
            "currency": self.currency or "",
            "declared_value": _num(self.declared_value, 2),
            # only when present: fingerprints of domestic requests are unchanged
            **({"customs": self.customs} if self.customs else {}),
        }
        if self.is_return:  # only then: outbound fingerprints stay as they were
            res["is_return"] = True
        return res

    def fingerprint(self):
        """sha256 hex of the canonical JSON of :meth:`to_dict`."""
        payload = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data["shipper"] = Address.from_dict(data.get("shipper"))
        data["recipient"] = Address.from_dict(data.get("recipient"))
        data["parcels"] = [Parcel.from_dict(p) for p in data.get("parcels") or []]
        if data.get("ship_date") and isinstance(data["ship_date"], str):
            data["ship_date"] = date.fromisoformat(data["ship_date"])
        return _from_dict(cls, data)


@dataclass
class PackageResult:
    tracking_number: str
    label: bytes | None = None
    label_format: str = ""


@dataclass
class ShipmentResult:
    carrier_shipment_id: str
    packages: list[PackageResult]
    label_format: str = "PDF"
    charges_amount: float | None = None
    charges_currency: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def tracking_numbers(self):
        return [p.tracking_number for p in self.packages if p.tracking_number]

    @property
    def label(self):
        """The first package's label (None when the carrier sent none)."""
        for package in self.packages:
            if package.label:
                return package.label
        return None

    def to_dict(self, with_labels=False):
        """JSON-able form; labels (base64) only when ``with_labels``."""
        packages = []
        for package in self.packages:
            item = {
                "tracking_number": package.tracking_number,
                "label_format": package.label_format,
            }
            if with_labels and package.label is not None:
                item["label"] = base64.b64encode(package.label).decode("ascii")
            packages.append(item)
        return {
            "carrier_shipment_id": self.carrier_shipment_id,
            "packages": packages,
            "label_format": self.label_format,
            "charges_amount": self.charges_amount,
            "charges_currency": self.charges_currency,
            "raw": self.raw,
        }

    @classmethod
    def from_dict(cls, d):
        packages = []
        for item in d.get("packages") or []:
            label = item.get("label")
            packages.append(
                PackageResult(
                    tracking_number=item.get("tracking_number", ""),
                    label=base64.b64decode(label) if label else None,
                    label_format=item.get("label_format", ""),
                )
            )
        return cls(
            carrier_shipment_id=d.get("carrier_shipment_id", ""),
            packages=packages,
            label_format=d.get("label_format", "PDF"),
            charges_amount=d.get("charges_amount"),
            charges_currency=d.get("charges_currency", ""),
            raw=d.get("raw") or {},
        )


@dataclass
class RateQuote:
    service_code: str
    service_name: str
    amount: float
    currency: str
    transit_days: int | None = None
    negotiated: bool = False


@dataclass
class TrackingEvent:
    tracking_number: str
    code: str  # canonical code (see CANONICAL_CODES)
    raw_code: str
    description: str
    occurred_at: datetime
    location: str = ""
    carrier_event_id: str = ""
    signatory: str = ""

    def __post_init__(self):
        if isinstance(self.occurred_at, datetime):
            self.occurred_at = to_utc(self.occurred_at)

    @property
    def dedupe_key(self):
        """The carrier's event id, else a hash of number, raw code and time."""
        if self.carrier_event_id:
            return str(self.carrier_event_id)
        stamp = self.occurred_at.isoformat() if self.occurred_at else ""
        text = f"{self.tracking_number}|{self.raw_code}|{stamp}"
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def to_dict(self):
        res = asdict(self)
        res["occurred_at"] = self.occurred_at.isoformat() if self.occurred_at else None
        return res


@dataclass
class AddressValidationResult:
    valid: bool
    candidates: list[Address] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
