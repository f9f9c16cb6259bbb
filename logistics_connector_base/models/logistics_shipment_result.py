# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The carrier's answer: shipment ids, tracking numbers, labels, packages."""

import base64

from odoo import _, fields, models

from logistics_carriers import CarrierError
from logistics_carriers.tracking import STATE_RANK

from .logistics_shipment import SUPERVISOR_GROUP


class LogisticsShipmentResult(models.Model):
    _inherit = "logistics.shipment"

    # ------------------------------------------------------------------
    # Results
    # ------------------------------------------------------------------
    def _apply_result(self, result, replay=False, recovered=False, submitted_at=None):
        """Store the carrier's answer on the shipment and the picking."""
        self.ensure_one()
        picking = self.picking_id
        now = fields.Datetime.now()
        label_problem = False
        if (replay or recovered) and not any(p.label for p in result.packages):
            label_problem = self._recover_labels(result)
        attachments = self.env["ir.attachment"]
        fmt = (result.label_format or "PDF").upper()
        ext = {"PDF": "pdf", "PNG": "png", "GIF": "gif", "ZPL": "zpl"}.get(fmt, "bin")
        mimetype = {
            "PDF": "application/pdf",
            "PNG": "image/png",
            "GIF": "image/gif",
        }.get(fmt, "text/plain" if fmt == "ZPL" else "application/octet-stream")
        attachment_vals = []
        for package in result.packages:
            if package.label:
                attachment_vals.append(
                    {
                        "name": f"Label-{self.carrier_code}-"
                        f"{package.tracking_number}.{ext}",
                        "datas": base64.b64encode(package.label),
                        "mimetype": mimetype,
                        "res_model": "stock.picking",
                        "res_id": picking.id,
                    }
                )
        if attachment_vals:
            attachments = self.env["ir.attachment"].sudo().create(attachment_vals)
        by_number = {
            a.name.rsplit("-", 1)[-1].rsplit(".", 1)[0]: a for a in attachments
        }
        others = self.consolidated_picking_ids
        package_vals = self._package_vals(result, attachments, by_number)
        first_time = not (replay or recovered)
        if not first_time:
            self.package_ids.unlink()
        self.env["logistics.shipment.package"].create(package_vals)
        currency = self.company_id.currency_id
        if result.charges_currency and result.charges_currency != currency.name:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", result.charges_currency)], limit=1)
            )
        tracking = ",".join(result.tracking_numbers)
        was_failing = self.health != "ok" or bool(self.exception_category)
        vals = {
            "carrier_shipment_id": result.carrier_shipment_id,
            "tracking_ref": tracking,
            "label_attachment_id": attachments[:1].id,
            "label_at": now,
            "submitted_at": submitted_at or self.submitted_at or now,
            "health": "ok",
            "exception_category": False,
            "last_error": False,
            "needs_lookup": False,
            "charges_amount": result.charges_amount or 0.0,
            "charges_currency_id": currency.id if currency else False,
        }
        if STATE_RANK.get(self.state, 99) < STATE_RANK["label_created"]:
            vals["state"] = "label_created"
        self.with_context(tracking_disable=True).write(vals)
        picking_vals = {"carrier_tracking_ref": tracking}
        if result.charges_amount and not picking.carrier_price:
            picking_vals["carrier_price"] = result.charges_amount
        picking.write(picking_vals)
        if others:
            others.write({"carrier_tracking_ref": tracking})
        event_model = self.env["logistics.shipment.event"]
        event_model._create_from_dispatch(self, now, check_existing=not first_time)
        event_model._relink_orphans(self)
        if was_failing:
            self._resolve_dispatch_exceptions()
        note = (
            _("recovered from the carrier")
            if recovered
            else (_("replayed from the ledger") if replay else _("created"))
        )
        body = _(
            "Shipment %(name)s %(note)s: carrier reference "
            "%(ref)s, tracking %(tracking)s.",
            name=self.name,
            note=note,
            ref=result.carrier_shipment_id,
            tracking=tracking,
        )
        # One log note where the warehouse looks (a note notifies nobody, so
        # the light _message_log does); the shipment's history is its events.
        picking._message_log(body=body, attachment_ids=attachments.ids)
        for other in others:
            other._message_log(body=body)
        if self.is_return and first_time:
            self._send_return_label(attachments)
        if label_problem:
            self._raise_exception(
                "label_missing",
                _(
                    "Shipment %(name)s exists at the carrier (reference %(ref)s, "
                    "tracking %(tracking)s) but its label could not be fetched "
                    "(%(reason)s). Print the label from the carrier's portal, or "
                    "cancel the shipment at the carrier and send it again.",
                    name=self.name,
                    ref=result.carrier_shipment_id,
                    tracking=tracking,
                    reason=label_problem,
                ),
                responsible_group=SUPERVISOR_GROUP,
            )

    def _recover_labels(self, result):
        """Fetch the labels of a result stored or found without them (replay,
        look-up); returns the problem in words when none could be had."""
        adapter = self.account_id._get_adapter(shipment=self)
        try:
            labels = adapter.get_label(result.carrier_shipment_id)
        except CarrierError as err:
            adapter.log_sink.flush()
            return err.carrier_message or str(err)
        adapter.log_sink.flush()
        if not any(p.label for p in labels.packages):
            return _("the carrier returned no label")
        result.packages = labels.packages
        return False

    def _package_vals(self, result, attachments, by_number):
        """Package lines of a carrier result; labels copied onto the
        consolidated delivery orders."""
        others = self.consolidated_picking_ids
        package_vals = []
        if attachments and others:
            # the label and tracking are on each consolidated delivery order too
            self.env["ir.attachment"].sudo().create(
                [
                    {
                        "name": a.name,
                        "datas": a.datas,
                        "mimetype": a.mimetype,
                        "res_model": "stock.picking",
                        "res_id": other.id,
                    }
                    for other in others
                    for a in attachments
                ]
            )
        odoo_packages = self._all_pickings().move_line_ids.result_package_id
        by_name = {p.name: p for p in odoo_packages}
        try:
            parcels = self._get_request().parcels
        except (TypeError, ValueError, KeyError):
            parcels = []
        for index, package in enumerate(result.packages):
            # the carrier answers parcel by parcel, in the order they were sent
            parcel = parcels[index] if index < len(parcels) else None
            odoo_package = by_name.get(parcel.reference) if parcel else None
            if odoo_package is None and index < len(odoo_packages) and not parcels:
                odoo_package = odoo_packages[index]
            package_vals.append(
                {
                    "shipment_id": self.id,
                    "sequence": index,
                    "weight": parcel.weight_kg if parcel else 0.0,
                    "state": "label_created",
                    "tracking_number": package.tracking_number,
                    "package_id": odoo_package.id if odoo_package else False,
                    "label_attachment_id": by_number.get(
                        package.tracking_number, attachments[:1]
                    ).id
                    if attachments
                    else False,
                }
            )
        return package_vals

    def _send_return_label(self, attachments):
        """E-mail the return label(s) to the customer (template)."""
        self.ensure_one()
        template = self.env.ref(
            "logistics_connector_base.mail_template_return_label",
            raise_if_not_found=False,
        )
        if not template or not self.picking_id.partner_id.email:
            self.picking_id._message_log(
                body=_(
                    "Return label %s not e-mailed: the customer has no e-mail "
                    "address. Print it from the delivery order.",
                    self.tracking_ref,
                )
            )
            return False
        return template.send_mail(
            self.id, email_values={"attachment_ids": [(6, 0, attachments.ids)]}
        )
