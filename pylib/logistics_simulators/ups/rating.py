# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Rating (Rate, Shop and their ``timeintransit`` variants) and Address
Validation (XAV)."""

import re
from datetime import datetime, timedelta, timezone

from ..core.http import Reply
from .common import (
    CURRENCIES,
    KG_PER_LB,
    NEGOTIATED_FACTOR,
    NO_POSTAL_CODE,
    RATE_VERSIONS,
    SERVICES,
    TRANSIT_DAYS,
    as_list,
    as_text,
    dig,
    ups_errors,
)


class UpsRating:
    """Mixin of :class:`~logistics_simulators.ups.UpsSimulatorServer`."""

    def _shop(self, shipment, *, only=None):
        """[(code, amount, currency, kg)] for a Ship/Rate shipment dict."""
        shipper = as_text(dig(shipment, "Shipper", "Address", "CountryCode")).upper()
        # the lane starts where the parcel leaves: ShipFrom (a return's customer)
        origin = (
            as_text(dig(shipment, "ShipFrom", "Address", "CountryCode")).upper()
            or shipper
        )
        dest = as_text(dig(shipment, "ShipTo", "Address", "CountryCode")).upper()
        kilos = 0.0
        for package in as_list(shipment.get("Package")):
            unit = as_text(dig(package, "PackageWeight", "UnitOfMeasurement", "Code"))
            try:
                weight = float(dig(package, "PackageWeight", "Weight") or 0)
            except (TypeError, ValueError):
                weight = 0.0
            kilos += weight * (KG_PER_LB if unit == "LBS" else 1.0)
        currency = CURRENCIES.get(shipper, "EUR")
        quotes = []
        for code, (_name, base, per_kg, _days) in sorted(SERVICES.items()):
            if only and code != only:
                continue
            errors = []
            self._lane_errors(code, origin, dest, errors)
            if errors:
                continue
            amount = base + per_kg * kilos
            if origin != dest:
                amount *= 1.6
            quotes.append((code, round(amount, 2), currency, kilos))
        return quotes

    def _op_rate(self, body, arg, **_):
        version, option = arg
        if version not in RATE_VERSIONS or option not in (
            "Rate",
            "Shop",
            "Ratetimeintransit",
            "Shoptimeintransit",
        ):
            return ups_errors(400, ("111001", f"Invalid request {version}/{option}"))
        shipment = dig(body, "RateRequest", "Shipment")
        if not isinstance(shipment, dict):
            return ups_errors(400, ("111002", "Missing or invalid RateRequest"))
        errors = []
        for key, label in (("Shipper", "shipper"), ("ShipTo", "ship to")):
            address = dig(shipment, key, "Address") or {}
            if not re.fullmatch(r"[A-Z]{2}", as_text(address.get("CountryCode"))):
                errors.append(("111035", f"Missing or invalid {label} country code"))
            if (
                not as_text(address.get("PostalCode"))
                and as_text(address.get("CountryCode")) not in NO_POSTAL_CODE
            ):
                errors.append(("111036", f"Missing {label} postal code"))
        self._validate_packages(as_list(shipment.get("Package")), errors, rating=True)
        service = as_text(dig(shipment, "Service", "Code"))
        if option.startswith("Rate") and not service:
            errors.append(("111100", "Missing service code for a Rate request"))
        in_transit = option.endswith("timeintransit")
        timing = shipment.get("DeliveryTimeInformation")
        if in_transit and not as_text(dig(timing, "PackageBillType")):
            # Rating.yaml: required for a time in transit request (code
            # illustrative)
            errors.append(("111620", "Missing package bill type for time in transit"))
        if errors:
            return ups_errors(400, *errors)
        quotes = self._shop(
            shipment, only=service if option.startswith("Rate") else None
        )
        if not quotes:
            return ups_errors(
                400,
                (
                    "111210",
                    "The requested service is unavailable between the selected "
                    "locations.",
                ),
            )
        negotiated = "NegotiatedRatesIndicator" in (
            shipment.get("ShipmentRatingOptions") or {}
        )
        alert = {
            "Code": "110971",
            "Description": "Your invoice may vary from the displayed reference rates",
        }
        rated = []
        for code, amount, currency, kilos in quotes:
            item = {
                "Service": {"Code": code, "Description": ""},
                "RatedShipmentAlert": [alert],
                "BillingWeight": {
                    "UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"},
                    "Weight": f"{max(0.5, kilos):.1f}",
                },
                "TransportationCharges": self._money(amount, currency),
                "ServiceOptionsCharges": self._money(0, currency),
                "TotalCharges": self._money(amount, currency),
            }
            days = SERVICES[code][3]
            if days:
                item["GuaranteedDelivery"] = {"BusinessDaysInTransit": str(days)}
            if in_transit:
                item["TimeInTransit"] = self._time_in_transit(
                    code, days or TRANSIT_DAYS.get(code, 5), timing
                )
            if negotiated:
                item["NegotiatedRateCharges"] = {
                    "TotalCharge": self._money(amount * NEGOTIATED_FACTOR, currency)
                }
            rated.append(item)
        return Reply(
            200,
            {
                "RateResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"},
                        "Alert": [alert],
                    },
                    "RatedShipment": self._maybe_single(rated),
                }
            },
        )

    @staticmethod
    def _time_in_transit(code, days, timing):
        """RatedShipment.TimeInTransit: pickup date, business days, arrival."""
        pickup = as_text(dig(timing, "Pickup", "Date"))
        try:
            start = datetime.strptime(pickup, "%Y%m%d").date()
        except ValueError:
            start = datetime.now(timezone.utc).date()
        arrival, left = start, days
        while left:
            arrival += timedelta(days=1)
            if arrival.weekday() < 5:
                left -= 1
        return {
            "PickupDate": start.strftime("%Y%m%d"),
            "PackageBillType": as_text(dig(timing, "PackageBillType")),
            "Disclaimer": "Simulated time in transit",
            "ServiceSummary": {
                "Service": {"Description": SERVICES[code][0]},
                "EstimatedArrival": {
                    "Arrival": {"Date": arrival.strftime("%Y%m%d"), "Time": "230000"},
                    "BusinessDaysInTransit": str(days),
                    "Pickup": {"Date": start.strftime("%Y%m%d"), "Time": "170000"},
                    "DayOfWeek": arrival.strftime("%a").upper(),
                    "TotalTransitDays": str((arrival - start).days),
                },
                "SaturdayDelivery": "0",
            },
        }

    def _op_xav(self, body, arg, **_):
        version, option = arg
        if version != "v2" or option not in ("1", "2", "3"):
            return ups_errors(400, ("264001", f"Invalid request {version}/{option}"))
        key = dig(body, "XAVRequest", "AddressKeyFormat")
        if not isinstance(key, dict):
            return ups_errors(400, ("264003", "Missing AddressKeyFormat"))
        country = as_text(key.get("CountryCode")).upper()
        if country not in ("US", "PR"):
            # code illustrative
            return ups_errors(400, ("264002", "Country Code is invalid or missing"))
        lines = [as_text(line).upper() for line in as_list(key.get("AddressLine"))]
        city = as_text(key.get("PoliticalDivision2")).upper()
        state = as_text(key.get("PoliticalDivision1")).upper()
        postal = as_text(key.get("PostcodePrimaryLow"))
        root = {"Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}}}
        street = " ".join(lines)
        if not any(lines) or "NOWHERE" in street:
            root["NoCandidatesIndicator"] = ""
            return Reply(200, {"XAVResponse": root})
        extended = f"{sum(map(ord, street)) % 10000:04d}"

        def candidate(zip5, town):
            return {
                "AddressKeyFormat": {
                    "AddressLine": [line for line in lines if line],
                    "PoliticalDivision2": town,
                    "PoliticalDivision1": state or "GA",
                    "PostcodePrimaryLow": zip5,
                    "PostcodeExtendedLow": extended,
                    "Region": f"{town} {state or 'GA'} {zip5}-{extended}",
                    "CountryCode": country,
                }
            }

        if re.fullmatch(r"\d{5}", postal) and city and state:
            root["ValidAddressIndicator"] = ""
            candidates = [candidate(postal, city)]
        else:
            root["AmbiguousAddressIndicator"] = ""
            town = city or "ATLANTA"
            candidates = [candidate("30328", town), candidate("30339", town)]
        if option in ("2", "3"):
            name = as_text(key.get("ConsigneeName")).upper()
            company = any(w in name for w in (" INC", " LLC", " LTD", " CORP", " CO"))
            root["AddressClassification"] = {
                "Code": "1" if company else "2",
                "Description": "Commercial" if company else "Residential",
            }
        root["Candidate"] = self._maybe_single(candidates)
        return Reply(200, {"XAVResponse": root})
