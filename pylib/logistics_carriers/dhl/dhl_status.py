# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL status and event codes mapped onto the suite's canonical event codes.

Every table follows ``docs/carrier-contracts.md`` §3.4 (Unified, Push, Parcel DE)
and §3.5 (DHL Express checkpoints). Values marked † there are judgement calls;
so are the ICE events of DHL's "ICE event/RIC combinations July 2024" list
that §3.4 does not name (marked ``# †`` below).

Unified tracking (and push) only guarantee ``statusCode`` (pre-transit,
transit, delivered, failure, unknown). A service-specific code (Parcel DE ICE
event, optionally with its RIC reason, or standard event; Express checkpoint)
*refines* it when one is present. A code no table knows maps to ``info`` and
is counted in :data:`UNMAPPED`, never dropped: the raw code stays on the event.
"""

import threading
from collections import Counter

INFO = "info"

# Unified ``statusCode`` and the Push API's ``events`` names (case-insensitive).
UNIFIED_STATUS = {
    "pre-transit": "label_created",
    "transit": "in_transit",
    "delivered": "delivered",
    "failure": INFO,  # † refined by the service code when there is one
    "unknown": INFO,
}

# Parcel DE standard events ("ttpro" codes), with their English meaning.
PARCEL_DE_EVENTS = {
    "VA": ("label_created", "Electronic pre-advice"),
    "ES": ("picked_up", "Handed over to DHL"),
    "AE": ("picked_up", "Pickup successful"),
    "AN": (INFO, "Pickup not successful"),  # †
    "AA": ("departed_facility", "Departed from"),
    "EE": ("arrived_at_facility", "Arrived at"),
    "NB": ("in_transit", "Normal processing"),
    "PO": ("out_for_delivery", "In delivery process"),  # †
    "ZN": ("delivery_attempted", "Delivery attempt not successful"),
    "ZF": ("available_for_pickup", "Delivery to postal outlet / Packstation"),
    "LA": ("available_for_pickup", "In storage"),  # †
    "ZU": ("delivered", "Delivery successful"),
    "ZO": ("customs_hold", "Customs clearance"),  # †
    "BV": (INFO, "Exception"),  # † refined by the ICE event
    "DD": (INFO, "Data service"),
    "GT": (INFO, "Money transfer"),
}

# Parcel DE ICE events, with their English name.
ICE_EVENTS = {
    "PARCV": ("label_created", "PAN received by carrier"),
    "PURCR": ("pickup_scheduled", "Pick up request created"),  # †
    "PCKDU": ("picked_up", "Picked up"),
    "SHRCU": ("picked_up", "Shipment received from customer"),
    "MVARR": ("arrived_at_facility", "Movement / tour vehicle arrived"),
    "ULFMV": ("arrived_at_facility", "Unloaded from movement / tour vehicle"),
    "MVDPT": ("departed_facility", "Movement / tour vehicle departed"),
    "LDTMV": ("departed_facility", "Loaded to movement / tour vehicle"),  # †
    "HLDCU": ("customs_hold", "Held by customs"),
    "HLDCP": ("customs_hold", "Held for clearance purposes"),
    "ICPRC": ("customs_hold", "Into clearance processing"),
    "ITBAR": ("customs_hold", "In bonded area"),
    "RSDCP": ("customs_cleared", "Released from clearance processing"),
    "MSRTD": ("delayed", "Mis-routed"),  # †
    "MVDEX": ("delayed", "Movement / tour vehicle departure exception"),  # †
    "MVTEX": ("delayed", "Movement / tour vehicle exception"),  # †
    "LDEXC": ("delayed", "Loading exception"),  # †
    "NTDEL": ("delivery_attempted", "Not delivered"),
    "DLVRF": ("delivery_attempted", "Delivery refused"),  # †
    "CNRFC": ("available_for_pickup", "Consignee notified - ready for collection"),
    "HLDCC": ("available_for_pickup", "Held for consignee collection"),
    "DLVRD": ("delivered", "Delivered"),
    "RETRN": ("returned_to_sender", "Shipment will be returned to origin"),  # †
    "ALERT": ("address_issue", "Alert"),
    "BDADD": ("address_issue", "Bad address"),
    "DMGDS": ("damaged", "Damage discovered"),
    "DSPSD": ("lost", "Disposed of"),  # †
    "CNFSC": ("lost", "Confiscation"),  # †
    "CANCL": ("cancelled", "The shipment order was cancelled by the sender"),
    "ADVIS": (INFO, "Advise"),
    "CHECK": (INFO, "Checked"),
    "ROUCR": (INFO, "Re-routed on customer request"),
    "STORN": (INFO, "The previous event was deleted by the driver"),
    "TRBCR": (INFO, "Transferred between carriers"),
    "DTNPC": (INFO, "Data, but no piece"),
    "PBNDT": (INFO, "Piece, but no data"),
    "RCCLS": (INFO, "Record closed"),
    # ICE events of the July 2024 list that §3.4 does not name (all †):
    "ASMVT": ("in_transit", "Assigned to movement / tour vehicle"),
    "LDTHU": ("in_transit", "Loaded to handling unit"),
    "SRTED": ("in_transit", "Sorted"),
    "FWDCF": ("in_transit", "Forwarded to correct facility"),
    "OFWRD": ("in_transit", "Onforwarded"),
    "HNDDE": ("in_transit", "Handover to 3rd party - delivery details expected"),
    "HNDND": ("in_transit", "Handover to 3rd party - no delivery details expected"),
    "INFCL": ("arrived_at_facility", "In facility"),
    "NTADT": ("delayed", "Not assigned to delivery tour"),
    "EXPHD": (INFO, "Exception hold"),
    "NTPUP": (INFO, "Not picked up"),
    "PMTCR": (INFO, "Payments received from courier"),
    "PMTCS": (INFO, "Payment received from customer"),
    "RELBL": (INFO, "Relabeled"),
    "REPCK": (INFO, "Repacked"),
    "SECHK": (INFO, "Security checked"),
}

# ICE event + RIC (reason) pairs whose reason says more than the event (all †).
ICE_RIC = {
    ("ALERT", "DLVTM"): INFO,  # preferred delivery time, not an address problem
    ("NTDEL", "BDADD"): "address_issue",
    ("NTPUP", "BDADD"): "address_issue",
    ("LDEXC", "BDADD"): "address_issue",
    ("EXPHD", "BDADD"): "address_issue",
    ("PURCR", "BDADD"): "address_issue",
    ("EXPHD", "WRGRI"): "address_issue",
    ("NTDEL", "WRGRI"): "address_issue",
    ("NTDEL", "MOVED"): "address_issue",
    ("EXPHD", "LOSTX"): "lost",
    ("RCCLS", "LOSTX"): "lost",
    ("EXPHD", "DMGED"): "damaged",
    ("EXPHD", "DMGPC"): "damaged",
    ("EXPHD", "DMPHD"): "damaged",
    ("NTDEL", "DMGED"): "damaged",
    ("EXPHD", "FRMJR"): "delayed",
    ("EXPHD", "EQUBF"): "delayed",
    ("EXPHD", "STPRB"): "delayed",
    ("EXPHD", "CLREF"): "customs_hold",
    ("EXPHD", "PWMFD"): "customs_hold",
    ("EXPHD", "RTTSP"): "returned_to_sender",
}

# DHL Express checkpoints (MyDHL ``events[].typeCode``) and shipment statuses.
EXPRESS_EVENTS = {
    "104": ("label_created", "Pre-transit"),
    "PU": ("picked_up", "Shipment picked up"),
    "SA": ("picked_up", "Shipment acceptance"),  # †
    "102": ("in_transit", "Transit"),
    "PL": ("in_transit", "Processed at location"),
    "TR": ("in_transit", "Transferred through"),
    "FD": ("in_transit", "Forwarded for delivery"),
    "SM": ("in_transit", "Scheduled for movement"),
    "TP": ("in_transit", "Forwarded to a third party"),  # †
    "AF": ("arrived_at_facility", "Arrived at facility"),
    "AR": ("arrived_at_facility", "Arrival at delivery facility"),
    "DF": ("departed_facility", "Departed facility"),
    "CD": ("customs_hold", "Clearance delay"),
    "IC": ("customs_hold", "In clearance processing"),  # †
    "UD": ("customs_hold", "Clearance delay, updated documentation needed"),  # †
    "BN": ("customs_hold", "Customs broker notified"),  # †
    "HP": ("customs_hold", "Held for payment"),  # †
    "CR": ("customs_cleared", "Clearance released"),
    "BR": ("customs_cleared", "Broker release"),
    "MD": ("delayed", "Missed delivery cycle"),
    "MS": ("delayed", "Mis-sort"),
    "MC": ("delayed", "Miscode"),  # †
    "WC": ("out_for_delivery", "With delivering courier"),
    "NH": ("delivery_attempted", "Not home"),
    "CA": ("delivery_attempted", "Closed on arrival"),
    "ND": ("delivery_attempted", "Not delivered"),
    "RD": ("delivery_attempted", "Refused delivery"),  # †
    "CC": ("available_for_pickup", "Awaiting consignee collection"),
    "101": ("delivered", "Delivered"),
    "OK": ("delivered", "Delivered"),
    "PD": ("delivered", "Partial delivery"),  # †
    "DD": ("delivered", "Delivered damaged"),  # † (also damaged)
    "RT": ("returned_to_sender", "Returned to shipper"),
    "BA": ("address_issue", "Bad address"),
    "CM": ("address_issue", "Customer moved"),
    "DS": ("lost", "Destroyed / disposal"),  # †
    "103": (INFO, "Failure"),  # †
    "OH": (INFO, "On hold"),
    "SS": (INFO, "Shipment stopped"),
    "CS": (INFO, "Closed shipment"),
    "SC": (INFO, "Service changed"),
    "AD": (INFO, "Agreed delivery"),
    "RR": (INFO, "Response received"),
    "PY": (INFO, "Payment"),
}

# Lookup order by Unified ``service`` (codes of one table can mean something
# else in another: DD is "data service" in Parcel DE, "delivered damaged" in
# Express).
SERVICE_TABLES = {
    "parcel-de": (ICE_EVENTS, PARCEL_DE_EVENTS),
    "express": (EXPRESS_EVENTS,),
}
ANY_SERVICE_TABLES = (ICE_EVENTS, PARCEL_DE_EVENTS, EXPRESS_EVENTS)

# Codes seen that no table knows: (kind, code) -> count, for monitoring.
UNMAPPED = Counter()
_UNMAPPED_LOCK = threading.Lock()


def count_unmapped(kind, code):
    with _UNMAPPED_LOCK:
        UNMAPPED[(kind, code)] += 1


def split_raw_code(raw_code):
    """``"transit:NTDEL/BDADD"`` -> ("transit", "NTDEL", "BDADD").

    The raw code of a DHL event is its Unified ``statusCode``, followed by
    ``:`` and a service code when the event carries one; an ICE event may
    carry its RIC reason after ``/``. A bare service code is accepted too.
    """
    text = str(raw_code or "").strip()
    status, sep, detail = text.partition(":")
    if not sep and status.lower() not in UNIFIED_STATUS:
        status, detail = "", status
    code, _sep, ric = detail.partition("/")
    return status.strip().lower(), code.strip().upper(), ric.strip().upper()


def detail_code(code, service=None, ric=""):
    """Canonical code of a service-specific code, or None when no table has it."""
    if not code:
        return None
    tables = SERVICE_TABLES.get((service or "").lower(), ANY_SERVICE_TABLES)
    for table in tables:
        if code in table:
            return ICE_RIC.get((code, ric)) or table[code][0]
    return None


def map_dhl_status(raw_code, service=None, ric=""):
    """Canonical code of a DHL status (see :func:`split_raw_code`).

    The service code wins unless it only says ``info``; an unknown Unified
    status or service code is counted and falls back (finally to ``info``).
    """
    status, code, raw_ric = split_raw_code(raw_code)
    ric = (ric or raw_ric or "").upper()
    base = UNIFIED_STATUS.get(status) if status else None
    if status and base is None:
        count_unmapped("statusCode", status)
    refined = detail_code(code, service, ric)
    if code and refined is None:
        count_unmapped(service or "detail", code)
    if refined and (refined != INFO or base is None):
        return refined
    return base or INFO


def description(code, service=None):
    """DHL's meaning of a service code ("" when unknown)."""
    tables = SERVICE_TABLES.get((service or "").lower(), ANY_SERVICE_TABLES)
    for table in tables:
        if code in table:
            return table[code][1]
    return ""
