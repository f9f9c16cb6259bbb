# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timezone

from odoo import api, fields, models

from logistics_carriers import CANONICAL_CODES
from logistics_carriers.tracking import fold_events

EVENT_CODES = [(code, code.replace("_", " ").capitalize()) for code in CANONICAL_CODES]


class LogisticsShipmentEvent(models.Model):
    _name = "logistics.shipment.event"
    _description = "Shipment Event"
    _order = "occurred_at desc, id desc"
    _rec_name = "code"

    # indexed by the unique (shipment_id, dedupe_key) constraint
    shipment_id = fields.Many2one(
        "logistics.shipment",
        ondelete="cascade",
        help="Empty for an orphan: an event for a tracking number no shipment has "
        "(yet); it is linked when the shipment appears.",
    )
    account_id = fields.Many2one(
        "logistics.carrier.account", index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", index=True)
    picking_id = fields.Many2one(related="shipment_id.picking_id")
    code = fields.Selection(EVENT_CODES, required=True, index=True)
    raw_code = fields.Char(help="The carrier's own status code.")
    raw_description = fields.Char(help="The carrier's own description.")
    tracking_number = fields.Char(index=True)
    occurred_at = fields.Datetime(required=True, help="When it happened (UTC).")
    received_at = fields.Datetime(
        required=True, default=fields.Datetime.now, help="When Odoo learned it."
    )
    source = fields.Selection(
        [
            ("webhook", "Webhook"),
            ("poll", "Poll"),
            ("api", "API"),
            ("manual", "Manual"),
        ],
        required=True,
        default="api",
    )
    location = fields.Char()
    signatory = fields.Char()
    dedupe_key = fields.Char(required=True)

    _sql_constraints = [
        (
            "shipment_dedupe_uniq",
            "unique(shipment_id, dedupe_key)",
            "This event was already recorded for the shipment.",
        )
    ]

    def init(self):
        # orphans (no shipment yet) are unique per account
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS logistics_shipment_event_orphan_uniq
                ON logistics_shipment_event (account_id, dedupe_key)
             WHERE shipment_id IS NULL;
            DROP INDEX IF EXISTS logistics_shipment_event__shipment_id_index;
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        shipments = self.env["logistics.shipment"].browse(
            [v["shipment_id"] for v in vals_list if v.get("shipment_id")]
        )
        by_id = {s.id: s for s in shipments}
        for vals in vals_list:
            shipment = by_id.get(vals.get("shipment_id"))
            if shipment:
                vals.setdefault("account_id", shipment.account_id.id)
                vals.setdefault("company_id", shipment.company_id.id)
        return super().create(vals_list)

    @api.model
    def _create_from_dispatch(self, shipment, when, check_existing=True):
        """The ``label_created`` event of a successful dispatch (idempotent)."""
        key = f"label-{shipment.carrier_shipment_id}"
        if check_existing and self.search_count(
            [("shipment_id", "=", shipment.id), ("dedupe_key", "=", key)]
        ):
            return self.browse()
        event = self.sudo().create(
            {
                "shipment_id": shipment.id,
                "code": "label_created",
                "raw_code": "label_created",
                "raw_description": "Label created",
                "tracking_number": (shipment.tracking_ref or "").split(",")[0],
                "occurred_at": when,
                "received_at": when,
                "source": "api",
                "dedupe_key": key,
            }
        )
        self.env["logistics.event.delivery"].sudo()._enqueue_for_events(event.ids)
        return event

    # ------------------------------------------------------------------
    # Applying carrier events (webhook, poll) set-based
    # ------------------------------------------------------------------
    @api.model
    def _apply_tracking_events(self, account, events, source="webhook"):
        """Record canonical TrackingEvents and move their shipments.

        One query finds the shipments of all tracking numbers, one INSERT ...
        ON CONFLICT DO NOTHING records the new events (duplicates vanish),
        one UPDATE moves the shipments whose state or health changed. Events
        without a shipment are kept as orphans. Returns the number of new events.
        """
        if not events:
            return 0
        cr = self.env.cr
        numbers = sorted({e.tracking_number for e in events})
        cr.execute(
            """
            SELECT p.tracking_number, s.id, s.company_id
              FROM logistics_shipment_package p
              JOIN logistics_shipment s ON s.id = p.shipment_id
             WHERE p.tracking_number = ANY(%s) AND s.account_id = %s
               AND s.state <> 'cancelled'
            """,
            (numbers, account.id),
        )
        by_number = {number: (sid, cid) for number, sid, cid in cr.fetchall()}
        if account.carrier_code == "generic":  # partners: reference or number
            by_number = {**self._match_partner_events(account, events), **by_number}
        now = fields.Datetime.now()
        columns = {
            "shipment_id": [], "company_id": [], "tracking_number": [], "code": [],
            "raw_code": [], "raw_description": [], "occurred_at": [], "location": [],
            "signatory": [], "dedupe_key": [],
        }  # fmt: skip
        for event in events:
            sid, cid = (
                by_number.get(event.tracking_number)
                or by_number.get(getattr(event, "reference", None))
                or (None, account.company_id.id)
            )
            occurred = event.occurred_at
            if occurred.tzinfo is not None:
                occurred = occurred.astimezone(timezone.utc).replace(tzinfo=None)
            columns["shipment_id"].append(sid)
            columns["company_id"].append(cid)
            columns["tracking_number"].append(event.tracking_number)
            columns["code"].append(event.code)
            columns["raw_code"].append((event.raw_code or "")[:255])
            columns["raw_description"].append((event.description or "")[:255])
            columns["occurred_at"].append(occurred)
            columns["location"].append(event.location or None)
            columns["signatory"].append(event.signatory or None)
            columns["dedupe_key"].append(event.dedupe_key)
        cr.execute(
            """
            INSERT INTO logistics_shipment_event
                (shipment_id, account_id, company_id, tracking_number, code, raw_code,
                 raw_description, occurred_at, received_at, source, location,
                 signatory, dedupe_key, create_uid, write_uid, create_date, write_date)
            SELECT e.shipment_id, %s, e.company_id, e.tracking_number, e.code,
                   e.raw_code, e.raw_description, e.occurred_at, %s, %s, e.location,
                   e.signatory, e.dedupe_key, %s, %s, %s, %s
              FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[],
                          %s::varchar[], %s::varchar[], %s::timestamp[], %s::varchar[],
                          %s::varchar[], %s::varchar[])
                AS e(shipment_id, company_id, tracking_number, code, raw_code,
                     raw_description, occurred_at, location, signatory, dedupe_key)
            ON CONFLICT DO NOTHING
            RETURNING id, shipment_id, code, occurred_at, signatory
            """,
            (
                account.id, now, source, self.env.uid, self.env.uid, now, now,
                columns["shipment_id"], columns["company_id"],
                columns["tracking_number"], columns["code"], columns["raw_code"],
                columns["raw_description"], columns["occurred_at"],
                columns["location"], columns["signatory"], columns["dedupe_key"],
            ),
        )  # fmt: skip
        inserted = cr.fetchall()
        self.invalidate_model()
        by_shipment = {}
        for _eid, sid, code, occurred, signatory in inserted:
            if sid:
                by_shipment.setdefault(sid, []).append((occurred, code, signatory))
        if by_shipment:
            self.env["logistics.shipment"].sudo()._apply_new_events(by_shipment)
            # the outbox, in this transaction (set-based)
            self.env["logistics.event.delivery"].sudo()._enqueue_for_events(
                [row[0] for row in inserted if row[1]]
            )
        return len(inserted)

    @api.model
    def _match_partner_events(self, account, events):
        """{tracking number or reference: (shipment id, company id)}.

        A partner (``generic`` account: TMS, 3PL, middleware) reports on the
        shipments of its company whatever carrier carries them, naming them by
        tracking number, shipment name or delivery order name. The newest
        shipment that is not cancelled wins (a rerouted picking has several).
        """
        keys = sorted(
            {e.tracking_number for e in events if e.tracking_number}
            | {e.reference for e in events if getattr(e, "reference", "")}
        )
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (k.key) k.key, s.id, s.company_id
              FROM (
                SELECT p.tracking_number AS key, p.shipment_id
                  FROM logistics_shipment_package p
                 WHERE p.tracking_number = ANY(%(keys)s)
                UNION ALL
                SELECT s.name, s.id FROM logistics_shipment s
                 WHERE s.name = ANY(%(keys)s)
                UNION ALL
                SELECT pk.name, s.id
                  FROM stock_picking pk
                  JOIN logistics_shipment s ON s.picking_id = pk.id
                 WHERE pk.name = ANY(%(keys)s)
              ) k
              JOIN logistics_shipment s ON s.id = k.shipment_id
             WHERE s.company_id = %(company)s AND s.state <> 'cancelled'
             ORDER BY k.key, s.id DESC
            """,
            {"keys": keys, "company": account.company_id.id},
        )
        return {key: (sid, cid) for key, sid, cid in self.env.cr.fetchall()}

    @api.model
    def _relink_orphans(self, shipment):
        """Events that arrived before their shipment existed join it now."""
        numbers = [n for n in shipment.package_ids.mapped("tracking_number") if n]
        if not numbers:
            return 0
        # pending ORM writes (the dispatch's) must not overwrite what follows
        shipment.flush_recordset()
        # partner (generic) orphans of the company may name the shipment too
        self.env.cr.execute(
            """
            UPDATE logistics_shipment_event
               SET shipment_id = %(shipment)s, company_id = %(company)s
             WHERE shipment_id IS NULL
               AND ((account_id = %(account)s AND tracking_number = ANY(%(numbers)s))
                 OR (account_id IN (SELECT id FROM logistics_carrier_account
                                     WHERE carrier_code = 'generic'
                                       AND company_id = %(company)s)
                     AND tracking_number = ANY(%(keys)s)))
            RETURNING occurred_at, code, signatory, id
            """,
            {
                "shipment": shipment.id,
                "company": shipment.company_id.id,
                "account": shipment.account_id.id,
                "numbers": numbers,
                "keys": numbers + [shipment.name, shipment.picking_id.name],
            },
        )
        rows = self.env.cr.fetchall()
        if rows:
            self.invalidate_model()
            shipment.sudo()._apply_new_events({shipment.id: [r[:3] for r in rows]})
            self.env["logistics.event.delivery"].sudo()._enqueue_for_events(
                [r[3] for r in rows]
            )
        return len(rows)

    @api.model
    def _fold(self, state, health, category, events):
        """(state, health, category, delivered) after ``events`` (sorted):
        the pure rule :func:`logistics_carriers.tracking.rules.fold_events`."""
        return fold_events(state, health, category, events)
