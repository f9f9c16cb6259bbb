# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The request mapper: what is sent to the carrier, built from delivery orders
(one, several consolidated, or a return) or a sale order (a quote)."""

import json

from odoo import api, fields, models

from logistics_carriers import (
    Address,
    Parcel,
    ShipmentRequest,
)


class LogisticsShipmentRequest(models.Model):
    _inherit = "logistics.shipment"

    # ------------------------------------------------------------------
    # The request mapper
    # ------------------------------------------------------------------
    @api.model
    def _partner_to_address(self, partner, phone=None):
        commercial = partner.commercial_partner_id
        return Address(
            name=partner.name or commercial.name or "",
            company_name=commercial.name
            if commercial != partner and commercial.is_company
            else "",
            street=partner.street or "",
            street2=partner.street2 or "",
            city=partner.city or "",
            zip=partner.zip or "",
            state_code=partner.state_id.code or "",
            country_code=partner.country_id.code or "",
            phone=phone
            if phone is not None
            else (partner.phone or partner.mobile or ""),
            email=partner.email or "",
        )

    def _get_request(self):
        """The request to send: the one prepared at queue time, or a fresh one."""
        self.ensure_one()
        if self.request_payload:
            return ShipmentRequest.from_dict(json.loads(self.request_payload))
        return self._build_request()

    def _build_request(self, phones=None):
        """The request of this shipment from its delivery orders as they are.

        ``phones``: the normalised phones of the click's pre-flight (else
        normalised here)."""
        self.ensure_one()
        return self._request_for_pickings(
            self._all_pickings(),
            self.carrier_id,
            idempotency_key=self.idempotency_key,
            label_format=self.account_id.label_format or "PDF",
            is_return=self.is_return,
            phones=phones,
        )

    @api.model
    def _request_for_pickings(
        self,
        pickings,
        carrier,
        idempotency_key="",
        label_format="PDF",
        is_return=False,
        phones=None,
    ):
        """The carrier request for ``pickings`` (several: a consolidation).

        ``phones``: ``{"recipient_phone", "shipper_phone"}`` in E.164, as the
        click's pre-flight normalised them; without them (a replay, a reroute,
        a quote) they are normalised here, the same way.
        """
        picking = pickings[:1]
        # Pre-flight ran when the user clicked; here only what the carrier
        # needs is prepared (phones in E.164, weights in kg).
        shipper = picking._logistics_shipper_partner()
        recipient = picking.partner_id
        if phones is None:
            phones = {
                "recipient_phone": picking._logistics_phone_for_carrier(recipient),
                "shipper_phone": picking._logistics_phone_for_carrier(shipper),
            }
        parcels = []
        to_kg = self._weight_to_kg
        for package in pickings.move_line_ids.result_package_id:
            pkg_type = package.package_type_id
            parcels.append(
                Parcel(
                    weight_kg=to_kg(package.shipping_weight or package.weight or 0.0),
                    length_cm=self._length_to_cm(pkg_type.packaging_length, pkg_type),
                    width_cm=self._length_to_cm(pkg_type.width, pkg_type),
                    height_cm=self._length_to_cm(pkg_type.height, pkg_type),
                    reference=package.name,
                    package_type=pkg_type.shipper_package_code or "",
                )
            )
        for loose in pickings:
            if not loose.move_line_ids.result_package_id:
                parcels.append(
                    Parcel(
                        weight_kg=to_kg(loose.weight or loose.shipping_weight),
                        reference=loose.name,
                    )
                )
        return self._map_request(
            reference=picking.name,
            carrier=carrier,
            shipper=shipper,
            recipient=recipient,
            parcels=parcels,
            currency=picking.company_id.currency_id.name,
            idempotency_key=idempotency_key,
            ship_date=fields.Date.context_today(self),
            label_format=label_format,
            is_return=is_return,
            phones=phones,
        )

    @api.model
    def _request_for_order(self, order, carrier):
        """A quote request for a sale order with ``carrier``: one parcel of
        the order's estimated weight, the phones as entered."""
        partner = order.partner_shipping_id
        shipper = order.warehouse_id.partner_id or order.company_id.partner_id
        weight = (
            order._get_estimated_weight()
            if hasattr(order, "_get_estimated_weight")
            else 0
        )
        return self._map_request(
            reference=order.name,
            carrier=carrier,
            shipper=shipper,
            recipient=partner,
            parcels=[Parcel(weight_kg=max(weight or 0.0, 0.1))],
            currency=order.currency_id.name,
            idempotency_key=f"rate-{order.id}",
        )

    @api.model
    def _map_request(
        self,
        reference,
        carrier,
        shipper,
        recipient,
        parcels,
        currency,
        idempotency_key="",
        ship_date=None,
        label_format="PDF",
        is_return=False,
        phones=None,
    ):
        """The one request mapper: a ``ShipmentRequest`` from Odoo records.

        Delivery orders, consolidations, returns and sale order quotes all
        come through here. ``phones``: ``{"recipient_phone",
        "shipper_phone"}`` to send instead of the partners' numbers as
        entered. A return swaps the addresses: the customer sends the parcel
        back to the warehouse.
        """
        phones = phones or {}
        request = ShipmentRequest(
            reference=reference,
            idempotency_key=idempotency_key,
            service_code=carrier.logistics_service_code or "",
            shipper=self._partner_to_address(
                shipper, phone=phones.get("shipper_phone")
            ),
            recipient=self._partner_to_address(
                recipient, phone=phones.get("recipient_phone")
            ),
            parcels=parcels,
            ship_date=ship_date,
            label_format=label_format,
            currency=currency,
        )
        if is_return:
            request.shipper, request.recipient = request.recipient, request.shipper
            request.is_return = True
        return request

    @api.model
    def _weight_to_kg(self, weight):
        uom = self.env["product.template"]._get_weight_uom_id_from_ir_config_parameter()
        kg = self.env.ref("uom.product_uom_kgm")
        return round(uom._compute_quantity(weight or 0.0, kg, round=False), 3)

    @api.model
    def _length_to_cm(self, value, package_type):
        factor = {"mm": 0.1, "cm": 1.0, "m": 100.0, "in": 2.54, "ft": 30.48}.get(
            package_type.length_uom_name or "mm", 1.0
        )
        return round((value or 0.0) * factor, 2)
