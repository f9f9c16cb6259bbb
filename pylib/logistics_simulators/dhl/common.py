# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL's paths, products, codes and problem shapes shared by the simulator's
operations (Parcel DE Shipping v2, Unified tracking), and time helpers
(DHL speaks German local time)."""

import re
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logistics_carriers.dhl.countries import ALPHA3

from ..core.contracts import import_contracts

ALPHA2 = {alpha3: alpha2 for alpha2, alpha3 in ALPHA3.items()}
contracts = import_contracts()
# The EU customs union: parcels elsewhere need the customs block
EU_CUSTOMS_UNION = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO "
    "SE SI SK".split()
)
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


def utc_now():
    return datetime.now(timezone.utc)


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def today_in_germany():
    """DHL's "today" for shipDate (UTC+1 when there is no tz database)."""
    try:
        return datetime.now(ZoneInfo("Europe/Berlin")).date()
    except ZoneInfoNotFoundError:
        return (utc_now() + timedelta(hours=1)).date()


def german_local(stamp):
    """A ``...Z`` timestamp as German local time without an offset, as
    Unified answers for parcel-de."""
    moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    try:
        local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    except ZoneInfoNotFoundError:
        local = moment + timedelta(hours=1)
    return local.strftime("%Y-%m-%dT%H:%M:%S")


def property_path(problem):
    """``shipments/0/consignee/name1: msg`` -> (``shipments[0].consignee.name1``,
    msg), DHL's propertyPath style."""
    where, _sep, message = problem.partition(": ")
    path = ""
    for part in where.split("/"):
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path, message


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


def count_text(done, total, verb):
    noun = "shipment" if total == 1 else "shipments"
    return f"{done} of {total} {noun} successfully {verb}."
