# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Cancel a shipment in Odoo, then void it at the carrier (once, via the ledger)."""

from odoo import _, fields, models
from odoo.exceptions import UserError

from logistics_carriers import CarrierError
from logistics_carriers.tracking import STATE_RANK

from .logistics_idempotency_record import IN_FLIGHT, REPLAY
from .logistics_shipment import (
    CANCEL_SCOPE,
    PROGRESS_STATES,
)


class LogisticsShipmentCancel(models.Model):
    _inherit = "logistics.shipment"

    def _cancel_at_carrier(self, void=True):
        """Cancel in Odoo, then void at the carrier, last.

        Everything that may fail in Odoo is done (and flushed) before the
        carrier is asked: a refusal rolls it all back, and no later Odoo
        error can leave a live label the carrier has voided. ``void=False``
        leaves the void to the caller, to be done after its own work
        (void and resend). A cancelled shipment is cancelled: success.
        """
        self.ensure_one()
        shipment = self.sudo()
        if shipment.state == "cancelled":
            return True
        if (
            shipment.carrier_shipment_id
            and STATE_RANK.get(shipment.state, 99) > STATE_RANK["label_created"]
        ):
            raise UserError(
                _(
                    "Shipment %(name)s is already with the carrier "
                    "(%(state)s): it can no longer be cancelled.",
                    name=shipment.name,
                    state=dict(PROGRESS_STATES)[shipment.state],
                )
            )
        now = fields.Datetime.now()
        shipment.write(
            {"state": "cancelled", "health": "ok", "exception_category": False}
        )
        self.env["logistics.shipment.event"].sudo().create(
            {
                "shipment_id": shipment.id,
                "code": "cancelled",
                "raw_code": "cancelled",
                "raw_description": _("Cancelled by %s", self.env.user.name),
                "occurred_at": now,
                "source": "manual",
                "dedupe_key": f"cancel-{shipment.id}",
            }
        )
        body = _(
            "Shipment %(name)s cancelled by %(user)s.",
            name=shipment.name,
            user=self.env.user.name,
        )
        shipment.message_post(body=body)
        for picking in shipment._all_pickings():
            picking_vals = {}
            if picking.logistics_shipment_id == shipment:
                picking_vals["logistics_shipment_id"] = False
            if picking.carrier_tracking_ref and shipment.tracking_ref:
                picking_vals["carrier_tracking_ref"] = False
            if picking_vals:
                picking.write(picking_vals)
            picking.message_post(body=body)
        if void and shipment.carrier_shipment_id:
            self.env.flush_all()  # a database error surfaces before the void
            shipment._void_at_carrier()
        return True

    def _void_at_carrier(self):
        """Void the label at the carrier once, the outcome committed at once.

        Called last, after the Odoo side of the cancellation. The void is
        recorded in the ledger (scope ``outbound_cancel``, on a cursor of its
        own), so that should the transaction still fail (at commit), a
        cancel retried finds the void done and does not ask the carrier
        again (DHL refuses a number it has already voided).
        """
        self.ensure_one()
        ledger = self.env["logistics.idempotency.record"].sudo()
        acquisition = ledger._acquire_committed(
            CANCEL_SCOPE,
            self.idempotency_key,
            self.carrier_shipment_id,
            lease_seconds=self._lease_seconds(),
            res_model=self._name,
            res_id=self.id,
        )
        if acquisition.status == REPLAY:
            return True  # voided before: an earlier cancel rolled back after it
        if acquisition.status == IN_FLIGHT and not acquisition.lease_expired:
            raise UserError(
                _(
                    "Shipment %s is being cancelled at the carrier right now. "
                    "Reload in a minute.",
                    self.name,
                )
            )
        adapter = self.account_id._get_adapter(shipment=self)
        try:
            adapter.cancel_shipment(
                self.carrier_shipment_id,
                self.tracking_ref.split(",") if self.tracking_ref else None,
            )
        except CarrierError as err:
            ledger._mark_failed(acquisition.record_id, error=str(err))
            adapter.log_sink.flush(own_cursor=True)
            raise UserError(
                _(
                    "The carrier refused to cancel %(name)s: %(msg)s",
                    name=self.name,
                    msg=err.carrier_message or err,
                )
            ) from err
        ledger._mark_succeeded(
            acquisition.record_id,
            result={"voided": self.carrier_shipment_id},
            result_ref=self.carrier_shipment_id,
        )
        adapter.log_sink.flush()
        return True
