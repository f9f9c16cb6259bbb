# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tracking events move the shipment; delivery and return consequences."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from logistics_carriers.tracking import (
    CLEARED_BY_PROGRESS,
    merge_package_states,
    next_state,
)


class LogisticsShipmentTracking(models.Model):
    _inherit = "logistics.shipment"

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
        lost (or returned) parcel among others is an exception (the pure rule
        :func:`logistics_carriers.tracking.rules.merge_package_states`)."""
        return merge_package_states(states, folded)

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
