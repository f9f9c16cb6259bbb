# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The dispatch job: queue it, own the idempotency key, call the carrier once."""

import dataclasses
import json

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from logistics_carriers import (
    CarrierAuthError,
    CarrierError,
    CarrierTransientError,
    CarrierValidationError,
    ShipmentResult,
)
from logistics_carriers.tracking import STATE_RANK

from .logistics_idempotency_record import IN_FLIGHT, REPLAY, IdempotencyConflict
from .logistics_shipment import (
    LEDGER_SCOPE,
    OUTBOUND_CHANNEL,
)


class LogisticsShipmentDispatch(models.Model):
    _inherit = "logistics.shipment"

    def _enqueue_dispatch(self, phones=None):
        """Prepare the request and queue the dispatch.

        The request is prepared now (the job sends exactly what was
        validated); ``phones``: those the click's pre-flight normalised.
        Inside :meth:`_collect_dispatches` (a click on many delivery orders)
        the jobs are queued together at its end, batched per account;
        otherwise at once."""
        now = fields.Datetime.now()
        for shipment in self:
            request = shipment._build_request(phones=phones)
            vals = {
                "queued_at": now,
                "request_payload": json.dumps(request.to_dict(), sort_keys=True),
            }
            if STATE_RANK.get(shipment.state, 99) < STATE_RANK["queued"]:
                vals["state"] = "queued"
            shipment.write(vals)
        if not self._collect_for_batch():
            self._queue_dispatch_jobs()

    def _queue_dispatch_job(self, eta=None):
        """The dispatch job of one shipment; one pending job per idempotency
        key (queue_job returns the waiting one)."""
        self.ensure_one()
        return self.with_delay(
            channel=f"{OUTBOUND_CHANNEL}.{self.carrier_code}",
            identity_key=self.idempotency_key,
            eta=eta,
            description=_(
                "Send %(picking)s to %(carrier)s",
                picking=self.picking_id.name,
                carrier=self.carrier_id.name,
            ),
            max_retries=0,  # the shipment counts its own attempts
        )._dispatch()

    def _dispatch(self):
        """Queue job: create the shipment at the carrier, exactly once."""
        self.ensure_one()
        shipment = self.sudo()
        if shipment.state == "cancelled":
            return _("Shipment %s was cancelled: nothing to send.", shipment.name)
        if shipment.carrier_shipment_id:
            return _("Shipment %s already created at the carrier.", shipment.name)
        account = shipment.account_id
        if not account._breaker_allows():
            return shipment._on_breaker_open()
        request = shipment._get_request()
        ledger = self.env["logistics.idempotency.record"].sudo()
        try:
            acquisition = ledger._acquire_committed(
                LEDGER_SCOPE,
                shipment.idempotency_key,
                shipment._request_fingerprint(request),
                lease_seconds=shipment._lease_seconds(),
                res_model=self._name,
                res_id=shipment.id,
            )
        except IdempotencyConflict as err:
            shipment._raise_exception("data", str(err))
            return str(err)
        if acquisition.status == REPLAY:
            result = ShipmentResult.from_dict(acquisition.result)
            shipment._apply_result(result, replay=True)
            return _("Replayed stored result %s.", result.carrier_shipment_id)
        if acquisition.status == IN_FLIGHT:
            if not acquisition.lease_expired:
                # back when the lease ends: then the carrier is asked at once
                lease_until = ledger.browse(acquisition.record_id).lease_until
                left = (
                    (lease_until - fields.Datetime.now()).total_seconds()
                    if lease_until
                    else shipment._lease_seconds()
                )
                raise RetryableJobError(
                    _("Another worker is sending %s right now.", shipment.name),
                    seconds=max(5, min(int(left) + 2, shipment._lease_seconds())),
                    ignore_retry=True,
                )
            return shipment._on_unknown_outcome(request, acquisition)
        return shipment._send(request, acquisition)

    @api.model
    def _request_fingerprint(self, request):
        """The ledger fingerprint: the request without its (daily) ship date."""
        return dataclasses.replace(request, ship_date=None).fingerprint()

    def _lease_seconds(self):
        account = self.account_id
        return int((account.connect_timeout + account.read_timeout) * 3 + 60)

    def _send(self, request, acquisition):
        """We own the key (ledger in flight, committed): make the call."""
        account = self.account_id
        ledger = self.env["logistics.idempotency.record"].sudo()
        adapter = account._get_adapter(shipment=self)
        sink = adapter.log_sink
        if self.needs_lookup and adapter.supports_lookup:
            try:
                found = adapter.lookup_shipment(request)
            except CarrierError:
                found = None
            if found:
                return self._finish_success(found, acquisition, sink, recovered=True)
        # No write on this transaction before the call: a retry rolls it back,
        # and what must survive is written on cursors of their own.
        submitted_at = fields.Datetime.now()
        try:
            result = adapter.create_shipment(request)
        except CarrierTransientError as err:
            return self._on_transient(err, acquisition, sink, adapter, request)
        except CarrierAuthError as err:
            ledger._mark_failed(acquisition.record_id, error=str(err))
            sink.flush()
            self._set_failed_state(err)
            self._raise_exception(
                "authentication",
                _(
                    "The carrier refused the credentials of account %(account)s: "
                    "%(message)s. An administrator must check them in Settings, then "
                    "replay this shipment.",
                    account=account.display_name,
                    message=err.carrier_message or str(err),
                ),
                responsible_group="logistics_connector_base.group_logistics_admin",
            )
            return str(err)
        except CarrierValidationError as err:
            ledger._mark_failed(acquisition.record_id, error=str(err))
            sink.flush()
            account._breaker_record(success=True)
            self._set_failed_state(err)
            self._raise_exception(err.category or "data", self._validation_message(err))
            return str(err)
        except CarrierError as err:
            ledger._mark_failed(acquisition.record_id, error=str(err))
            sink.flush()
            self._set_failed_state(err)
            self._raise_exception("carrier_error", str(err))
            return str(err)
        return self._finish_success(
            result, acquisition, sink, submitted_at=submitted_at
        )

    def _finish_success(
        self, result, acquisition, sink, recovered=False, submitted_at=None
    ):
        ledger = self.env["logistics.idempotency.record"].sudo()
        # Committed at once: if this transaction fails later, a retry replays
        # the stored result instead of creating a second shipment.
        ledger._mark_succeeded(
            acquisition.record_id,
            result=result.to_dict(),
            result_ref=result.carrier_shipment_id,
        )
        self.account_id._breaker_record(success=True)
        sink.flush()
        self._apply_result(result, recovered=recovered, submitted_at=submitted_at)
        return _(
            "Created %(id)s, tracking %(tracking)s",
            id=result.carrier_shipment_id,
            tracking=", ".join(result.tracking_numbers),
        )
