# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Parcel DE Shipping v2: orders (multi-status items, item faults, DHL
Retoure), labels (included or by URL), reprint, cancel and the daily
close-out."""

import base64
import re
import secrets

from ..core.http import Reply
from ..core.labels import build_pdf_label, build_zpl_label
from .common import (
    PRODUCTS,
    SHIPPING,
    contracts,
    count_text,
    iso,
    property_path,
    request_status,
    utc_now,
)


class DhlShipping:
    """Mixin of :class:`~logistics_simulators.dhl.DhlSimulator`."""

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
            document["zpl2"] = build_zpl_label(lines, number).decode()
        else:
            pdf = build_pdf_label(lines, number)
            document["b64"] = base64.b64encode(pdf).decode("ascii")
        return document

    def _new_shipment(self, order):
        number = "003404" + "".join(str(secrets.randbelow(10)) for _ in range(14))
        shipment = {
            "shipmentNo": number,
            "request": order,
            "created_at": iso(utc_now()),
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
                property_path(problem)
                for problem in contracts.errors(
                    "dhl", "parcel_de_shipping_v2", "ShipmentOrderRequest", body
                )[:10]
            ]
        if errors:
            return Reply(
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
        return Reply(
            status,
            {
                "status": request_status(status, count_text(ok, total, verb), title),
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
        return Reply(
            400,
            {
                "status": request_status(400, "Between 1 and 30 shipments required."),
                "items": [{"propertyPath": "shipment", "message": "Invalid."}],
            },
        )

    def _op_cancel(self, query, **_):
        numbers = self._numbers_from(query)
        if not (query.get("profile") or [""])[0]:
            return Reply(
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
                return Reply(404, request_status(404, "Unknown document."))
            number, fmt, *retoure = found
            document = self._document(number, fmt, "include", retoure=any(retoure))
        if "zpl2" in document:
            return Reply(200, document["zpl2"], content_type="text/plain")
        return Reply(
            200, base64.b64decode(document["b64"]), content_type="application/pdf"
        )
