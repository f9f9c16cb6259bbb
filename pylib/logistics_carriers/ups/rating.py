# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Rating v2409: Rate / Shop requests and quotes."""

from logistics_carriers import RateQuote

from .services import LBS_PER_KG, SERVICES, WEIGHT_UNIT_NAMES, customs_total
from .values import as_list, clip, dig, fmt_number, money


class UpsRatingMixin:
    """Rates of a shipment request (part of :class:`UpsAdapter`)."""

    @staticmethod
    def rate_option(request):
        """``Ratetimeintransit`` for one service, ``Shoptimeintransit`` for all."""
        return "Ratetimeintransit" if request.service_code else "Shoptimeintransit"

    def build_rate_request(self, request):
        """The ``RateRequest`` body for ``POST /rating/v2409/{option}``
        (``Ratetimeintransit`` or ``Shoptimeintransit``; Rating.yaml wants
        the same value in ``Request.RequestOption``)."""
        shipment = self._shipment_core(request, rating=True)
        shipment["PaymentDetails"] = {
            "ShipmentCharge": [
                {"Type": "01", "BillShipper": {"AccountNumber": self.shipper_number()}}
            ]
        }
        shipment["NumOfPieces"] = str(len(request.parcels))
        # Time in transit (Ratetimeintransit/Shoptimeintransit): the bill
        # type (03 non-document) and the pickup date are required.
        timing = {"PackageBillType": "03"}
        if request.ship_date:
            timing["Pickup"] = {"Date": request.ship_date.strftime("%Y%m%d")}
        shipment["DeliveryTimeInformation"] = timing
        # Rating.yaml: ShipmentTotalWeight (and InvoiceLineTotal between
        # countries) are needed for the time in transit of an international
        # shipment; sent always, the total weight is harmless at home.
        origin, destination = self._lane(request)
        weight_unit, _length_unit = self.units(origin)
        total_weight = request.total_weight_kg * (
            LBS_PER_KG if weight_unit == "LBS" else 1.0
        )
        shipment["ShipmentTotalWeight"] = {
            # Rating.yaml: Code and Description are both required
            "UnitOfMeasurement": {
                "Code": weight_unit,
                "Description": WEIGHT_UNIT_NAMES[weight_unit],
            },
            "Weight": fmt_number(max(round(total_weight, 1), 0.1), 1),
        }
        value = customs_total(request.customs or {}) or float(
            request.declared_value or 0
        )
        if origin != destination and value > 0:
            shipment["InvoiceLineTotal"] = {
                "CurrencyCode": clip(request.currency or "USD", 3),
                "MonetaryValue": fmt_number(value, 2),
            }
        return {
            "RateRequest": {
                "Request": self._request_container(
                    request.reference, RequestOption=self.rate_option(request)
                ),
                "Shipment": shipment,
            }
        }

    def get_rates(self, request):
        # The *timeintransit options add TimeInTransit (business days) to
        # every RatedShipment; Rate/Shop return none for most services.
        option = self.rate_option(request)
        response = self._call(
            "POST",
            f"/rating/{self.api_version}/{option}",
            operation="rates",
            json=self.build_rate_request(request),
        )
        return self.parse_rate_response(self._check(response, "rates"))

    @classmethod
    def parse_rate_response(cls, data):
        root = dig(data, "RateResponse") or {}
        cls._require_success(root, "rate request")
        quotes = []
        for rated in as_list(root.get("RatedShipment")):
            if not isinstance(rated, dict):
                continue
            code = str(dig(rated, "Service", "Code") or "")
            negotiated = money(dig(rated, "NegotiatedRateCharges", "TotalCharge"))
            charges = negotiated or money(rated.get("TotalCharges"))
            if not charges:
                continue
            days = cls.transit_days(rated)
            quotes.append(
                RateQuote(
                    service_code=code,
                    service_name=SERVICES.get(code)
                    or str(dig(rated, "Service", "Description") or "")
                    or f"UPS {code}",
                    amount=charges[0],
                    currency=charges[1],
                    transit_days=days,
                    negotiated=bool(negotiated),
                )
            )
        return quotes

    @staticmethod
    def transit_days(rated):
        """Business days of a RatedShipment: TimeInTransit's estimated
        arrival, else the guaranteed delivery; None when UPS gives neither."""
        summaries = as_list(dig(rated, "TimeInTransit", "ServiceSummary"))
        for value in (
            dig(
                summaries[0] if summaries else {},
                "EstimatedArrival",
                "BusinessDaysInTransit",
            ),
            dig(rated, "GuaranteedDelivery", "BusinessDaysInTransit"),
        ):
            text = str(value or "").strip()
            if text.isdigit():
                return int(text)
        return None
