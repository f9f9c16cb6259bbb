# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import dataclasses
import hashlib
import json
import logging
import random
import time

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from logistics_carriers import (
    Address,
    CarrierAuthError,
    CarrierError,
    CarrierNotSupported,
    CarrierTransientError,
    CarrierValidationError,
    Parcel,
    ShipmentRequest,
    ShipmentResult,
)
from logistics_carriers.tracking import (
    CLEARED_BY_PROGRESS,
    STATE_RANK,
    TERMINAL_STATES,
    next_state,
)

from ..caller import check_caller
from .logistics_idempotency_record import IN_FLIGHT, REPLAY, IdempotencyConflict

_logger = logging.getLogger(__name__)

PROGRESS_STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("submitted", "Submitted"),
    ("label_created", "Label created"),
    ("picked_up", "Picked up"),
    ("in_transit", "In transit"),
    ("out_for_delivery", "Out for delivery"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
    ("returned", "Returned"),
    ("lost", "Lost"),
]


EXCEPTION_CATEGORIES = [
    ("address", "Address"),
    ("service", "Service"),
    ("data", "Data"),
    ("delay", "Delay"),
    ("customs", "Customs"),
    ("damage", "Damage"),
    ("failed_attempt", "Failed delivery attempt"),
    ("carrier_error", "Carrier error"),
    ("authentication", "Carrier authentication"),
    ("dispatch_failed", "Dispatch failed"),
    ("unknown_outcome", "Unknown outcome"),
    ("label_missing", "Label missing"),
    ("lost", "Lost"),
]  # other addons add theirs (logistics_reconciliation: "reconciliation")

OUTBOUND_CHANNEL = "root.logistics.outbound"
LEDGER_SCOPE = "outbound_dispatch"
CANCEL_SCOPE = "outbound_cancel"
SUPERVISOR_GROUP = "logistics_connector_base.group_logistics_supervisor"

CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
)


class LogisticsShipment(models.Model):
    _name = "logistics.shipment"
    _description = "Carrier Shipment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    # users read shipments and talk about them; the suite alone writes them
    _mail_post_access = "read"

    name = fields.Char(
        required=True,
        copy=False,
        readonly=True,
        default=lambda self: _("New"),
        index=True,
    )
    picking_id = fields.Many2one(
        "stock.picking", required=True, ondelete="restrict", index=True, readonly=True
    )
    partner_id = fields.Many2one(related="picking_id.partner_id", string="Recipient")
    sale_id = fields.Many2one(related="picking_id.sale_id", string="Sale Order")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    carrier_id = fields.Many2one(
        "delivery.carrier", string="Shipping Method", required=True, readonly=True
    )
    account_id = fields.Many2one(
        "logistics.carrier.account",
        string="Carrier Account",
        required=True,
        readonly=True,
        index=True,
    )
    carrier_code = fields.Selection(related="account_id.carrier_code", store=True)
    attempt = fields.Integer(default=1, readonly=True)
    idempotency_key = fields.Char(required=True, copy=False, readonly=True, index=True)
    package_fingerprint = fields.Char(readonly=True, copy=False)
    state = fields.Selection(
        PROGRESS_STATES,
        default="draft",
        required=True,
        index=True,
        tracking=True,
        readonly=True,
    )
    health = fields.Selection(
        [("ok", "OK"), ("warning", "Warning"), ("exception", "Exception")],
        default="ok",
        required=True,
        index=True,
        tracking=True,
        readonly=True,
    )
    exception_category = fields.Selection(EXCEPTION_CATEGORIES, readonly=True)
    carrier_shipment_id = fields.Char(
        string="Carrier Shipment ID", copy=False, readonly=True, index=True
    )
    tracking_ref = fields.Char(string="Tracking Number(s)", copy=False, readonly=True)
    package_ids = fields.One2many(
        "logistics.shipment.package", "shipment_id", readonly=True
    )
    label_attachment_id = fields.Many2one(
        "ir.attachment", string="Label", readonly=True
    )
    charges_amount = fields.Monetary(
        string="Carrier Charges", currency_field="charges_currency_id", readonly=True
    )
    charges_currency_id = fields.Many2one("res.currency", readonly=True)
    dispatch_attempts = fields.Integer(readonly=True, copy=False, default=0)
    next_retry_at = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    needs_lookup = fields.Boolean(
        readonly=True,
        copy=False,
        help="A call ended without an answer (timeout, reset): ask the carrier "
        "whether it created the shipment before sending it again.",
    )
    request_payload = fields.Text(
        readonly=True,
        copy=False,
        groups="logistics_connector_base.group_logistics_supervisor",
        help="The canonical request (JSON) prepared when the shipment was queued: "
        "the job sends exactly what was validated.",
    )
    queued_at = fields.Datetime(readonly=True, copy=False)
    submitted_at = fields.Datetime(readonly=True, copy=False)
    label_at = fields.Datetime(string="Label Created At", readonly=True, copy=False)
    delivered_at = fields.Datetime(readonly=True, copy=False)
    last_event_at = fields.Datetime(
        readonly=True, copy=False, help="When the last carrier event happened."
    )
    last_tracked_at = fields.Datetime(
        readonly=True, copy=False, help="When Odoo last heard from the carrier."
    )
    pod_signatory = fields.Char(string="Signed By", readonly=True, copy=False)
    event_ids = fields.One2many(
        "logistics.shipment.event", "shipment_id", readonly=True
    )
    exception_ids = fields.One2many("logistics.exception", "shipment_id", readonly=True)
    exception_count = fields.Integer(compute="_compute_exception_count")
    log_ids = fields.One2many("logistics.integration.log", "shipment_id", readonly=True)
    rerouted_to_id = fields.Many2one("logistics.shipment", readonly=True, copy=False)
    is_return = fields.Boolean(
        string="Return Shipment",
        readonly=True,
        help="A return label: the customer sends the parcel back to the warehouse.",
    )
    consolidated_picking_ids = fields.Many2many(
        "stock.picking",
        "logistics_shipment_consolidated_picking_rel",
        "shipment_id",
        "picking_id",
        string="Consolidated Delivery Orders",
        readonly=True,
        help="Further delivery orders to the same address shipped in this one "
        "shipment (consolidation).",
    )
    tracking_url = fields.Char(compute="_compute_tracking_url")

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "unique(idempotency_key)",
            "This delivery order was already sent with this shipping method.",
        )
    ]

    def init(self):
        # One active shipment per delivery order: two users clicking at once
        # cannot both create one.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS logistics_shipment_active_picking_uniq
                ON logistics_shipment (picking_id) WHERE state <> 'cancelled'
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        # pending cancellations must reach the database before the partial
        # unique index checks the new rows
        self.flush_model(["state"])
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("logistics.shipment") or "/"
                )
        return super().create(vals_list)

    def _compute_exception_count(self):
        counts = dict(
            self.env["logistics.exception"]._read_group(
                [("shipment_id", "in", self.ids), ("state", "=", "open")],
                ["shipment_id"],
                ["__count"],
            )
        )
        for shipment in self:
            shipment.exception_count = counts.get(shipment, 0)

    @api.depends("tracking_ref", "account_id")
    def _compute_tracking_url(self):
        for shipment in self:
            url = False
            number = (shipment.tracking_ref or "").split(",")[0].strip()
            if number and shipment.account_id:
                try:
                    adapter = shipment.account_id._get_adapter()
                    url = adapter.tracking_url(number) or False
                except (UserError, CarrierError):
                    url = False
            shipment.tracking_url = url

    # ------------------------------------------------------------------
    # Creation from a picking
    # ------------------------------------------------------------------
    @api.model
    def _package_fingerprint(self, picking):
        """What the carrier is told about the parcels and the address, for
        change detection (``picking`` may hold several consolidated ones)."""
        packages = picking.move_line_ids.result_package_id
        partner = picking[:1].partner_id
        data = {
            "address": [
                partner.id,
                partner.street or "",
                partner.street2 or "",
                partner.zip or "",
                partner.city or "",
                partner.state_id.id or 0,
                partner.country_id.id or 0,
            ],
            "packages": sorted(
                (
                    p.name,
                    round(p.shipping_weight or p.weight or 0.0, 3),
                    p.package_type_id.id or 0,
                )
                for p in packages
            ),
            "moves": sorted(
                (m.product_id.id, round(m.product_uom_qty, 4))
                for m in picking.move_ids
                if m.state != "cancel"
            ),
            "weight": round(
                sum(p.shipping_weight or p.weight or 0.0 for p in picking), 3
            ),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    @api.model
    def _make_key(self, picking, carrier, attempt, fingerprint):
        db_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return (
            f"ls-{db_uuid[:8]}-{picking.id}-{carrier.id}-{attempt}-{fingerprint[:12]}"
        )

    def _all_pickings(self):
        """The delivery order and the ones consolidated into this shipment."""
        return self.picking_id | self.consolidated_picking_ids

    @api.model
    def _prepare_vals(self, picking, carrier, attempt, others=None, is_return=False):
        fingerprint = self._package_fingerprint(picking | (others or picking))
        return {
            "is_return": is_return,
            "consolidated_picking_ids": [(6, 0, (others or picking.browse()).ids)],
            "picking_id": picking.id,
            "company_id": picking.company_id.id,
            "carrier_id": carrier.id,
            "account_id": carrier.logistics_account_id.id,
            "attempt": attempt,
            "package_fingerprint": fingerprint,
            "idempotency_key": self._make_key(picking, carrier, attempt, fingerprint),
        }

    # ------------------------------------------------------------------
    # DTOs
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

    def _build_request(self):
        self.ensure_one()
        return self._request_for_pickings(
            self._all_pickings(),
            self.carrier_id,
            idempotency_key=self.idempotency_key,
            label_format=self.account_id.label_format or "PDF",
            is_return=self.is_return,
        )

    @api.model
    def _request_for_pickings(
        self, pickings, carrier, idempotency_key="", label_format="PDF", is_return=False
    ):
        """The carrier request for ``pickings`` (several: a consolidation)."""
        picking = pickings[:1]
        # Pre-flight ran when the user clicked; here only what the carrier
        # needs is prepared (phones in E.164, weights in kg).
        shipper = picking._logistics_shipper_partner()
        recipient = picking.partner_id
        normalise = picking._logistics_normalise_phone
        recipient_phone = recipient.phone or recipient.mobile or ""
        shipper_phone = shipper.phone or shipper.mobile or ""
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
        request = ShipmentRequest(
            reference=picking.name,
            idempotency_key=idempotency_key,
            service_code=carrier.logistics_service_code or "",
            shipper=self._partner_to_address(
                shipper,
                phone=normalise(shipper_phone, shipper.country_id.code)
                or shipper_phone,
            ),
            recipient=self._partner_to_address(
                recipient,
                phone=normalise(recipient_phone, recipient.country_id.code)
                or recipient_phone,
            ),
            parcels=parcels,
            ship_date=fields.Date.context_today(self),
            label_format=label_format,
            currency=picking.company_id.currency_id.name,
        )
        if is_return:
            # the customer sends the parcel back to the warehouse
            request.shipper, request.recipient = request.recipient, request.shipper
            request.is_return = True
        return request

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
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

    def _enqueue_dispatch(self):
        """Queue the dispatch job; one pending job per idempotency key."""
        now = fields.Datetime.now()
        for shipment in self:
            request = shipment._build_request()
            vals = {
                "queued_at": now,
                "request_payload": json.dumps(request.to_dict(), sort_keys=True),
            }
            if STATE_RANK.get(shipment.state, 99) < STATE_RANK["queued"]:
                vals["state"] = "queued"
            shipment.write(vals)
            shipment.with_delay(
                channel=f"{OUTBOUND_CHANNEL}.{shipment.carrier_code}",
                identity_key=shipment.idempotency_key,
                description=_(
                    "Send %(picking)s to %(carrier)s",
                    picking=shipment.picking_id.name,
                    carrier=shipment.carrier_id.name,
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
        """Exponential backoff with jitter; Retry-After is honoured as a floor."""
        account = self.account_id
        base = max(1, account.retry_base_delay or 10)
        ceiling = max(base, account.retry_max_delay or 1800)
        backoff = min(ceiling, base * 2 ** max(0, attempts - 1))
        delay = backoff / 2 + random.uniform(0, backoff / 2)  # "equal jitter"
        if retry_after:
            delay = max(
                float(retry_after), delay if delay <= retry_after else retry_after
            )
            delay += random.uniform(0, min(5.0, retry_after * 0.1))
        return max(1, int(round(delay)))

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
        attempt = self.search_count([("picking_id", "=", picking.id)]) + 1
        new = self.create(self._prepare_vals(picking, carrier, attempt))
        self.rerouted_to_id = new
        picking.write({"carrier_id": carrier.id, "logistics_shipment_id": new.id})
        body = _(
            "%(reason)s New shipment: %(new)s (%(carrier)s).",
            reason=reason,
            new=new.name,
            carrier=carrier.name,
        )
        self.message_post(body=body)
        picking.message_post(body=body)
        new._enqueue_dispatch()
        return new

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

    # ------------------------------------------------------------------
    # Tracking events
    # ------------------------------------------------------------------
    def _apply_new_events(self, by_shipment):
        """Move shipments by their new events: one UPDATE, then consequences.

        ``by_shipment``: {shipment id: [(occurred_at, code, signatory), ...]}.
        """
        event_model = self.env["logistics.shipment.event"]
        shipments = self.browse(list(by_shipment))
        now = fields.Datetime.now()
        rows, raised, cleared, delivered = [], [], [], []
        by_package = self._package_states(shipments)
        for shipment in shipments:
            events = by_shipment[shipment.id]
            state, health, category, done = event_model._fold(
                shipment.state, shipment.health, shipment.exception_category, events
            )
            if shipment.id in by_package:
                state, health, category, done = self._merge_package_states(
                    by_package[shipment.id], (state, health, category, done)
                )
            last = max(e[0] for e in events)
            rows.append(
                (
                    shipment.id, state, health, category or None,
                    max(last, shipment.last_event_at or last),
                    done[0] if done else (shipment.delivered_at or None),
                    (done[1] if done else None) or shipment.pod_signatory or None,
                )
            )  # fmt: skip
            if category and category != shipment.exception_category:
                raised.append((shipment, category, events))
            elif shipment.exception_category and not category:
                cleared.append(shipment)
            if done and shipment.state != "delivered" and state == "delivered":
                delivered.append(shipment)
        self.env.cr.execute(
            """
            UPDATE logistics_shipment s
               SET state = u.state, health = u.health, exception_category = u.category,
                   last_event_at = u.last_event_at, last_tracked_at = %s,
                   delivered_at = u.delivered_at, pod_signatory = u.signatory,
                   write_date = %s, write_uid = %s
              FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[],
                          %s::timestamp[], %s::timestamp[], %s::varchar[])
                AS u(id, state, health, category, last_event_at, delivered_at,
                     signatory)
             WHERE s.id = u.id
            """,
            (now, now, self.env.uid, *map(list, zip(*rows, strict=True))),
        )
        shipments.invalidate_recordset()
        for shipment, category, events in raised:
            codes = ", ".join(sorted({code for _o, code, _s in events}))
            self.env["logistics.exception"]._open_for(
                shipment,
                category,
                _(
                    "The carrier reports %(codes)s for shipment %(name)s "
                    "(tracking %(tracking)s).",
                    codes=codes, name=shipment.name, tracking=shipment.tracking_ref,
                ),
            )  # fmt: skip
        for shipment in cleared:
            shipment.exception_ids.filtered(
                lambda e: e.state == "open" and e.category in CLEARED_BY_PROGRESS
            ).action_resolve(_("Cleared by later progress reported by the carrier."))
        for shipment in delivered:
            shipment._on_delivered()

    @api.model
    def _package_states(self, shipments):
        """{shipment id: [package state, ...]} of shipments with several
        parcels, folded from each tracking number's recorded events; the
        packages' own status is written on the way."""
        multi = shipments.filtered(lambda s: len(s.package_ids) > 1)
        if not multi:
            return {}
        self.env.cr.execute(
            """
            SELECT p.id, p.shipment_id, e.code
              FROM logistics_shipment_package p
              LEFT JOIN logistics_shipment_event e
                ON e.shipment_id = p.shipment_id
               AND e.tracking_number = p.tracking_number
             WHERE p.shipment_id = ANY(%s)
             ORDER BY p.id, e.occurred_at, e.id
            """,
            (multi.ids,),
        )
        package_state, owner = {}, {}
        for package_id, shipment_id, code in self.env.cr.fetchall():
            owner[package_id] = shipment_id
            current = package_state.get(package_id, "label_created")
            package_state[package_id] = next_state(current, code) if code else current
        packages = self.env["logistics.shipment.package"].browse(list(package_state))
        for state in set(package_state.values()):
            packages.filtered(lambda p, st=state: package_state[p.id] == st).write(
                {"state": state}
            )
        result = {}
        for package_id, state in package_state.items():
            result.setdefault(owner[package_id], []).append(state)
        return result

    @api.model
    def _merge_package_states(self, states, folded):
        """The shipment follows all its parcels: delivered when all are; a
        lost (or returned) parcel among others is an exception, and the
        shipment is then never reported delivered (at most out for delivery)."""
        state, health, category, done = folded
        moving = [s for s in states if STATE_RANK[s] <= STATE_RANK["delivered"]]
        stopped = [s for s in states if s not in moving]
        if moving:
            state = min(moving, key=lambda s: STATE_RANK[s])
            if stopped:
                health, category = "exception", "lost"
                if state == "delivered":
                    state = "out_for_delivery"
        else:
            state = max(stopped, key=lambda s: STATE_RANK[s])
        if state != "delivered":
            done = None
        return state, health, category, done

    def _on_delivered(self):
        """Proof of delivery on the shipment and the picking, in chatter;
        optionally invoice the customer and tell them by e-mail."""
        self.ensure_one()
        picking = self.picking_id
        self._all_pickings().write(
            {
                "logistics_delivered_at": self.delivered_at,
                "logistics_pod_signatory": self.pod_signatory,
            }
        )
        body = _(
            "Delivered on %(date)s%(who)s (shipment %(name)s).",
            date=fields.Datetime.to_string(self.delivered_at),
            who=_(", signed by %s", self.pod_signatory) if self.pod_signatory else "",
            name=self.name,
        )
        if self.is_return:
            return self._on_return_arrived()
        for each in self._all_pickings():
            each._message_log(body=body)
        order = picking.sale_id
        if order:
            order._message_log(body=body)
        company = self.company_id
        if order and company.logistics_invoice_on_delivery:
            self._invoice_on_delivery(order)
        if company.logistics_notify_delivered and picking.partner_id.email:
            template = self.env.ref(
                "logistics_connector_base.mail_template_shipment_delivered",
                raise_if_not_found=False,
            )
            if template:
                template.send_mail(self.id)

    def _on_return_arrived(self):
        """The customer's return parcel reached the warehouse: tell the people
        who receive it and issue the credit note (an activity on the order)."""
        self.ensure_one()
        picking = self.picking_id
        body = _(
            "Return parcel of %(picking)s delivered to the warehouse by the carrier "
            "(shipment %(name)s): receive the return and issue the credit note.",
            picking=picking.name,
            name=self.name,
        )
        picking._message_log(body=body)
        order = picking.sale_id
        target = order or picking
        target._message_log(body=body)
        user = (
            order.user_id or self.company_id.logistics_responsible_id or self.env.user
        )
        target.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Return arrived: credit note"),
            note=body,
            user_id=user.id,
        )
        return True

    @api.model
    def _invoice_on_delivery(self, order):
        """Invoice what was delivered, for products invoiced on delivery."""
        lines = order.order_line.filtered(
            lambda line: (
                line.product_id.invoice_policy == "delivery" and line.qty_to_invoice > 0
            )
        )
        if not lines:
            return self.env["account.move"]
        try:
            with self.env.cr.savepoint():
                moves = order._create_invoices()
        except UserError as err:
            order._message_log(
                body=_("Invoicing on delivery was not possible: %s", err)
            )
            return self.env["account.move"]
        order._message_log(
            body=_("Invoiced on delivery: %s", ", ".join(moves.mapped("display_name")))
        )
        return moves

    # ------------------------------------------------------------------
    # Exceptions
    # ------------------------------------------------------------------
    def _resolve_dispatch_exceptions(self):
        """The carrier accepted the shipment: close the dispatch problems."""
        self.exception_ids.filtered(
            lambda e: (
                e.state == "open"
                and e.category
                in (
                    "dispatch_failed",
                    "unknown_outcome",
                    "carrier_error",
                    "authentication",
                    "address",
                    "service",
                    "data",
                )
            )
        ).action_resolve(_("The carrier accepted the shipment."))

    def _raise_exception(self, category, message, responsible_group=None):
        """Open (or update) the exception record for this problem."""
        self.ensure_one()
        self.write({"health": "exception", "exception_category": category})
        return (
            self.env["logistics.exception"]
            .sudo()
            ._open_for(self, category, message, responsible_group=responsible_group)
        )

    # ------------------------------------------------------------------
    # User actions
    # ------------------------------------------------------------------
    def _check_supervisor(self):
        if not self.env.user.has_group(
            "logistics_connector_base.group_logistics_supervisor"
        ):
            raise UserError(
                _("Only logistics supervisors can replay or cancel shipments.")
            )

    def action_replay(self, force_resend=False):
        """Send again a shipment that failed; attributed in chatter.

        The ledger makes a replay of an already created shipment a no-op at
        the carrier. ``force_resend`` is for an unknown outcome the user has
        verified at the carrier: the shipment does NOT exist there.
        """
        check_caller(self, "supervisor")
        ledger = self.env["logistics.idempotency.record"].sudo()
        for shipment in self:
            if shipment.state in TERMINAL_STATES or shipment.carrier_shipment_id:
                raise UserError(
                    _(
                        "Shipment %s has nothing to replay: it is "
                        "already at the carrier "
                        "or closed.",
                        shipment.name,
                    )
                )
            if shipment.exception_category == "unknown_outcome" and not force_resend:
                raise UserError(
                    _(
                        "The outcome of %s is unknown. Verify at "
                        "the carrier first, then "
                        "use 'Confirmed not at carrier: resend'.",
                        shipment.name,
                    )
                )
            if force_resend:
                entry = ledger.search(
                    [
                        ("scope", "=", LEDGER_SCOPE),
                        ("key", "=", shipment.idempotency_key),
                    ]
                )
                if entry.state == "in_flight":
                    entry.write(
                        {
                            "state": "failed",
                            "error": _(
                                "Confirmed not at the carrier by %s", self.env.user.name
                            ),
                        }
                    )
            shipment.sudo().write(
                {"dispatch_attempts": 0, "health": "ok", "exception_category": False}
            )
            shipment.sudo().exception_ids.filtered(lambda e: e.state == "open").write(
                {"state": "resolved", "resolution": _("Replayed")}
            )
            shipment.message_post(
                body=_(
                    "Replayed by %(user)s on %(date)s.",
                    user=self.env.user.name,
                    date=fields.Datetime.to_string(fields.Datetime.now()),
                )
            )
            shipment.sudo()._enqueue_dispatch()
        return True

    def action_confirm_not_sent(self):
        check_caller(self, "supervisor")
        return self.action_replay(force_resend=True)

    def action_cancel_at_carrier(self):
        """Void the shipment at the carrier (through the ledger).

        Supervisors only, on shipments they can read (their companies): the
        void itself runs as superuser.
        """
        check_caller(self, "supervisor")
        for shipment in self:
            shipment._cancel_at_carrier()
        return True

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

    def action_open_picking(self):
        self.ensure_one()
        check_caller(self, "user")
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": self.picking_id.id,
            "view_mode": "form",
        }

    def action_view_exceptions(self):
        self.ensure_one()
        check_caller(self, "user")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_connector_base.action_logistics_exception"
        )
        action["domain"] = [("shipment_id", "=", self.id)]
        action["context"] = {}
        return action
