# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS tracking statuses mapped onto the suite's canonical event codes.

Pure data and one function, no imports: the simulator and the tests read it
too. Sources (see ``docs/carrier-contracts.md`` §3.1-3.3): the UPS Track API
appendix tables "Status/Description Codes" (all 160 values, the best mapping
key, sent zero-padded as ``"011"``), "Package Activity Types" and the 2-char
codes of the Manifest, Movement Scan, Package Exception and Delivery tables.
Entries marked † in the contract are judgement calls; they are marked ``#†``
here too.

Mapping rule (:func:`map_status`):

1. ``statusCode`` first: a specific canonical code wins.
2. When the statusCode is generic (``in_transit``, ``arrived_at_facility``)
   a facility scan in ``code`` refines it (arrival / departure).
3. When the statusCode is ``info`` or missing/unknown, ``code`` read with
   ``type`` decides (codes repeat across tables: ``DP`` is a manifest code
   and a departure scan, ``OT`` out for delivery and a clearance exception).
4. Then ``type`` alone; anything left is ``info`` (counted, never dropped).
"""

# -- Status/Description Codes: statusCode -> (canonical, UPS text) ------------
STATUS_CODES = {
    "000": ("info", "Status Not Available"),
    "003": ("label_created", "Shipment Ready for UPS"),
    "005": ("in_transit", "On the Way"),
    "006": ("out_for_delivery", "Out for Delivery"),
    "007": ("cancelled", "Shipment Information Voided"),
    "010": ("in_transit", "On the Way"),
    "011": ("delivered", "Delivered"),
    "012": ("customs_hold", "Clearance in Progress"),
    "013": ("info", "Exception"),  # refined by code
    "014": ("customs_cleared", "Clearance Completed"),
    "016": ("arrived_at_facility", "In Warehouse"),  # †
    "017": ("available_for_pickup", "Held for Customer Pickup"),
    "018": ("info", "Delivery Change Requested: Hold for Pickup"),
    "019": ("delayed", "Held for Future Delivery"),  # †
    "020": ("delayed", "Held for Future Delivery Requested"),  # †
    "021": ("out_for_delivery", "Out for Delivery"),
    "022": ("delivery_attempted", "First Attempt Made"),
    "023": ("delivery_attempted", "Second Delivery Attempted"),
    "024": ("delivery_attempted", "Final Attempt Made"),
    "025": ("in_transit", "On the Way"),
    "026": ("delivered", "Delivered by Local Post Office"),
    "027": ("info", "Delivery Address Change Requested"),
    "028": ("info", "Delivery Address Changed"),
    "029": ("info", "Exception: Action Required"),  # refined by code
    "030": ("info", "Local Post Office Exception"),  # refined by code
    "032": ("delayed", "Adverse Weather May Cause Delay"),
    "033": ("returned_to_sender", "Return to Sender Requested"),  # †
    "034": ("returned_to_sender", "Returned to Sender"),
    "035": ("returned_to_sender", "Returning to Sender"),  # †
    "036": ("returned_to_sender", "Returning to Sender: In Transit"),  # †
    "037": ("out_for_delivery", "Out for Delivery"),
    "038": ("picked_up", "Picked Up by UPS"),
    "039": ("in_transit", "On the Way"),
    "040": ("available_for_pickup", "Ready for Customer Pickup"),
    "041": ("info", "Service Upgrade Requested"),
    "042": ("info", "Service Upgraded"),
    "043": ("info", "Voided Pickup"),
    "044": ("label_created", "On the Way to UPS"),  # †
    "045": ("label_created", "On the Way to UPS"),  # †
    "046": ("delayed", "Delay"),
    "047": ("in_transit", "On the Way"),
    "048": ("delayed", "Delay"),
    "049": ("delayed", "Delay: Action Required"),
    "050": ("address_issue", "Address Information Required"),
    "051": ("delayed", "Delay: Emergency Situation or Severe Weather"),
    "052": ("delayed", "Delay: Severe Weather"),
    "053": ("delayed", "Delay: Severe Weather"),
    "054": ("info", "Delivery Change Requested"),
    "055": ("delayed", "Rescheduled Delivery"),  # †
    "056": ("info", "Service Upgrade Requested"),
    "057": ("in_transit", "On the Way to a Local UPS Access Point"),
    "058": ("customs_hold", "Clearance Information Required"),
    "059": ("damaged", "Damage Reported"),
    "060": ("delivery_attempted", "Delivery Attempted"),
    "061": ("delivery_attempted", "Delivery Attempted: Adult Signature Required"),
    "062": ("delivery_attempted", "Delivery Attempted: Funds Required"),
    "063": ("info", "Delivery Change Completed"),
    "064": ("delivery_attempted", "Delivery Refused"),  # †
    "065": ("info", "Pickup Attempted"),
    "066": ("delivery_attempted", "Post Office Delivery Attempted"),
    "067": ("returned_to_sender", "Returned to Sender by Post Office"),
    "068": ("lost", "Sent to Lost and Found"),  # †
    "069": ("delivery_attempted", "Unable to Deliver"),  # †
    "070": ("info", "Package not at UPS Access Point yet"),
    "071": ("in_transit", "Preparing for Delivery"),  # †
    "072": ("out_for_delivery", "Loaded on Delivery Vehicle"),
    "073": ("in_transit", "In Transit to UPS Delivery Partner"),
    "074": ("in_transit", "UPS Delivery Partner has Shipment"),
    "075": ("out_for_delivery", "Scheduled for Delivery"),  # †
    "076": ("info", "UPS Delivery Partner Exception"),  # refined by code
    "077": ("pickup_scheduled", "Scheduled for Pickup Today"),
    "078": ("out_for_delivery", "Your Driver is Arriving Soon!"),
    "079": ("label_created", "Order Processed: In Transit to UPS"),  # †
    "080": ("label_created", "Order Processed: Ready for UPS"),
    "081": ("returned_to_sender", "Returned - Damage Reported"),
    "082": ("info", "Delivery Instructions Received"),
    "083": ("customs_hold", "Held"),  # †
    "084": ("customs_cleared", "Cleared"),
    "085": ("info", "Held for COD Payment"),
    "086": ("delayed", "Delay"),
    "087": ("in_transit", "On the Way"),
    "088": ("info", "Test"),
    "089": ("out_for_delivery", "Out for Delivery"),
    "090": ("delayed", "Delay"),
    "091": ("out_for_delivery", "Out for Delivery"),
    "092": ("customs_hold", "Customs Clearance in Progress"),
    "093": ("info", "Premier Recovery In Progress"),
    "094": ("info", "Premier Recovery Completed"),
    "095": ("info", "Additional Attempt Requested"),
    "096": ("info", "Address Change Confirmed"),
    "097": ("info", "Address Change Requested"),
    "098": ("info", "Deliver to Original Address Requested"),
    "099": ("info", "Deliver to Original Address Confirmed"),
    "100": ("info", "Hold at UPS Access Point Confirmed"),
    "101": ("info", "Hold at UPS Access Point Requested"),
    "102": ("info", "Hold for Courier Requested"),
    "103": ("info", "Hold for Courier Confirmed"),
    "104": ("info", "Hold for Instructions Confirmed"),
    "105": ("info", "Hold for Instructions Requested"),
    "106": ("info", "Hold for Pickup Confirmed"),
    "107": ("info", "Hold for Pickup Requested"),
    "108": ("info", "Hold for Pickup Today Confirmed"),
    "109": ("info", "Hold for Pickup Today Requested"),
    "110": ("info", "Refrigeration Confirmed"),
    "111": ("info", "Refrigeration Requested"),
    "112": ("info", "Re-Ice Confirmed"),
    "113": ("info", "Re-Ice Requested"),
    "114": ("info", "Request Canceled"),
    "115": ("info", "Reschedule Delivery Confirmed"),
    "116": ("info", "Reschedule Delivery Requested"),
    "117": ("returned_to_sender", "Return by Saturday Confirmed"),  # †
    "118": ("returned_to_sender", "Return to Sender Confirmed"),  # †
    "119": ("returned_to_sender", "Return to Sender Requested"),  # †
    "120": ("info", "Saturday Delivery Confirmed"),
    "121": ("info", "Saturday Delivery Requested"),
    "122": ("info", "Upgrade Confirmed"),
    "123": ("customs_hold", "Pending Release From Non-UPS Broker"),
    "124": ("customs_hold", "Clearance Information Needed"),
    "125": ("customs_hold", "Clearance Information Needed"),
    "126": ("customs_hold", "Pending Government Agency Release"),
    "127": ("info", "Investigation Closed"),
    "128": ("info", "Investigation Canceled"),
    "129": ("info", "Investigation Opened"),
    "130": ("info", "Claim in Progress"),
    "131": ("info", "Final Pickup Attempted"),
    "132": ("delayed", "Airport Security Delay"),
    "133": ("info", "Return Label Left With Customer"),
    "134": ("customs_cleared", "Cleared Import Customs"),
    "135": ("info", "Second Pickup Attempted"),
    "136": ("info", "Delivery Rescheduled for Saturday"),
    "137": ("in_transit", "Transferred to UPS Delivery Partner"),
    "138": ("in_transit", "Awaiting Scheduled Departure"),
    "139": ("delivery_attempted", "Security Access Required"),  # †
    "140": ("info", "Claim Paid - Claim Payment Has Been Processed."),
    "141": ("customs_hold", "Incomplete Documentation Received"),  # †
    "142": ("info", "Claim Voided"),
    "143": ("delivered", "Delivered to Agent"),
    "144": ("available_for_pickup", "Delivered to Post Office for Pickup"),
    "145": ("delivery_attempted", "Delivery Attempted"),
    "146": ("out_for_delivery", "Out for Delivery"),
    "147": ("lost", "Seized by Law Enforcement, No Longer in UPS possession"),  # †
    "148": ("info", "Package Information Unavailable"),
    "149": (  # †
        "lost",
        "Prohibited Contents, Package Destroyed No Longer in UPS possession",
    ),
    "153": ("info", "Updated Delivery Time"),
    "154": ("info", "Updated Delivery Date"),
    "155": ("info", "Delivery Photo"),
    "156": ("delivered", "Commercial Inside Release"),  # †
    "157": ("label_created", "Shipment Ready for UPS"),
    "158": ("in_transit", "On the Way"),
    "159": ("in_transit", "On the Way"),
    "160": ("picked_up", "We Have Your Package"),
    "161": ("available_for_pickup", "Delivered to UPS Access Point"),  # †
    "162": ("out_for_delivery", "Out for Delivery"),
    "163": ("info", "Package Information Unavailable"),
    "164": ("in_transit", "On the Way"),
    "165": ("in_transit", "On the Way"),
    "166": ("label_created", "Shipment Ready for Roadie"),
    "167": ("picked_up", "Dropped off at UPS Store by Customer"),  # †
    "168": ("picked_up", "Dropped off at Retail Location by Customer"),  # †
    "169": ("picked_up", "Dropped off at a UPS Access Point by Customer"),  # †
}

# -- Package Activity Types (status.type / activityStatus.type) --------------
TYPES = {
    "M": ("label_created", "Billing Information Received"),
    "MV": ("cancelled", "Billing Information Voided"),
    "P": ("picked_up", "Pickup"),  # older lists
    "I": ("in_transit", "In Transit"),  # refined by statusCode / code
    "X": ("info", "Exception"),  # † refined by statusCode / code
    "D": ("delivered", "Delivered"),
    "DO": ("in_transit", "Delivered Origin CFS"),  # †
    "DD": ("arrived_at_facility", "Delivered Destination CFS"),  # †
    "W": ("arrived_at_facility", "Warehousing"),  # †
    "NA": ("info", "Not Available"),
    "U": ("info", "Updates"),  # † a later date (UP) cannot be told from it
    "RS": ("returned_to_sender", "Returned to Shipper"),  # older lists
    "O": ("out_for_delivery", "Out for Delivery"),  # older lists
}


def _codes(canonical, *codes):
    return dict.fromkeys(codes, canonical)


# -- 2-char codes, per UPS-APX table (read with the activity type) -----------
MANIFEST_CODES = {
    **_codes("label_created", "DP", "MP", "RD"),
    "VP": "cancelled",  # shipment voided
}
MOVEMENT_CODES = {
    **_codes("label_created", "PL", "OC"),
    "SP": "pickup_scheduled",
    **_codes("picked_up", "OR", "PU", "PC", "PT", "XD"),
    **_codes("arrived_at_facility", "AR", "DS", "UL", "WH", "IP"),  # † UL WH IP
    **_codes("departed_facility", "DP", "EP"),  # † EP
    **_codes(
        "in_transit", "AG", "AT", "HU", "LC", "LM", "XA", "XR", "YH", "YM", "YN", "YP"
    ),
    **_codes("out_for_delivery", "OF", "OT", "YF", "OD", "DL", "YI"),  # † OD DL YI
    **_codes("info", "CA", "CD", "CL", "UA", "UD", "VP"),  # VP: void pickup
}
EXCEPTION_CODES = {
    **_codes(
        "delivery_attempted", "48", "49", "C4", "55", "AY", "G3", "KT", "KR", "KS"
    ),
    **_codes("address_issue", "A6", "A7", "A8", "AA", "E1", "H2"),
    **_codes("customs_hold", "5", "1U", "2N", "2T", "29", "40", "43", "71", "OT"),
    **_codes(
        "delayed",
        *("3", "4", "6", "7", "8", "15", "16", "17", "18", "19"),
        *("22", "23", "31", "34", "1B", "1K"),
    ),
    **_codes("damaged", "13", "45", "64", "65", "66", "67", "A1", "A2", "A3", "A4"),
    **_codes("lost", "24", "25", "26", "27", "AJ", "S9", "TJ", "UO"),  # †
    **_codes("available_for_pickup", "54", "89", "2X", "5R"),  # †
    **_codes("returned_to_sender", "90", "3N", "6C", "8H"),
    **_codes("cancelled", "30", "5D"),  # †
    "F4": "delivered",
}
DELIVERY_CODES = {
    **_codes("address_issue", "50", "BO"),
    "28": "damaged",
    # F4 is in the exceptions table; FS (Track Alert example) and KB
    # (clients) are in no table but are sent with delivered statuses.
    **_codes("delivered", "F4", "FS", "KB"),
    "2Q": "available_for_pickup",  # † delivered to an Access Point
}
# Which tables a type reads, in order; no type (or an unknown one): all.
TYPE_TABLES = {
    "M": (MANIFEST_CODES,),
    "MV": (MANIFEST_CODES,),
    "I": (MOVEMENT_CODES,),
    "P": (MOVEMENT_CODES,),
    "O": (MOVEMENT_CODES,),
    "X": (EXCEPTION_CODES, DELIVERY_CODES),
    "D": (DELIVERY_CODES,),
}
ALL_TABLES = (MOVEMENT_CODES, MANIFEST_CODES, EXCEPTION_CODES, DELIVERY_CODES)

GENERIC = ("in_transit", "arrived_at_facility")
FACILITY = ("arrived_at_facility", "departed_facility")
COMPOSITE_SEPARATOR = "/"


def normalise_status_code(value):
    """``11``, ``"11"``, ``" 011 "`` -> ``"011"``; ``""`` when absent."""
    if value is None or isinstance(value, bool):
        return ""
    text = str(value).strip()
    if text.isdigit() and len(text) <= 3:
        return text.zfill(3)
    return text


def normalise_code(value):
    """2-char codes: upper case, a zero-padded single digit unpadded ("05")."""
    text = str(value or "").strip().upper()
    if len(text) == 2 and text[0] == "0" and text[1].isdigit():
        text = text[1]
    return text


def composite_code(status_code, type_=None, code=None):
    """The raw code stored on events: ``"011/D/FS"`` (re-mappable alone)."""
    return COMPOSITE_SEPARATOR.join(
        [
            normalise_status_code(status_code),
            str(type_ or "").strip().upper(),
            normalise_code(code),
        ]
    )


def split_raw_code(raw_code, type_=None, code=None):
    """(statusCode, type, code) from a statusCode or a composite raw code."""
    text = "" if raw_code is None else str(raw_code).strip()
    if COMPOSITE_SEPARATOR in text:
        parts = (text.split(COMPOSITE_SEPARATOR) + ["", "", ""])[:3]
        text = parts[0]
        type_ = type_ or parts[1]
        code = code or parts[2]
    return (
        normalise_status_code(text),
        str(type_ or "").strip().upper(),
        normalise_code(code),
    )


def code_status(type_, code):
    """Canonical code of a 2-char ``code`` read with ``type_``, or None."""
    code = normalise_code(code)
    if not code:
        return None
    for table in TYPE_TABLES.get(str(type_ or "").strip().upper(), ALL_TABLES):
        if code in table:
            return table[code]
    return None


def map_status(raw_code, type_=None, code=None):
    """Canonical event code of a UPS status (see the module docstring)."""
    status_code, type_, code = split_raw_code(raw_code, type_, code)
    by_status = STATUS_CODES.get(status_code, (None, ""))[0]
    by_code = code_status(type_, code)
    if by_status in GENERIC:
        return by_code if by_code in FACILITY else by_status
    if by_status and by_status != "info":
        return by_status
    if by_code:
        return by_code
    if by_status == "info":
        return "info"
    return TYPES.get(type_, ("info", ""))[0]


def is_mapped(raw_code, type_=None, code=None):
    """True when at least one of statusCode, code or type is documented."""
    status_code, type_, code = split_raw_code(raw_code, type_, code)
    return bool(
        status_code in STATUS_CODES or code_status(type_, code) or type_ in TYPES
    )


def description(status_code):
    """UPS's customer-facing text of a statusCode ("" when unknown)."""
    return STATUS_CODES.get(normalise_status_code(status_code), ("", ""))[1]
