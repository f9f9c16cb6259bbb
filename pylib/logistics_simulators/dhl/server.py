#!/usr/bin/env python3
# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL contract simulator: Parcel DE Shipping v2, ROPC token, Unified tracking.

Answers like DHL's published contracts (``docs/carrier-contracts.md`` §2 and the
examples in ``carrier-examples/dhl``), on 127.0.0.1. It reuses the generic
simulator's HTTP server, fault injection, latency, token expiry, request
recording and labels (``logistics_connector_base/simulator/server.py``)::

    python logistics_carrier_dhl/simulator/server.py --port 8073

or in-process (tests)::

    sim = DhlSimulator().start()   # ephemeral port; sim.url is the host root
    sim.add_fault("create_shipment", 429, headers={"Retry-After": "7"})
    sim.advance(number, "delivered")
    sim.stop()

Paths below the host root (as on api-sandbox.dhl.com / api-eu.dhl.com) and
the operation names used by ``add_fault``/``count``:

==============================================================  ===================
``POST /parcel/de/account/auth/ropc/v1/token``                  token
``POST /parcel/de/shipping/v2/orders``                          create_shipment
``GET /parcel/de/shipping/v2/orders?shipment=``                 label (reprint)
``DELETE /parcel/de/shipping/v2/orders?profile=&shipment=``     cancel_shipment
``GET /parcel/de/shipping/v2/labels?token=``                    get_shipment
``GET /track/shipments?trackingNumber=``                        tracking
``POST /tracking/push/v1/subscription``                         push_subscription
``GET /tracking-page/<number>`` (HTML, simulator only)          tracking_page
==============================================================  ===================

An order may ask for a DHL Retoure label (``services.dhlRetoure``): the item
then carries ``returnShipmentNo``, ``returnRoutingCode`` and ``returnLabel``
(query ``retourePrintFormat``), as in ``dhl-parcel-de-order-response.json``.

Where DHL publishes no shape, the simulator says so: closed-out shipments,
the push subscription's answer and the push message itself are the
simulator's own (the push message follows the assembled example).
"""

import base64
import hmac
import http.client
import json
import re
import secrets
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from html import escape as html_escape
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logistics_carriers.dhl.countries import ALPHA3
from logistics_simulators.generic import server as base_sim

ALPHA2 = {alpha3: alpha2 for alpha2, alpha3 in ALPHA3.items()}


contracts = base_sim.import_contracts()
# The EU customs union: parcels elsewhere need the customs block
EU_CUSTOMS_UNION = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO "
    "SE SI SK".split()
)


def _property_path(problem):
    """``shipments/0/consignee/name1: msg`` -> (``shipments[0].consignee.name1``,
    msg), DHL's propertyPath style."""
    where, _sep, message = problem.partition(": ")
    path = ""
    for part in where.split("/"):
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path, message


def _german_local(stamp):
    """A ``...Z`` timestamp as German local time without an offset, as
    Unified answers for parcel-de."""
    moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    try:
        local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    except ZoneInfoNotFoundError:
        local = moment + timedelta(hours=1)
    return local.strftime("%Y-%m-%dT%H:%M:%S")


DEFAULT_PORT = 8073
SANDBOX_USERS = {"user-valid": "SandboxPasswort2023!"}  # DHL-ROPC example
SHIPPING = "/parcel/de/shipping/v2"
TOKEN_PATH = "/parcel/de/account/auth/ropc/v1/token"
TRACKING_PATH = "/track/shipments"
PUSH_PATH = "/tracking/push/v1/subscription"
PAGE_PATH = "/tracking-page/"
PRODUCTS = {
    "V01PAK": ("01", "DHL PAKET", 31.5, True),
    "V53WPAK": ("53", "DHL PAKET International", 31.5, False),
    "V54EPAK": ("54", "DHL Europaket", 31.5, False),
    "V62WP": ("62", "Warenpost", 1.0, True),
    "V62KP": ("62", "DHL Kleinpaket", 1.0, True),
    "V66WPI": ("66", "Warenpost International", 1.0, False),
}  # product: (procedure, name, max kg, domestic only)
BILLING_RE = re.compile(r"\w{10}\d{2}\w{2}")
COUNTRY_RE = re.compile(r"[A-Z]{3}")
COUNTRY_MESSAGE = (
    "Parameter country must be a valid country code consisting of three "
    "characters according to ISO 3166-1 alpha-3."
)
# DHL Retoure (services.dhlRetoure of an outbound order): billed on the
# procedure 07 of the customer number; offered here with DHL Paket only (†).
RETOURE_PROCEDURE = "07"
RETOURE_PRODUCTS = ("V01PAK",)
NOT_CODEABLE_ZIP = "99999"  # simulator convention: a German address DHL cannot code
# step: (Unified statusCode, status, description, Parcel DE code)
STEPS = {
    "pre-transit": (
        "pre-transit",
        "Shipment data received",
        "The instruction data for this shipment have been provided by the sender "
        "to DHL electronically",
        "PARCV",
    ),
    "picked_up": (
        "transit",
        "Picked up",
        "The shipment has been picked up by DHL",
        "PCKDU",
    ),
    "in_transit": (
        "transit",
        "In transit",
        "The shipment has been processed in the parcel center",
        "SRTED",
    ),
    "out_for_delivery": (
        "transit",
        "In delivery",
        "The shipment has been loaded onto the delivery vehicle",
        "PO",
    ),
    "delivery_attempted": (
        "failure",
        "Delivery attempt failed",
        "The recipient was not found at home; a notification card was left",
        "NTDEL",
    ),
    "address_issue": (
        "failure",
        "Address problem",
        "The address is incomplete or wrong; the shipment cannot be delivered",
        "NTDEL/BDADD",
    ),
    "available_for_pickup": (
        "transit",
        "Ready for collection",
        "The shipment is ready for pick-up at the retail outlet",
        "CNRFC",
    ),
    "returned": (
        "transit",
        "Returned",
        "The shipment is being returned to the sender",
        "RETRN",
    ),
    "delivered": (
        "delivered",
        "Delivery successful",
        "The shipment has been successfully delivered",
        "DLVRD",
    ),
    "unknown": ("unknown", "Unknown", "No further information", ""),
}
PROGRESSION = (
    "pre-transit",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "delivered",
)
UNIFIED_CODES = ("pre-transit", "transit", "delivered", "failure", "unknown")
PUSH_SCOPE = "subscription.push"


def _now():
    return datetime.now(timezone.utc)


def _iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _today_in_germany():
    """DHL's "today" for shipDate (UTC+1 when there is no tz database)."""
    try:
        return datetime.now(ZoneInfo("Europe/Berlin")).date()
    except ZoneInfoNotFoundError:
        return (_now() + timedelta(hours=1)).date()


def request_status(status, detail="", title=None):
    """DHL's ``RequestStatus`` (problem+json of the Shipping API)."""
    title = title or HTTPStatus(status).phrase
    body = {"title": title, "statusCode": status, "status": status}
    if detail:
        body["detail"] = detail
    return body


def problem_detail(status, detail="", title=None, instance=None):
    """RFC 7807 ``ProblemDetail`` of the Tracking API."""
    body = {"title": title or HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    return body


def _count_text(done, total, verb):
    noun = "shipment" if total == 1 else "shipments"
    return f"{done} of {total} {noun} successfully {verb}."


def post_json(url, payload, headers, timeout=10.0):
    """POST ``payload`` as JSON; returns ``(status, text)``, 0 when unreachable."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    body = json.dumps(payload, separators=(",", ":"))
    try:
        connection.request(
            "POST",
            target,
            body=body.encode("utf-8"),
            headers={"Content-Type": "application/json", **headers},
        )
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    except OSError as exc:
        return 0, str(exc)
    finally:
        connection.close()


class DhlSimulator(base_sim.SimulatorServer):
    """In-process DHL simulator; the generic simulator's machinery underneath."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        *,
        users=None,
        api_keys=None,
        client_secrets=None,
        token_ttl=1799,
        track_rate=None,
        track_daily_limit=None,
        rate_limit_retry_after=None,
        detail_codes=False,
        push_header="X-DHL-Push-Token",
        webhook_url=None,
        webhook_secret=None,
        auto_advance=None,
        verbose=False,
    ):
        """``users``: GKP user -> password (default DHL's sandbox user).

        ``api_keys`` / ``client_secrets``: accepted app keys and their secrets
        (None: any non-empty value). ``track_rate``: tracking calls per second
        and API key, ``track_daily_limit``: per day (None: unlimited); over
        them the answer is 429, with ``Retry-After`` only when
        ``rate_limit_retry_after`` is set (DHL documents none).
        ``detail_codes``: events carry the Parcel DE code in ``statusDetailed``.
        """
        self.users = dict(SANDBOX_USERS if users is None else users)
        self.api_keys = None if api_keys is None else set(api_keys)
        self.client_secrets = None if client_secrets is None else dict(client_secrets)
        self.track_rate = track_rate
        self.track_daily_limit = track_daily_limit
        self.rate_limit_retry_after = rate_limit_retry_after
        self.detail_codes = detail_codes
        self._push_header_default = push_header
        super().__init__(
            host,
            port,
            token_ttl=token_ttl,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            auto_advance=auto_advance,
            verbose=verbose,
        )
        self._defaults["push_header"] = push_header

    def _init_state(self):
        res = super()._init_state()
        self.push_header = self._push_header_default
        self._label_tokens = {}
        self._item_faults = []
        self._track_calls = {}  # api key -> (last call, day, count)
        self.subscriptions = {}
        self.tracking_calls = []  # {"number", "full"}: recipientPostalCode given?
        return res

    # -- fault injection ----------------------------------------------------
    def add_fault(self, operation, status=503, *, body=None, **kwargs):
        """As the generic simulator; default bodies in DHL's problem shapes."""
        if body is None and status is not None:
            if operation in ("tracking", "push_subscription"):
                body = problem_detail(status, "Simulated fault")
            else:
                body = request_status(status, "Simulated fault")
        return super().add_fault(operation, status, body=body, **kwargs)

    def add_item_fault(
        self,
        position=0,
        status=206,
        title="GeneralShipmentError",
        detail="General Shipment Backend Error",
        messages=None,
    ):
        """Make shipment ``position`` of the next order fail (207 multi-status)."""
        with self._lock:
            self._item_faults.append(
                {
                    "position": position,
                    "sstatus": request_status(status, detail, title),
                    "messages": list(messages or []),
                }
            )

    def close_out(self, numbers=None):
        """DHL's daily closeout: no cancel or reprint afterwards."""
        with self._lock:
            for number, shipment in self._shipments.items():
                if numbers is None or number in numbers:
                    shipment["closed"] = True

    # -- routing and authentication -------------------------------------------
    def _route(self, method, path):
        routes = {
            ("POST", TOKEN_PATH): ("token", self._op_token),
            ("POST", SHIPPING + "/orders"): ("create_shipment", self._op_create),
            ("GET", SHIPPING + "/orders"): ("label", self._op_reprint),
            ("DELETE", SHIPPING + "/orders"): ("cancel_shipment", self._op_cancel),
            ("GET", SHIPPING + "/labels"): ("get_shipment", self._op_document),
            ("GET", TRACKING_PATH): ("tracking", self._op_tracking),
            ("POST", PUSH_PATH): ("push_subscription", self._op_subscribe),
        }
        if (method, path) in routes:
            return (*routes[(method, path)], None)
        if method == "GET" and path.startswith(PAGE_PATH):
            return "tracking_page", self._op_page, path[len(PAGE_PATH) :]
        return None

    def _call(self, func, operation, headers, **kwargs):
        if operation in ("tracking", "push_subscription"):
            denied = self._check_api_key(headers, operation)
        elif operation in ("token", "tracking_page", "get_shipment"):
            denied = None  # no authentication (label URLs can be shared)
        else:
            denied = self._check_shipping_auth(headers)
        if denied is not None:
            return denied
        return func(headers=headers, **kwargs)

    def _key_ok(self, key):
        return bool(key) and (self.api_keys is None or key in self.api_keys)

    def _check_shipping_auth(self, headers):
        auth = headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            with self._lock:
                expires_at = self._tokens.get(auth[7:].strip())
            if expires_at is not None and expires_at > time.time():
                return None
        elif auth.startswith("Basic ") and self._key_ok(headers.get("dhl-api-key")):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            user, _sep, password = decoded.partition(":")
            expected = self.users.get(user)
            if expected is not None and hmac.compare_digest(
                expected.encode(), password.encode()
            ):
                return None
        return base_sim._Reply(
            401, request_status(401, "Unauthorized for given resource.")
        )

    def _check_api_key(self, headers, operation):
        key = headers.get("DHL-API-Key") or ""
        if not self._key_ok(key):
            return base_sim._Reply(
                401, problem_detail(401, "Invalid or missing API key (DHL-API-Key).")
            )
        if operation == "tracking":
            return self._rate_limit(key)
        return None

    def _rate_limit(self, key):
        now = time.monotonic()
        today = _now().date()
        with self._lock:
            last, day, count = self._track_calls.get(key, (None, today, 0))
            if day != today:
                day, count = today, 0
            too_fast = (
                self.track_rate
                and last is not None
                and now - last < 1.0 / float(self.track_rate)
            )
            over_day = self.track_daily_limit and count >= self.track_daily_limit
            if not (too_fast or over_day):
                self._track_calls[key] = (now, day, count + 1)
                return None
        headers = {}
        if self.rate_limit_retry_after is not None:
            headers["Retry-After"] = str(self.rate_limit_retry_after)
        detail = "Daily quota exceeded" if over_day else "Rate limit exceeded"
        return base_sim._Reply(429, problem_detail(429, detail), headers)

    # -- token ------------------------------------------------------------------
    def _op_token(self, raw, **_):
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "password":
            return base_sim._Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be password",
                },
            )
        client_id = form.get("client_id", "")
        secret = form.get("client_secret", "")
        client_ok = self._key_ok(client_id) and bool(secret)
        if client_ok and self.client_secrets is not None:
            client_ok = hmac.compare_digest(
                self.client_secrets.get(client_id, "").encode(), secret.encode()
            )
        expected = self.users.get(form.get("username", ""))
        user_ok = expected is not None and hmac.compare_digest(
            expected.encode(), form.get("password", "").encode()
        )
        if not (client_ok and user_ok):
            return base_sim._Reply(
                401,
                {
                    "error": "invalid_client" if not client_ok else "invalid_grant",
                    "error_description": "Invalid client or user credentials",
                },
            )
        token = secrets.token_urlsafe(21)
        with self._lock:
            self._tokens[token] = time.time() + self.token_ttl
        return base_sim._Reply(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_ttl,
            },
            {"Cache-Control": "no-store"},
        )

    # -- orders -----------------------------------------------------------------
    @staticmethod
    def _address_errors(address, path, errors):
        if not isinstance(address, dict):
            errors.append((path, f"Parameter {path} is required."))
            return
        if "shipperRef" in address:
            return
        for key, limit in (("name1", 50), ("addressStreet", 50), ("city", 40)):
            value = address.get(key)
            if not isinstance(value, str) or not value:
                errors.append((f"{path}.{key}", f"Parameter {key} is required."))
            elif len(value) > limit:
                errors.append(
                    (f"{path}.{key}", f"Parameter {key} exceeds {limit} characters.")
                )
        if not COUNTRY_RE.fullmatch(str(address.get("country") or "")):
            errors.append((f"{path}.country", COUNTRY_MESSAGE))

    def _schema_errors(self, body):
        """(propertyPath, message) of JSON-schema failures of an order."""
        if not isinstance(body, dict) or not isinstance(body.get("profile"), str):
            return [("profile", "Parameter profile is required.")]
        shipments = body.get("shipments")
        if not isinstance(shipments, list) or not 1 <= len(shipments) <= 30:
            return [("shipments", "Between 1 and 30 shipments are required.")]
        errors = []
        for index, shipment in enumerate(shipments):
            path = f"shipments[{index}]"
            if not isinstance(shipment, dict):
                errors.append((path, "A shipment must be an object."))
                continue
            if shipment.get("product") not in PRODUCTS:
                errors.append((f"{path}.product", "Parameter product is invalid."))
            if not BILLING_RE.fullmatch(str(shipment.get("billingNumber") or "")):
                errors.append(
                    (f"{path}.billingNumber", "Parameter billingNumber is invalid.")
                )
            ref_no = shipment.get("refNo")
            if ref_no is not None and not 8 <= len(str(ref_no)) <= 35:
                errors.append(
                    (f"{path}.refNo", "Parameter refNo must have 8 to 35 characters.")
                )
            self._address_errors(shipment.get("shipper"), f"{path}.shipper", errors)
            self._address_errors(shipment.get("consignee"), f"{path}.consignee", errors)
            services = shipment.get("services")
            if services is not None and not isinstance(services, dict):
                errors.append((f"{path}.services", "Parameter services is invalid."))
            elif services and "dhlRetoure" in services:
                self._retoure_errors(services["dhlRetoure"], path, errors)
            weight = (shipment.get("details") or {}).get("weight") or {}
            value = weight.get("value")
            if weight.get("uom") not in ("g", "kg") or not isinstance(
                value, int | float
            ):
                errors.append(
                    (f"{path}.details.weight", "Parameter weight is required.")
                )
            elif not 0 <= value <= 31500:
                errors.append(
                    (f"{path}.details.weight", "Parameter value must be <= 31500.")
                )
        return errors

    def _retoure_errors(self, retoure, path, errors):
        path = f"{path}.services.dhlRetoure"
        if not isinstance(retoure, dict):
            errors.append((path, "Parameter dhlRetoure is invalid."))
            return
        if not BILLING_RE.fullmatch(str(retoure.get("billingNumber") or "")):
            errors.append(
                (f"{path}.billingNumber", "Parameter billingNumber is invalid.")
            )
        ref_no = retoure.get("refNo")
        if ref_no is not None and not 8 <= len(str(ref_no)) <= 35:
            errors.append(
                (f"{path}.refNo", "Parameter refNo must have 8 to 35 characters.")
            )
        if retoure.get("returnAddress") is not None:
            self._address_errors(
                retoure["returnAddress"], f"{path}.returnAddress", errors
            )

    @staticmethod
    def _business_messages(shipment, must_encode):
        """DHL's validationMessages for a schema-valid shipment."""
        messages = []

        def add(prop, text, state="Error"):
            messages.append(
                {"property": prop, "validationMessage": text, "validationState": state}
            )

        product = shipment["product"]
        procedure, name, max_kg, domestic = PRODUCTS[product]
        if shipment["billingNumber"][10:12] != procedure:
            add("billingNumber", f"The billing number is not valid for {name}.")
        consignee = shipment["consignee"]
        country = consignee.get("country")
        if domestic and country and country != "DEU":
            add("product", f"{name} is only available for destinations in Germany.")
        if not domestic and country == "DEU":
            add("product", f"{name} is not available for destinations in Germany.")
        shipper_country = (shipment.get("shipper") or {}).get("country") or "DEU"
        leaves_union = ALPHA2.get(country, country) not in EU_CUSTOMS_UNION or (
            ALPHA2.get(shipper_country, shipper_country) not in EU_CUSTOMS_UNION
        )
        if country and country != shipper_country and leaves_union:
            if not isinstance(shipment.get("customs"), dict):
                add(
                    "customs",
                    "Customs details are required for a destination outside the "
                    "EU customs union.",
                )
        weight = shipment["details"]["weight"]
        kg = weight["value"] / (1000.0 if weight["uom"] == "g" else 1.0)
        if kg > max_kg:
            add("details.weight", "The weight is too high")
        retoure = (shipment.get("services") or {}).get("dhlRetoure")
        if retoure is not None:
            if product not in RETOURE_PRODUCTS:
                add("services.dhlRetoure", f"DHL Retoure is not available for {name}.")
            if str(retoure.get("billingNumber"))[10:12] != RETOURE_PROCEDURE:
                add(
                    "services.dhlRetoure.billingNumber",
                    "The billing number is not valid for DHL Retoure.",
                )
        ship_date = shipment.get("shipDate")
        if ship_date and ship_date < _today_in_germany().isoformat():
            add("shipDate", "The shipment date must not be in the past.")
        postal = str(consignee.get("postalCode") or "")
        if country == "DEU" and "shipperRef" not in consignee:
            if not re.fullmatch(r"\d{5}", postal):
                add("consignee", "The postcode entered is not valid.")
            elif postal == NOT_CODEABLE_ZIP:
                add(
                    "consignee",
                    "The city entered does not match the postcode. The shipment is "
                    "not codeable.",
                    "Error" if must_encode else "Warning",
                )
        return messages

    def _document(
        self, number, doc_format, include_docs, print_format=None, retoure=False
    ):
        """The label (or, ``retoure``, the DHL Retoure label) of a shipment."""
        shipment = self._shipments[number]
        order = shipment["request"]
        consignee = order.get("consignee") or {}
        title = PRODUCTS[order["product"]][1]
        printed = number
        if retoure:
            # back to the return address (the shipper when none was given)
            consignee = (order.get("services") or {}).get("dhlRetoure") or {}
            consignee = consignee.get("returnAddress") or order.get("shipper") or {}
            title = "DHL RETOURE"
            printed = shipment["returnShipmentNo"]
        lines = [
            "DHL SIMULATOR - NOT A REAL LABEL",
            title,
            f"Ref: {order.get('refNo') or ''}",
            str(consignee.get("name1") or ""),
            str(consignee.get("addressStreet") or ""),
            f"{consignee.get('postalCode') or ''} {consignee.get('city') or ''}",
            str(consignee.get("country") or ""),
            f"Sendungsnummer: {printed}",
        ]
        number = printed
        fmt = "ZPL2" if doc_format == "ZPL2" else "PDF"
        document = {"fileFormat": fmt, "printFormat": print_format or "910-300-700"}
        if include_docs == "URL":
            token = secrets.token_urlsafe(16)
            self._label_tokens[token] = (shipment["shipmentNo"], fmt, retoure)
            document["url"] = f"{self.url}{SHIPPING}/labels?token={token}"
        elif fmt == "ZPL2":
            document["zpl2"] = base_sim.build_zpl_label(lines, number).decode()
        else:
            pdf = base_sim.build_pdf_label(lines, number)
            document["b64"] = base64.b64encode(pdf).decode("ascii")
        return document

    def _new_shipment(self, order):
        number = "003404" + "".join(str(secrets.randbelow(10)) for _ in range(14))
        shipment = {
            "shipmentNo": number,
            "request": order,
            "created_at": _iso(_now()),
            "cancelled": False,
            "closed": False,
            "step": None,
            "events": [],
            "signatory": "",
            "next_advance_at": None,
        }
        if (order.get("services") or {}).get("dhlRetoure") is not None:
            # DHL Retoure numbers look like the example's 60701001756402
            shipment["returnShipmentNo"] = "607" + "".join(
                str(secrets.randbelow(10)) for _ in range(11)
            )
        self._shipments[number] = shipment
        self._by_tracking[number] = number
        self.advance(number, "pre-transit", push=False)
        return shipment

    def _op_create(self, body, query, **_):
        errors = self._schema_errors(body)
        if not errors and contracts is not None:
            errors = [
                _property_path(problem)
                for problem in contracts.errors(
                    "dhl", "parcel_de_shipping_v2", "ShipmentOrderRequest", body
                )[:10]
            ]
        if errors:
            return base_sim._Reply(
                400,
                {
                    "status": request_status(
                        400, "Your request contained technical errors as listed below."
                    ),
                    "items": [{"propertyPath": p, "message": m} for p, m in errors],
                },
            )
        validate_only = (query.get("validate") or ["false"])[0] == "true"
        must_encode = (query.get("mustEncode") or ["false"])[0] == "true"
        doc_format = (query.get("docFormat") or ["PDF"])[0]
        include_docs = (query.get("includeDocs") or ["include"])[0]
        print_format = (query.get("printFormat") or [None])[0]
        retoure_format = (query.get("retourePrintFormat") or [None])[0]
        combine = (query.get("combine") or ["true"])[0] != "false"
        with self._lock:
            faults = {f["position"]: f for f in self._item_faults}
            self._item_faults.clear()
            items = []
            for index, order in enumerate(body["shipments"]):
                messages = self._business_messages(order, must_encode)
                fault = faults.get(index)
                failed = any(m["validationState"] == "Error" for m in messages)
                if fault or failed:
                    item = {"sstatus": request_status(400)}
                    if fault:
                        item["sstatus"] = fault["sstatus"]
                        messages += fault["messages"]
                        item["shipmentNo"] = self._fake_number()
                elif validate_only:
                    item = {"sstatus": request_status(200, title="OK")}
                else:
                    number = self._new_shipment(order)["shipmentNo"]
                    item = {
                        "shipmentNo": number,
                        "sstatus": request_status(200, title="OK"),
                        "routingCode": self._routing_code(order),
                        "label": self._document(
                            number, doc_format, include_docs, print_format
                        ),
                    }
                    if order.get("refNo"):
                        item["shipmentRefNo"] = order["refNo"]
                    self._add_retoure(
                        item, number, doc_format, include_docs, retoure_format, combine
                    )
                if messages:
                    item["validationMessages"] = messages
                items.append(item)
        ok = sum(1 for i in items if i["sstatus"]["statusCode"] == 200)
        verb = "validated" if validate_only else "created"
        return self._multi_reply(items, ok, verb)

    def _add_retoure(
        self, item, number, doc_format, include_docs, print_format, combine=True
    ):
        """returnShipmentNo, returnRoutingCode and returnLabel of a Retoure.

        DHL's ``combine`` defaults to true: both labels in the one ``label``
        document, no ``returnLabel``, ``retourePrintFormat`` ignored.
        """
        shipment = self._shipments[number]
        if not shipment.get("returnShipmentNo"):
            return
        retoure = (shipment["request"].get("services") or {}).get("dhlRetoure")
        address = retoure.get("returnAddress") or shipment["request"].get("shipper")
        postal = re.sub(r"\W", "", str((address or {}).get("postalCode") or ""))
        item["returnShipmentNo"] = shipment["returnShipmentNo"]
        item["returnRoutingCode"] = f"40327{postal[:6] or '00000'}+99000933000000"
        if combine:  # the return label is a page of item["label"]
            return
        item["returnLabel"] = self._document(
            number, doc_format, include_docs, print_format, retoure=True
        )

    @staticmethod
    def _fake_number():
        return "003404" + "".join(str(secrets.randbelow(10)) for _ in range(14))

    @staticmethod
    def _routing_code(order):
        postal = str((order.get("consignee") or {}).get("postalCode") or "00000")
        postal = re.sub(r"\W", "", postal)[:6]
        return f"40327{postal}+99000943058020"

    @staticmethod
    def _multi_reply(items, ok, verb):
        total = len(items)
        if total == 1:
            status = 200 if ok else 400
        else:
            status = 207 if ok else 400
        title = {200: "OK", 207: "Multi-Status", 400: "Bad Request"}[status]
        return base_sim._Reply(
            status,
            {
                "status": request_status(status, _count_text(ok, total, verb), title),
                "items": items,
            },
        )

    def _numbers_from(self, query):
        numbers = [n for n in query.get("shipment") or [] if n]
        if not numbers or len(numbers) > 30:
            return None
        return numbers

    @staticmethod
    def _unknown(number):
        return {
            "shipmentNo": number,
            "sstatus": request_status(
                204, "Unknown shipment number.", "UnknownShipmentNumber"
            ),
        }

    @staticmethod
    def _closed(number):
        # DHL publishes no shape for a closed-out shipment: simulator's own
        return {
            "shipmentNo": number,
            "sstatus": request_status(
                400, "The shipment has already been closed out (manifested)."
            ),
        }

    def _bad_numbers(self):
        return base_sim._Reply(
            400,
            {
                "status": request_status(400, "Between 1 and 30 shipments required."),
                "items": [{"propertyPath": "shipment", "message": "Invalid."}],
            },
        )

    def _op_cancel(self, query, **_):
        numbers = self._numbers_from(query)
        if not (query.get("profile") or [""])[0]:
            return base_sim._Reply(
                400,
                {
                    "status": request_status(400, "Parameter profile is required."),
                    "items": [{"propertyPath": "profile", "message": "Required."}],
                },
            )
        if numbers is None:
            return self._bad_numbers()
        items = []
        with self._lock:
            for number in numbers:
                shipment = self._shipments.get(number)
                if shipment is None or shipment["cancelled"]:
                    items.append(self._unknown(number))
                elif shipment["closed"]:
                    items.append(self._closed(number))
                else:
                    shipment["cancelled"] = True
                    shipment["next_advance_at"] = None
                    items.append(
                        {
                            "shipmentNo": number,
                            "sstatus": request_status(200, title="OK"),
                        }
                    )
        ok = sum(1 for i in items if i["sstatus"]["statusCode"] == 200)
        return self._multi_reply(items, ok, "canceled")

    def _op_reprint(self, query, **_):
        numbers = self._numbers_from(query)
        if numbers is None:
            return self._bad_numbers()
        doc_format = (query.get("docFormat") or ["PDF"])[0]
        include_docs = (query.get("includeDocs") or ["include"])[0]
        print_format = (query.get("printFormat") or [None])[0]
        retoure_format = (query.get("retourePrintFormat") or [None])[0]
        combine = (query.get("combine") or ["true"])[0] != "false"
        items = []
        with self._lock:
            for number in numbers:
                shipment = self._shipments.get(number)
                if shipment is None or shipment["cancelled"]:
                    items.append(self._unknown(number))
                elif shipment["closed"]:
                    items.append(self._closed(number))
                else:
                    items.append(
                        {
                            "shipmentNo": number,
                            "sstatus": request_status(200, title="OK"),
                            "label": self._document(
                                number, doc_format, include_docs, print_format
                            ),
                        }
                    )
                    self._add_retoure(
                        items[-1],
                        number,
                        doc_format,
                        include_docs,
                        retoure_format,
                        combine,
                    )
        ok = sum(1 for i in items if i["sstatus"]["statusCode"] == 200)
        return self._multi_reply(items, ok, "printed")

    def _op_document(self, query, **_):
        token = (query.get("token") or [""])[0]
        with self._lock:
            found = self._label_tokens.get(token)
            if found is None:
                return base_sim._Reply(404, request_status(404, "Unknown document."))
            number, fmt, *retoure = found
            document = self._document(number, fmt, "include", retoure=any(retoure))
        if "zpl2" in document:
            return base_sim._Reply(200, document["zpl2"], content_type="text/plain")
        return base_sim._Reply(
            200, base64.b64decode(document["b64"]), content_type="application/pdf"
        )

    # -- tracking -----------------------------------------------------------------
    @staticmethod
    def _place(address):
        address = address or {}
        place = {
            "countryCode": ALPHA2.get(str(address.get("country") or ""), ""),
            "postalCode": address.get("postalCode") or "",
            "addressLocality": address.get("city") or "",
        }
        return {"address": {k: v for k, v in place.items() if v}}

    def _unified(self, shipment, full=True):
        """The Unified tracking shipment object (events newest first).

        Times are German local time without an offset (as DHL sends for
        parcel-de); without the recipient's postal code (``full`` False)
        DHL answers reduced data: no proof-of-delivery signatory, no
        destination postal code.
        """
        order = shipment["request"]
        events = [
            dict(e, timestamp=_german_local(e["timestamp"]))
            for e in reversed(shipment["events"])
        ]
        weight = order["details"]["weight"]
        kg = weight["value"] / (1000.0 if weight["uom"] == "g" else 1.0)
        details = {
            "product": {"productName": PRODUCTS[order["product"]][1]},
            "totalNumberOfPieces": 1,
            "pieceIds": [shipment["shipmentNo"]],
            "weight": {"value": round(kg, 3), "unitText": "kg"},
        }
        if order.get("refNo"):
            details["references"] = {
                "number": order["refNo"],
                "type": "customer-reference",
            }
        if shipment["step"] == "delivered" and events:
            details["proofOfDelivery"] = {"timestamp": events[0]["timestamp"]}
            if full:
                details["proofOfDelivery"]["signed"] = {
                    "@type": "Person",
                    "name": shipment["signatory"],
                }
        destination = self._place(order.get("consignee"))
        if not full:
            destination["address"].pop("postalCode", None)
        return {
            "id": shipment["shipmentNo"],
            "service": "parcel-de",
            "origin": self._place(order.get("shipper")),
            "destination": destination,
            "status": events[0] if events else {},
            "details": details,
            "events": events,
        }

    def _op_tracking(self, query, **_):
        if contracts is not None:
            problems = contracts.errors(
                "dhl",
                "tracking_unified",
                "ShipmentsQuery",
                {key: values[0] for key, values in query.items() if values},
            )
            if problems:
                return base_sim._Reply(400, problem_detail(400, "; ".join(problems)))
        number = (query.get("trackingNumber") or [""])[0].strip()
        service = (query.get("service") or [""])[0]
        if not number:
            return base_sim._Reply(
                400, problem_detail(400, "Parameter trackingNumber is required.")
            )
        with self._lock:
            shipment = self._shipments.get(number)
            if shipment is None or service not in ("", "parcel-de"):
                return base_sim._Reply(
                    404,
                    problem_detail(
                        404,
                        "No shipment with given tracking number found.",
                        "No result found",
                        f"/shipment/{number}",
                    ),
                )
            given = re.sub(r"\s", "", (query.get("recipientPostalCode") or [""])[0])
            expected = re.sub(
                r"\s", "", str(shipment["request"]["consignee"].get("postalCode") or "")
            )
            full = bool(given) and given.upper() == expected.upper()
            self.tracking_calls.append({"number": number, "full": full})
            return base_sim._Reply(
                200,
                {
                    "shipments": [self._unified(shipment, full)],
                    "possibleAdditionalShipmentsUrl": [],
                },
            )

    def _op_page(self, arg, **_):
        with self._lock:
            shipment = self._shipments.get(arg)
            events = list(reversed(shipment["events"])) if shipment else []
        rows = "".join(
            f"<tr><td>{html_escape(e['timestamp'])}</td>"
            f"<td>{html_escape(e['status'])}</td>"
            f"<td>{html_escape(e['description'])}</td></tr>"
            for e in events
        )
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>DHL "
            f"{html_escape(arg)}</title></head><body><h1>DHL simulator</h1>"
            f"<h2>Sendung {html_escape(arg)}</h2>"
            + (f"<table border='1'>{rows}</table>" if events else "<p>Unknown.</p>")
            + "</body></html>"
        )
        return base_sim._Reply(
            200 if events else 404, page, content_type="text/html; charset=utf-8"
        )

    # -- push ---------------------------------------------------------------------
    def _op_subscribe(self, body, headers, **_):
        hook = (body or {}).get("hook") if isinstance(body, dict) else None
        if not isinstance(hook, dict) or not hook.get("uri"):
            return base_sim._Reply(400, problem_detail(400, "hook.uri is required."))
        subscription_id = str(uuid.uuid4())
        with self._lock:
            self.subscriptions[subscription_id] = dict(body, id=subscription_id)
        # DHL's answer is not confirmed: the simulator echoes the subscription
        return base_sim._Reply(201, dict(body, id=subscription_id))

    def push_message(self, shipment_numbers, subscription_id=None):
        """The (assembled, unconfirmed) push body for ``shipment_numbers``."""
        with self._lock:
            shipments = [
                self._unified(self._shipments[n])
                for n in shipment_numbers
                if n in self._shipments
            ]
        sub = subscription_id or "00000000-0000-0000-0000-000000000000"
        return {
            "scope": PUSH_SCOPE,
            "self": f"{self.url}{PUSH_PATH}/{sub}",
            "shipments": shipments,
        }

    def _push_targets(self):
        targets = []
        if self.webhook_url:
            token = self.webhook_secret
            headers = {self.push_header: token} if token else {}
            targets.append((None, self.webhook_url, headers))
        for sub_id, sub in self.subscriptions.items():
            auth = sub["hook"].get("authentication") or {}
            headers = {auth["header"]: auth["token"]} if auth.get("header") else {}
            targets.append((sub_id, sub["hook"]["uri"], headers))
        return targets

    def _push(self, url, secret, events):
        """Deliver the push message of ``events``' shipments to every target."""
        numbers = list(dict.fromkeys(e["tracking_number"] for e in events))
        results = []
        for sub_id, target, headers in self._push_targets():
            payload = self.push_message(numbers, sub_id)
            status, text = post_json(target, payload, headers)
            with self._lock:
                self.pushes.append(
                    {"url": target, "status": status, "response": text[:500]}
                )
                del self.pushes[:-1000]
            results.append((status, text))
        return results[-1] if results else (0, "no push target")

    # -- progression ----------------------------------------------------------------
    def advance(
        self,
        number,
        status,
        *,
        description=None,
        location="",
        occurred_at=None,
        push=None,
        detail=None,
        signatory="",
    ):
        """Add a tracking event to shipment ``number``.

        ``status``: a step of :data:`STEPS` (e.g. "picked_up", "delivered") or
        a Unified statusCode. ``detail`` puts a Parcel DE code in
        ``statusDetailed`` (default: the step's code when ``detail_codes``).
        Pushes the message unless ``push`` is False. Returns the new events.
        """
        with self._lock:  # re-entrant: also called while creating a shipment
            shipment = self._shipments.get(number)
            if shipment is None:
                raise KeyError(f"unknown DHL shipment number {number!r}")
            if status in STEPS:
                code, title, text, step_detail = STEPS[status]
            elif status in UNIFIED_CODES:
                code, title, text, step_detail = status, status, status, ""
            else:
                raise ValueError(f"unknown status {status!r}; use one of {list(STEPS)}")
            moment = occurred_at or _now()
            if occurred_at is None and shipment["events"]:
                # one event a second at most per shipment: Unified timestamps
                # have whole seconds, and events are told apart by them
                last = datetime.fromisoformat(shipment["events"][-1]["timestamp"][:-1])
                last = last.replace(tzinfo=timezone.utc)
                moment = max(moment.replace(microsecond=0), last + timedelta(seconds=1))
            event = {
                "timestamp": _iso(moment),
                "statusCode": code,
                "status": title,
                "description": description or text,
            }
            consignee = shipment["request"].get("consignee") or {}
            place = self._place(consignee if code == "delivered" else None)
            if location:
                place = {"address": {"addressLocality": location}}
            if place["address"]:
                event["location"] = place
            if detail is None and self.detail_codes:
                detail = step_detail
            if detail:
                event["statusDetailed"] = detail
            shipment["events"].append(event)
            if status != "pre-transit":
                shipment["closed"] = True  # handed over: closed out
            shipment["step"] = status
            if status == "delivered":
                shipment["signatory"] = signatory or str(consignee.get("name1") or "")
            shipment["next_advance_at"] = None
            if self.auto_advance and status in PROGRESSION[:-1]:
                shipment["next_advance_at"] = time.time() + float(self.auto_advance)
            has_target = bool(self.webhook_url or self.subscriptions)
        events = [dict(event, tracking_number=number)]
        if push is not False and has_target:
            self._push(None, None, events)
        return events

    def _advance_due(self, now):
        with self._lock:
            due = [
                (n, s["step"])
                for n, s in self._shipments.items()
                if s.get("next_advance_at") and s["next_advance_at"] <= now
            ]
        for number, step in due:
            if step in PROGRESSION[:-1] and not self._shipments[number]["cancelled"]:
                try:
                    self.advance(number, PROGRESSION[PROGRESSION.index(step) + 1])
                except (KeyError, ValueError) as exc:  # keep the loop alive
                    sys.stderr.write(f"DHL simulator auto-advance failed: {exc}\n")

    def _public(self, shipment):
        order = shipment["request"]
        return {
            "shipmentNo": shipment["shipmentNo"],
            "product": order.get("product"),
            "billingNumber": order.get("billingNumber"),
            "refNo": order.get("refNo"),
            "returnShipmentNo": shipment.get("returnShipmentNo"),
            "cancelled": shipment["cancelled"],
            "closed": shipment["closed"],
            "step": shipment["step"],
            "created_at": shipment["created_at"],
            "request": order,
            "events": [dict(e) for e in shipment["events"]],
        }


def main(argv=None):
    parser = base_sim.simulator_arg_parser(
        "DHL contract simulator", DEFAULT_PORT, 1799, credentials=False
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="USER:PASSWORD",
        help="business customer portal user (repeatable); default DHL's "
        "sandbox user user-valid",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY",
        help="accepted API key (repeatable); default: any",
    )
    parser.add_argument(
        "--track-rate", type=float, default=None, help="tracking calls per second"
    )
    parser.add_argument("--track-daily-limit", type=int, default=None)
    parser.add_argument(
        "--detail-codes",
        action="store_true",
        help="put Parcel DE event codes in statusDetailed",
    )
    parser.add_argument("--push-header", default="X-DHL-Push-Token")
    args = parser.parse_args(argv)
    if contracts is None:
        print(
            "DHL simulator: requests are not validated against the published "
            "schemas (tests/contracts or the jsonschema package is missing)",
            file=sys.stderr,
        )
    sim = DhlSimulator(
        args.host,
        args.port,
        users=base_sim.parse_pairs(args.user),
        api_keys=args.api_key or None,
        token_ttl=args.token_ttl,
        track_rate=args.track_rate,
        track_daily_limit=args.track_daily_limit,
        detail_codes=args.detail_codes,
        push_header=args.push_header,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        auto_advance=args.auto_advance,
        verbose=args.verbose,
    ).start()
    return base_sim.serve_until_stopped(sim, "DHL simulator")


if __name__ == "__main__":
    sys.exit(main())
