# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import dataclasses

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.logistics_connector_base.models.logistics_idempotency_record import (
    IN_FLIGHT,
    REPLAY,
)

from logistics_carriers import CarrierError


class LogisticsShipment(models.Model):
    _inherit = "logistics.shipment"

    def _build_request(self, phones=None):
        """UPS: the customs data of a shipment leaving the customs area."""
        request = super()._build_request(phones=phones)
        if self.carrier_code != "ups":
            return request
        customs = self.picking_id._ups_customs_data()
        if customs and self.is_return:
            customs["reason"] = "RETURN"  # goods coming back, not a sale
        return dataclasses.replace(request, customs=customs) if customs else request

    def _apply_result(self, result, replay=False, recovered=False, submitted_at=None):
        """Label created: its packages are due for a Track Alert subscription."""
        res = super()._apply_result(
            result, replay=replay, recovered=recovered, submitted_at=submitted_at
        )
        account = self.account_id
        if self.carrier_code == "ups" and account.ups_track_alert != "off":
            todo = self.package_ids.filtered(
                lambda p: p.tracking_number and p.ups_alert_state != "subscribed"
            )
            if todo:
                todo.write({"ups_alert_state": "pending", "ups_alert_attempts": 0})
                account._ups_enqueue_track_alerts()
        return res

    def _ups_void_packages(self, packages):
        """Void some packages of this shipment at UPS; one event per package.

        UPS's refusal (e.g. already picked up) is shown with its words and
        nothing is changed. Voiding every remaining package cancels the
        shipment (the whole-shipment path).
        """
        self.ensure_one()
        self._check_supervisor()
        shipment = self.sudo()
        if shipment.carrier_code != "ups":
            raise UserError(_("Only UPS shipments can void single packages."))
        if shipment.state != "label_created":
            raise UserError(
                _(
                    "Shipment %(name)s is %(state)s: only packages of a shipment "
                    "whose label was created and that was not picked up can be "
                    "voided.",
                    name=shipment.name,
                    state=dict(self._fields["state"].selection)[shipment.state],
                )
            )
        packages = packages.sudo().filtered(
            lambda p: not p.ups_voided and p.tracking_number
        )
        if not packages:
            raise UserError(_("These packages are already voided."))
        remaining = shipment.package_ids.filtered(lambda p: not p.ups_voided)
        if not remaining - packages:
            return shipment._cancel_at_carrier()
        numbers = packages.mapped("tracking_number")
        # Odoo first, the carrier last: every write that can fail is done and
        # flushed before UPS is asked, so that no rollback can leave Odoo
        # showing a package UPS has voided (a refusal rolls the writes back)
        now = fields.Datetime.now()
        packages.write({"ups_voided": True, "ups_voided_at": now})
        user = self.env.user.name
        self.env["logistics.shipment.event"].sudo().create(
            [
                {
                    "shipment_id": shipment.id,
                    "account_id": shipment.account_id.id,
                    "company_id": shipment.company_id.id,
                    "tracking_number": number,
                    "code": "cancelled",
                    "raw_code": "void_package",
                    "raw_description": _("Package voided by %s", user),
                    "occurred_at": now,
                    "source": "manual",
                    "dedupe_key": f"void-{shipment.id}-{number}",
                }
                for number in numbers
            ]
        )
        kept = (remaining - packages).mapped("tracking_number")
        tracking = ",".join(kept)
        shipment.write({"tracking_ref": tracking})
        picking = shipment.picking_id
        if picking.logistics_shipment_id == shipment:
            picking.write({"carrier_tracking_ref": tracking})
        body = _(
            "Package(s) %(numbers)s of shipment %(name)s voided at UPS by %(user)s; "
            "still shipping: %(kept)s.",
            numbers=", ".join(numbers),
            name=shipment.name,
            user=user,
            kept=tracking,
        )
        shipment.message_post(body=body)
        picking.message_post(body=body)
        self.env.flush_all()  # a database error surfaces before the void
        shipment._ups_void_packages_at_carrier(numbers)
        return True

    def _ups_void_packages_at_carrier(self, numbers):
        """Void ``numbers`` at UPS once, the outcome committed at once.

        Called last. Recorded in the ledger (scope ``outbound_cancel``, on a
        cursor of its own), as the whole-shipment void is: should the
        transaction still fail at commit, a void retried finds it done and
        does not ask UPS again (UPS refuses a package it has voided).
        """
        ledger = self.env["logistics.idempotency.record"].sudo()
        acquisition = ledger._acquire_committed(
            "outbound_cancel",
            f"{self.idempotency_key}:packages:{','.join(sorted(numbers))}",
            self.carrier_shipment_id,
            lease_seconds=self._lease_seconds(),
            res_model=self._name,
            res_id=self.id,
        )
        if acquisition.status == REPLAY:
            return True  # voided before: an earlier void rolled back after it
        if acquisition.status == IN_FLIGHT and not acquisition.lease_expired:
            raise UserError(
                _(
                    "Packages of shipment %s are being voided at UPS right now. "
                    "Reload in a minute.",
                    self.name,
                )
            )
        adapter = self.account_id._get_adapter(shipment=self)
        try:
            adapter.cancel_shipment(self.carrier_shipment_id, packages=numbers)
        except CarrierError as err:
            ledger._mark_failed(acquisition.record_id, error=str(err))
            adapter.log_sink.flush(own_cursor=True)
            raise UserError(
                _(
                    "UPS refused to void package(s) %(numbers)s of %(name)s: %(msg)s",
                    numbers=", ".join(numbers),
                    name=self.name,
                    msg=err.carrier_message or err,
                )
            ) from err
        ledger._mark_succeeded(
            acquisition.record_id,
            result={"voided_packages": numbers},
            result_ref=self.carrier_shipment_id,
        )
        adapter.log_sink.flush()
        return True
        return True
