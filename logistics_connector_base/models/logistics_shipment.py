# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The carrier shipment: its fields, keys, exceptions and user actions.

One model in several files, each by responsibility (``_inherit`` of this one):

- ``logistics_shipment_request.py``: the request mapper (delivery orders,
  consolidations, returns, sale order quotes -> ``ShipmentRequest``);
- ``logistics_shipment_dispatch.py``: the dispatch job (queue, ledger, call);
- ``logistics_shipment_failure.py``: retries, circuit breaker and rerouting,
  unknown outcomes, dead letters;
- ``logistics_shipment_result.py``: the carrier's answer, labels, packages;
- ``logistics_shipment_tracking.py``: events move the shipment; delivery;
- ``logistics_shipment_cancel.py``: cancel in Odoo, void at the carrier.
"""

import hashlib
import json

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from logistics_carriers import CarrierError
from logistics_carriers.tracking import TERMINAL_STATES

from ..caller import check_caller

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

    @api.model
    def _create_for(
        self,
        picking,
        carrier,
        message,
        others=None,
        is_return=False,
        link_vals=None,
        notify=None,
        phones=None,
    ):
        """Create the shipment of ``picking``, link, enqueue, post to chatter.

        The one way a shipment is created: a delivery order sent, a return
        label, a consolidation (``others``: the further delivery orders) and
        a reroute. The caller has checked its caller and locked the delivery
        orders. ``message(shipment)``: the chatter note, posted on ``notify``
        (records; default: the delivery orders); it refers to the caller's
        ``self``, on which ``_()`` finds the language. ``link_vals``: more
        values for the delivery orders; ``phones``: the click's pre-flight
        phones.
        """
        others = others or picking.browse()
        attempt = self.search_count([("picking_id", "=", picking.id)]) + 1
        shipment = self.create(
            self._prepare_vals(
                picking, carrier, attempt, others=others, is_return=is_return
            )
        )
        # Writing the picking row makes a concurrent sender's lock fail with a
        # serialization error (retried by Odoo) instead of a duplicate.
        (picking | others).sudo().write(
            {"logistics_shipment_id": shipment.id, **(link_vals or {})}
        )
        shipment._enqueue_dispatch(phones=phones)
        body = message(shipment)
        for record in notify if notify is not None else picking | others:
            record.message_post(body=body)
        return shipment

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
