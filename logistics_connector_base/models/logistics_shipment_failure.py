# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When a dispatch fails: retries with backoff, the circuit breaker and
rerouting, unknown outcomes and dead letters."""

import logging
import random
import time

from odoo import _, api, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from logistics_carriers import (
    CarrierError,
    CarrierNotSupported,
    CarrierTransientError,
)
from logistics_carriers.tracking import retry_delay

from .logistics_shipment import (
    CONCURRENCY_ERRORS,
    SUPERVISOR_GROUP,
)

_logger = logging.getLogger(__name__)


class LogisticsShipmentFailure(models.Model):
    _inherit = "logistics.shipment"

    def _on_transient(self, err, acquisition, sink, adapter, request=None):
        """Retry later with exponential backoff and jitter, or dead-letter.

        The job's transaction writes nothing here: the attempt, its log rows
        and the dead letter or unknown outcome are one transaction of their
        own (:meth:`_record_failed_attempt`), so a retry by the runner loses
        none of them and the count reaches ``max_dispatch_attempts`` exactly.
        """
        ledger = self.env["logistics.idempotency.record"].sudo()
        # timeout / reset after sending: the carrier may have created it
        ambiguous = getattr(err, "maybe_sent", err.status is None)
        if ambiguous and request is not None and adapter.supports_lookup:
            # known at once to be ambiguous: ask the carrier now, not later
            try:
                found = adapter.lookup_shipment(request)
            except CarrierError:
                found = None
            if found:
                return self._finish_success(found, acquisition, sink, recovered=True)
        opened = self.account_id._breaker_record(success=False)
        if opened:
            _logger.warning(
                "Circuit breaker opened for %s", self.account_id.display_name
            )
        if ambiguous and not (adapter.supports_lookup or adapter.idempotent_create):
            # Never resend blindly to a carrier that cannot de-duplicate: the
            # ledger entry stays in flight (a requeued job will not resend
            # either) until a supervisor confirms it is not at the carrier.
            _attempts, message = self._record_failed_attempt(
                err, sink, unknown_reason=str(err)
            )
            return message
        # Known not created (429/503, connection refused), or the next attempt
        # asks the carrier first (look-up) or sends the same key again.
        ledger._mark_failed(acquisition.record_id, error=str(err))
        attempts, message = self._record_failed_attempt(
            err, sink, needs_lookup=ambiguous and adapter.supports_lookup
        )
        if message:
            return message
        delay = self._retry_delay(attempts, err.retry_after)
        raise RetryableJobError(
            _(
                "Carrier unavailable (%(error)s); attempt %(n)s, retrying in %(s)s s.",
                error=err,
                n=attempts,
                s=delay,
            ),
            seconds=delay,
        )

    def _record_failed_attempt(
        self,
        err,
        sink,
        needs_lookup=False,
        unknown_reason=None,
        exhausted_unknown=False,
    ):
        """Count a failed attempt and act on it, in ONE transaction of its own.

        Committed whatever the job's transaction does next (the runner rolls
        it back to retry): the attempt count, the error, the call's log rows
        and, at the last attempt, the dead letter with its owner. None of it
        is written on the job's transaction: its snapshot predates these
        writes, and writing the same row there again fails with "could not
        serialize access", which made queue_job rerun the job before it ever
        reached the dead letter.

        ``unknown_reason``: the call may have created the shipment and the
        carrier cannot be asked: an unknown outcome now. ``exhausted_unknown``:
        the last attempt could not verify an earlier call: an unknown outcome
        instead of a dead letter. Returns ``(attempts, message)``; a message
        means the job ends (dead letter or unknown outcome).
        """
        self.ensure_one()
        self.env.flush_all()
        vals_list = sink.take()
        last_error = None
        for attempt in range(5):
            try:
                with self.env.registry.cursor() as cr:
                    shipment = self.with_env(self.env(cr=cr))
                    attempts, message = shipment._record_failed_attempt_on_cursor(
                        err, vals_list, needs_lookup, unknown_reason, exhausted_unknown
                    )
                break
            except CONCURRENCY_ERRORS as error:
                last_error = error
                time.sleep(0.05 * (attempt + 1))
        else:
            raise last_error
        self.env.invalidate_all()
        return attempts, message

    def _record_failed_attempt_on_cursor(
        self, err, vals_list, needs_lookup, unknown_reason, exhausted_unknown
    ):
        self.env.cr.execute(
            """
            UPDATE logistics_shipment
               SET dispatch_attempts = dispatch_attempts + 1, last_error = %s,
                   needs_lookup = needs_lookup OR %s,
                   next_retry_at = NULL
             WHERE id = %s
         RETURNING dispatch_attempts
            """,
            (str(err), bool(needs_lookup), self.id),
            log_exceptions=False,  # a collision is retried on a fresh snapshot
        )
        (attempts,) = self.env.cr.fetchone()
        self.invalidate_recordset(["dispatch_attempts", "last_error", "needs_lookup"])
        if vals_list:
            self.env["logistics.integration.log"].sudo().create(vals_list)
        exhausted = attempts >= self.account_id.max_dispatch_attempts
        if unknown_reason:
            return attempts, self._mark_unknown_outcome(unknown_reason)
        if exhausted and exhausted_unknown:
            return attempts, self._mark_unknown_outcome(
                _(
                    "the carrier could not be asked whether it has it after "
                    "%(n)s attempts: %(error)s",
                    n=attempts,
                    error=err,
                )
            )
        if exhausted:
            return attempts, self._dead_letter(err, attempts)
        return attempts, False

    def _retry_delay(self, attempts, retry_after=None):
        """Exponential backoff with jitter; Retry-After is honoured as a floor.

        The pure rule: ``logistics_carriers.tracking.dispatch_rules.retry_delay``.
        """
        account = self.account_id
        return retry_delay(
            attempts, account.retry_base_delay, account.retry_max_delay, retry_after
        )

    def _on_breaker_open(self):
        account = self.account_id
        fallback = self.carrier_id.logistics_fallback_carrier_id
        if not (
            fallback
            and fallback.logistics_account_id
            and fallback.logistics_account_id != account
            and fallback.logistics_account_id._breaker_allows()
        ) and not (self.is_return or self.consolidated_picking_ids):
            # no usable fallback method: the routing rules choose another one
            fallback = self.picking_id._logistics_route(exclude_accounts=account)[0]
        if (
            fallback
            and fallback.logistics_account_id
            and fallback.logistics_account_id != account
            and fallback.logistics_account_id._breaker_allows()
        ):
            new = self._reroute(
                fallback,
                _(
                    "Carrier account %s is degraded (circuit "
                    "breaker open): rerouted to "
                    "the fallback shipping method.",
                    account.display_name,
                ),
            )
            return _("Rerouted to %s", new.name)
        raise RetryableJobError(
            _("Circuit breaker open for %s: postponed.", account.display_name),
            seconds=max(5, int(account._breaker_seconds_left()) + random.randint(0, 5)),
            ignore_retry=True,
        )

    def _reroute(self, carrier, reason):
        """Cancel this (not yet created) shipment and send with ``carrier``."""
        self.ensure_one()
        if self.carrier_shipment_id:
            raise UserError(
                _(
                    "Shipment %s already exists at the carrier: cancel it there first.",
                    self.name,
                )
            )
        picking = self.picking_id
        self.write({"state": "cancelled", "health": "ok", "exception_category": False})
        self.exception_ids.filtered(lambda e: e.state == "open").write(
            {"state": "cancelled"}
        )
        new = self._create_for(
            picking,
            carrier,
            lambda new: self._reroute_note(new, carrier, reason),
            link_vals={"carrier_id": carrier.id},
            notify=[self, picking],
        )
        self.rerouted_to_id = new
        return new

    def _reroute_note(self, new, carrier, reason):
        return _(
            "%(reason)s New shipment: %(new)s (%(carrier)s).",
            reason=reason,
            new=new.name,
            carrier=carrier.name,
        )

    def _on_unknown_outcome(self, request, acquisition, reason=None):
        """A call may have reached the carrier but we never saw the answer."""
        adapter = self.account_id._get_adapter(shipment=self)
        if request is not None and adapter.supports_lookup:
            try:
                found = adapter.lookup_shipment(request)
            except CarrierNotSupported:
                found = None
            except CarrierError as err:
                # counted like any failed attempt: verified later, or an
                # unknown outcome for a human once the attempts are used up
                attempts, message = self._record_failed_attempt(
                    err, adapter.log_sink, needs_lookup=True, exhausted_unknown=True
                )
                if message:
                    return message
                raise RetryableJobError(
                    _(
                        "Could not verify %(name)s at the carrier: %(err)s",
                        name=self.name,
                        err=err,
                    ),
                    seconds=self._retry_delay(attempts, err.retry_after or None)
                    if isinstance(err, CarrierTransientError)
                    else self._retry_delay(attempts),
                ) from err
            if found:
                return self._finish_success(
                    found, acquisition, adapter.log_sink, recovered=True
                )
        if request is not None and adapter.idempotent_create:
            # The carrier de-duplicates on the idempotency key: sending again
            # returns the lost shipment if the dead worker's call created one.
            adapter.log_sink.flush()
            return self._send(request, acquisition)
        adapter.log_sink.flush()
        return self._mark_unknown_outcome(
            reason or _("the worker stopped while the request was in flight")
        )

    def _mark_unknown_outcome(self, reason):
        """The carrier may or may not have the shipment and cannot be asked:
        an exception for a supervisor, and never a blind resend."""
        self.ensure_one()
        message = _(
            "The outcome of sending %(name)s is unknown (%(reason)s): it may or "
            "may not exist at the carrier. It was NOT sent again. Verify at the "
            "carrier, then either cancel it there or use 'Confirmed not at "
            "carrier: resend'.",
            name=self.name,
            reason=reason,
        )
        self._raise_exception(
            "unknown_outcome", message, responsible_group=SUPERVISOR_GROUP
        )
        return message

    def _dead_letter(self, err, attempts):
        self._set_failed_state(err)
        self.write({"exception_category": "dispatch_failed"})
        self._raise_exception(
            "dispatch_failed",
            _(
                "Sending %(name)s failed %(n)s times (%(error)s). The carrier seems "
                "unavailable: replay the shipment once it is back, or reroute it.",
                name=self.name,
                n=attempts,
                error=err,
            ),
            responsible_group=SUPERVISOR_GROUP,
        )
        return _("Dead letter after %s attempts.", attempts)

    def _set_failed_state(self, err):
        vals = {"health": "exception", "last_error": str(err)}
        if self.state == "submitted":
            vals["state"] = "queued"
        self.write(vals)

    @api.model
    def _validation_message(self, err):
        lines = [str(err)]
        for field_error in getattr(err, "field_errors", None) or []:
            lines.append(f"- {field_error.field}: {field_error.message}")
        return "\n".join(lines)
