# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import dataclasses
import logging

from odoo import _, fields, models

from logistics_carriers import CarrierError

_logger = logging.getLogger(__name__)


class LogisticsShipment(models.Model):
    _inherit = "logistics.shipment"

    dhl_retoure_number = fields.Char(
        string="DHL Retoure Number",
        readonly=True,
        copy=False,
        help="Tracking number(s) of the DHL Retoure label(s) printed with this "
        "shipment (returnShipmentNo).",
    )
    dhl_retoure_label_ids = fields.Many2many(
        "ir.attachment",
        "logistics_shipment_dhl_retoure_label_rel",
        "shipment_id",
        "attachment_id",
        string="DHL Retoure Labels",
        readonly=True,
        copy=False,
        help="The prepaid return labels DHL printed with this shipment; the "
        "Return label button e-mails them to the customer.",
    )

    def _build_request(self, phones=None):
        """DHL: the customs block of a parcel leaving the EU customs union."""
        request = super()._build_request(phones=phones)
        if self.carrier_code != "dhl" or not self.picking_id:
            return request
        picking = self.picking_id
        if not picking._dhl_needs_customs():
            return request
        customs = picking._dhl_customs_data()
        if self.is_return:
            customs["reason"] = "RETURN"  # goods coming back, not a sale
        return dataclasses.replace(request, customs=customs)

    def _apply_result(self, result, replay=False, recovered=False, submitted_at=None):
        """DHL: keep the Retoure label(s) that came with the order."""
        res = super()._apply_result(
            result, replay=replay, recovered=recovered, submitted_at=submitted_at
        )
        if self.carrier_code == "dhl" and not self.is_return:
            self._dhl_store_retoure(result)
        return res

    def _dhl_store_retoure(self, result):
        self.ensure_one()
        returns = list(getattr(result, "return_packages", None) or [])
        numbers = [
            str(item["returnShipmentNo"])
            for item in (result.raw or {}).get("shipments") or []
            if isinstance(item, dict) and item.get("returnShipmentNo")
        ]
        if numbers and not any(p.label for p in returns):
            # replayed from the ledger (labels are not stored there): reprint
            try:
                adapter = self.account_id._get_adapter(shipment=self)
                returns = adapter.get_label(result.carrier_shipment_id)
                returns = list(getattr(returns, "return_packages", None) or [])
                adapter.log_sink.flush()
            except CarrierError as err:
                _logger.warning("DHL Retoure reprint failed for %s: %s", self.name, err)
        numbers = [p.tracking_number for p in returns if p.tracking_number] or numbers
        picking = self.picking_id
        if not numbers:
            if self.account_id.dhl_retoure:
                picking._message_log(
                    body=_(
                        "No DHL Retoure label came with %(name)s: DHL prints them "
                        "with DHL Paket (V01PAK) only.",
                        name=self.name,
                    )
                )
            return
        self.dhl_retoure_label_ids.sudo().unlink()
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": f"Retoure-dhl-{package.tracking_number}."
                        + ("zpl" if package.label_format == "ZPL" else "pdf"),
                        "datas": base64.b64encode(package.label),
                        "mimetype": "text/plain"
                        if package.label_format == "ZPL"
                        else "application/pdf",
                        "res_model": "stock.picking",
                        "res_id": picking.id,
                    }
                    for package in returns
                    if package.label
                ]
            )
        )
        self.with_context(tracking_disable=True).write(
            {
                "dhl_retoure_number": ", ".join(numbers),
                "dhl_retoure_label_ids": [(6, 0, attachments.ids)],
            }
        )
        picking._message_log(
            body=_(
                "DHL Retoure label %(numbers)s printed with %(name)s.",
                numbers=", ".join(numbers),
                name=self.name,
            ),
            attachment_ids=attachments.ids,
        )

    def _dhl_send_retoure_label(self):
        """E-mail the Retoure label(s) of this outbound shipment to the
        customer; False (and a note) when the customer has no e-mail."""
        self.ensure_one()
        template = self.env.ref(
            "logistics_carrier_dhl.mail_template_dhl_retoure_label",
            raise_if_not_found=False,
        )
        if not template or not self.picking_id.partner_id.email:
            return False
        return template.send_mail(
            self.id,
            email_values={
                "attachment_ids": [(6, 0, self.dhl_retoure_label_ids.ids)],
            },
        )
