# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The outbox of shipment events for subscribers.

Rows are written by :meth:`_enqueue_for_events` in the transaction that
applies the events (one ``INSERT ... SELECT`` per batch), so an event is
never applied without its deliveries, nor delivered without being applied.

Ordering: each payload carries ``sequence``, gap-free and increasing per
subscription and shipment (assigned here, in apply order). Deliveries go out
oldest first and a receiver that is down stops the batch, so order usually
holds; but a single rejected delivery is retried on its own schedule and
does not hold back the others, so receivers order by ``sequence`` (and a gap
tells them something is still on its way).
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..caller import check_caller
from .logistics_shipment_event import EVENT_CODES


class LogisticsEventDelivery(models.Model):
    _name = "logistics.event.delivery"
    _description = "Shipment Event Delivery"
    _order = "id desc"
    _rec_name = "message_id"

    subscription_id = fields.Many2one(
        "logistics.event.subscription",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    event_id = fields.Many2one(
        "logistics.shipment.event", index=True, ondelete="set null", readonly=True
    )
    shipment_id = fields.Many2one(
        "logistics.shipment", index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    event_code = fields.Selection(EVENT_CODES, readonly=True)
    sequence = fields.Integer(
        readonly=True,
        help="Per subscription and shipment: 1, 2, 3... in the order the events "
        "were applied. Receivers order by it and notice a gap.",
    )
    message_id = fields.Char(
        string="Message ID",
        required=True,
        readonly=True,
        help="The webhook-id header: the same on every attempt (receivers "
        "de-duplicate on it).",
    )
    payload = fields.Text(readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("sending", "Sending"),
            ("done", "Delivered"),
            ("failed", "Failed"),
        ],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    deadline = fields.Datetime(
        readonly=True, help="Retried with backoff until then, then failed."
    )
    lease_until = fields.Datetime(readonly=True)
    last_attempt_at = fields.Datetime(readonly=True)
    last_status = fields.Integer(
        string="Last HTTP Status", readonly=True, help="0: no answer (network)."
    )
    last_response = fields.Text(string="Last Answer", readonly=True)
    last_error = fields.Char(readonly=True)
    done_at = fields.Datetime(string="Delivered At", readonly=True)

    _sql_constraints = [
        (
            "subscription_event_uniq",
            "unique(subscription_id, event_id)",
            "This event is already queued for this subscription.",
        ),
        (
            "subscription_shipment_sequence_uniq",
            "unique(subscription_id, shipment_id, sequence)",
            "Two deliveries of a shipment cannot share a sequence number.",
        ),
    ]

    def init(self):
        # the send job's query: due deliveries of one subscription, oldest first
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS logistics_event_delivery_due_idx
                ON logistics_event_delivery (subscription_id, id)
             WHERE state IN ('pending', 'sending')
            """
        )

    # ------------------------------------------------------------------
    # The outbox (the apply transaction)
    # ------------------------------------------------------------------
    @api.model
    def _enqueue_for_events(self, event_ids):
        """Queue one delivery per (wanted event, subscription): one INSERT.

        Returns the number of deliveries written.
        """
        if not event_ids:
            return 0
        cr = self.env.cr
        self.env["logistics.event.subscription"].flush_model()
        self.flush_model()
        cr.execute("SELECT id FROM logistics_event_subscription WHERE active")
        if not cr.fetchone():
            return 0  # the common case costs one indexed query
        now = fields.Datetime.now()
        cr.execute(
            """
            WITH ev AS (
                SELECT e.id, e.shipment_id, e.company_id, e.code, e.raw_code,
                       e.raw_description, e.occurred_at, e.location, e.signatory,
                       e.tracking_number AS event_number, s.name AS shipment_name,
                       s.tracking_ref, pk.name AS picking_name, a.name AS account_name,
                       a.carrier_code
                  FROM logistics_shipment_event e
                  JOIN logistics_shipment s ON s.id = e.shipment_id
                  JOIN stock_picking pk ON pk.id = s.picking_id
                  LEFT JOIN logistics_carrier_account a ON a.id = s.account_id
                 WHERE e.id = ANY(%(ids)s)
            ), pairs AS (
                SELECT sub.id AS subscription_id, sub.retry_period, ev.*,
                       row_number() OVER (PARTITION BY sub.id, ev.shipment_id
                                          ORDER BY ev.occurred_at, ev.id) AS rn
                  FROM ev
                  JOIN logistics_event_subscription sub ON sub.active
                 WHERE (COALESCE(sub.event_codes, '') = ''
                        OR ev.code = ANY(string_to_array(sub.event_codes, ',')))
                   AND (NOT EXISTS (
                            SELECT 1 FROM logistics_event_subscription_company_rel r
                             WHERE r.subscription_id = sub.id)
                        OR EXISTS (
                            SELECT 1 FROM logistics_event_subscription_company_rel r
                             WHERE r.subscription_id = sub.id
                               AND r.company_id = ev.company_id))
                   AND NOT EXISTS (
                            SELECT 1 FROM logistics_event_delivery d
                             WHERE d.subscription_id = sub.id AND d.event_id = ev.id)
            ), numbered AS (
                SELECT p.*, p.rn + COALESCE((
                           SELECT max(d.sequence) FROM logistics_event_delivery d
                            WHERE d.subscription_id = p.subscription_id
                              AND d.shipment_id = p.shipment_id), 0) AS seq
                  FROM pairs p
            )
            INSERT INTO logistics_event_delivery
                (subscription_id, event_id, shipment_id, company_id, event_code,
                 sequence, message_id, payload, state, attempts, next_attempt_at,
                 deadline, create_uid, write_uid, create_date, write_date)
            SELECT n.subscription_id, n.id, n.shipment_id, n.company_id, n.code,
                   n.seq, concat('lse_', n.id, '_', n.subscription_id),
                   json_build_object(
                       'type', 'logistics.shipment.event',
                       'timestamp', to_char(%(now)s::timestamp,
                                            'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       'data', json_build_object(
                           'event_id', n.id::text,
                           'sequence', n.seq,
                           'code', n.code,
                           'shipment_reference', n.shipment_name,
                           'picking', n.picking_name,
                           'tracking_number', COALESCE(
                               NULLIF(n.event_number, ''),
                               split_part(n.tracking_ref, ',', 1)),
                           'occurred_at', to_char(n.occurred_at,
                                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                           'location', n.location,
                           'raw_code', n.raw_code,
                           'raw_description', n.raw_description,
                           'signatory', n.signatory,
                           'carrier', n.carrier_code,
                           'carrier_account', n.account_name,
                           'company_id', n.company_id))::text,
                   'pending', 0, %(now)s,
                   %(now)s + n.retry_period * interval '1 hour',
                   %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM numbered n
             ORDER BY n.subscription_id, n.shipment_id, n.seq
            ON CONFLICT (subscription_id, event_id) DO NOTHING
            RETURNING subscription_id
            """,
            {"ids": list(event_ids), "now": now, "uid": self.env.uid},
        )
        rows = cr.fetchall()
        if rows:
            subscriptions = self.env["logistics.event.subscription"].sudo()
            for sub_id in sorted({r[0] for r in rows}):
                subscriptions.browse(sub_id)._ensure_send_job()
        return len(rows)

    # ------------------------------------------------------------------
    # Claims and outcomes (own short cursors: committed at once)
    # ------------------------------------------------------------------
    @api.model
    def _claim(self, subscription_id, now, limit):
        """Take up to ``limit`` due deliveries: [(id, message id, payload)]."""
        self.flush_model()
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                UPDATE logistics_event_delivery d
                   SET state = 'sending', lease_until = %(lease)s
                 WHERE d.id IN (
                    SELECT id FROM logistics_event_delivery
                     WHERE subscription_id = %(sub)s
                       AND ((state = 'pending' AND next_attempt_at <= %(now)s)
                            OR (state = 'sending' AND lease_until < %(now)s))
                     ORDER BY id
                     LIMIT %(limit)s
                       FOR UPDATE SKIP LOCKED)
                RETURNING d.id, d.message_id, d.payload
                """,
                {
                    "sub": subscription_id,
                    "now": now,
                    "lease": now + timedelta(seconds=300),
                    "limit": limit,
                },
            )
            rows = sorted(cr.fetchall())
        self.invalidate_model()
        return rows

    @api.model
    def _release(self, ids):
        if not ids:
            return
        with self.env.registry.cursor() as cr:
            cr.execute(
                "UPDATE logistics_event_delivery SET state = 'pending', "
                "lease_until = NULL WHERE id = ANY(%s) AND state = 'sending'",
                (list(ids),),
            )
        self.invalidate_model()

    @api.model
    def _record_success(self, delivery_id, when, status, answer):
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                UPDATE logistics_event_delivery
                   SET state = 'done', attempts = attempts + 1, done_at = %(when)s,
                       last_attempt_at = %(when)s, last_status = %(status)s,
                       last_response = %(answer)s, last_error = NULL,
                       lease_until = NULL, write_date = %(when)s
                 WHERE id = %(id)s
                """,
                {"id": delivery_id, "when": when, "status": status, "answer": answer},
            )
        self.invalidate_model()

    @api.model
    def _record_failure(self, delivery_id, when, status, answer, error, delay):
        """Count the attempt; retry after ``delay`` s, or fail past the deadline."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                UPDATE logistics_event_delivery
                   SET state = CASE WHEN %(when)s >= deadline THEN 'failed'
                                    ELSE 'pending' END,
                       attempts = attempts + 1, last_attempt_at = %(when)s,
                       next_attempt_at = %(next)s, last_status = %(status)s,
                       last_response = %(answer)s, last_error = %(error)s,
                       lease_until = NULL, write_date = %(when)s
                 WHERE id = %(id)s
                """,
                {
                    "id": delivery_id,
                    "when": when,
                    "next": when + timedelta(seconds=delay),
                    "status": status,
                    "answer": answer,
                    "error": (error or "")[:255],
                },
            )
        self.invalidate_model()

    @api.model
    def _next_due(self, subscription_id):
        """When the next pending delivery of the subscription is due (or None)."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT min(COALESCE(lease_until, next_attempt_at)) "
                "FROM logistics_event_delivery "
                "WHERE subscription_id = %s AND state IN ('pending', 'sending')",
                (subscription_id,),
            )
            return cr.fetchone()[0]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_resend(self):
        """Supervisor action: send failed (or delivered) deliveries again."""
        check_caller(self, "supervisor")
        to_do = self.filtered(lambda d: d.state in ("failed", "done"))
        if not to_do:
            raise UserError(_("Only failed or delivered deliveries can be resent."))
        now = fields.Datetime.now()
        for sub in to_do.subscription_id:
            mine = to_do.filtered(lambda d, s=sub: d.subscription_id == s)
            mine.sudo().write(
                {
                    "state": "pending",
                    "next_attempt_at": now,
                    "deadline": now + timedelta(hours=sub.retry_period),
                    "lease_until": False,
                }
            )
            sub.sudo().message_post(
                body=_(
                    "%(n)s delivery(ies) resent by %(user)s.",
                    n=len(mine),
                    user=self.env.user.name,
                )
            )
            if sub.active:
                sub._ensure_send_job()
        return True
