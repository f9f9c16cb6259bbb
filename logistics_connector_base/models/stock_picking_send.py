# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Send to carrier: one click, one shipment, its dispatch queued; void and resend."""

from markupsafe import Markup

from odoo import _, api, models
from odoo.exceptions import UserError

from ..caller import check_caller


class StockPickingSend(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Send to carrier
    # ------------------------------------------------------------------
    @api.model
    def _logistics_notify(self, title, message, close=False):
        """The success notification of the logistics buttons."""
        params = {"type": "success", "title": title, "message": message}
        if close:
            params["next"] = {"type": "ir.actions.act_window_close"}
        params["sticky"] = False
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": params,
        }

    def action_send_to_carrier(self):
        """Button **Send to carrier** (contract): validate, then queue dispatch."""
        check_caller(self, "user", "write")
        return self._logistics_send_to_carrier()

    def _logistics_send_to_carrier(self, checked=None, address_note=None):
        """Send ``self`` (its caller checked) and say so.

        ``checked``: the pre-flight this click already ran on the one picking
        in ``self``; ``address_note``: the outcome of a carrier's address
        check this click already made (see :meth:`_logistics_preflight`).
        """
        shipments = self.env["logistics.shipment"]
        sent = shipments
        # the dispatch jobs of many delivery orders are queued in batches
        with shipments._collect_dispatches():
            for picking in self:
                sent |= picking._logistics_send(
                    checked=checked, address_note=address_note
                )
        return self._logistics_notify(
            _("Sent to carrier"),
            _(
                "%s queued: the label and tracking number will appear here shortly.",
                ", ".join(sent.mapped("name")),
            ),
            close=True,
        )

    def _logistics_lock(self):
        """Serialise concurrent sends of one picking.

        The lock waits for a concurrent sender; when it committed, this
        transaction's snapshot is stale, which PostgreSQL reports as a
        serialization failure and Odoo retries on a fresh snapshot.
        FOR NO KEY UPDATE serialises senders just as well, without blocking
        (or failing) the foreign-key checks of rows that other transactions
        insert referencing this picking (a FOR UPDATE conflicts with them).
        """
        self.env.cr.execute(
            "SELECT id FROM stock_picking WHERE id = %s FOR NO KEY UPDATE",
            (self.id,),
        )

    def _logistics_send(self, from_validation=False, checked=None, address_note=None):
        """Create or reuse this picking's shipment and queue its dispatch.

        Double clicks, two users at once and validation afterwards all end up
        on one shipment, and the ledger makes its dispatch happen once.
        Pre-flight runs here unless the click ran it already (``checked``).
        Returns the shipment (empty when validation skipped it).
        """
        self.ensure_one()
        shipment_model = self.env["logistics.shipment"].sudo()
        if not self.carrier_id and not self.logistics_shipment_id:
            self._logistics_apply_routing()
        carrier = self.carrier_id
        try:
            checked = self._logistics_checked(carrier, checked, address_note)
        except UserError as err:
            if not from_validation:
                raise
            # Validation never blocks on the carrier: say what is missing.
            self.message_post(body=str(err))
            return shipment_model.browse()
        if checked.get("warnings"):
            self.message_post(
                body=_("Pre-flight warnings:")
                + Markup("<ul>%s</ul>")
                % Markup().join(Markup("<li>%s</li>") % w for w in checked["warnings"])
            )
        self._logistics_lock()
        # the caller was checked (action_send_to_carrier, validation): the
        # suite writes its shipments itself
        current = (
            (self.logistics_shipment_id | self.logistics_shipment_ids)
            .sudo()
            .filtered(lambda s: s.state != "cancelled")[:1]
        )
        if current:
            fingerprint = shipment_model._package_fingerprint(current._all_pickings())
            if current.carrier_shipment_id:
                if current.package_fingerprint != fingerprint:
                    message = _(
                        "%(picking)s changed after it was sent to the carrier "
                        "(shipment %(shipment)s). Cancel the shipment at the carrier "
                        "and send it again, so that the carrier ships what you pack.",
                        picking=self.name,
                        shipment=current.name,
                    )
                    if from_validation:
                        self.message_post(body=message)
                        return current
                    raise UserError(message)
                return current  # already at the carrier: nothing to do
            if current.carrier_id != carrier:
                return current._reroute(
                    carrier,
                    _("Shipping method changed to %s before dispatch.", carrier.name),
                )
            if (
                current.health == "exception"
                and current.exception_category
                in (
                    "address",
                    "service",
                    "data",
                )
                and not from_validation
            ):
                # The user corrected what the carrier refused: send again.
                current.exception_ids.filtered(
                    lambda e: e.state == "open"
                ).action_resolve(
                    _("Corrected and sent again by %s.", self.env.user.name)
                )
                current.write(
                    {
                        "health": "ok",
                        "exception_category": False,
                        "package_fingerprint": fingerprint,
                    }
                )
                current._enqueue_dispatch(phones=checked)
            return current
        return shipment_model._create_for(
            self,
            carrier,
            lambda shipment: _(
                "Sent to %(carrier)s by %(user)s: shipment %(shipment)s queued.",
                carrier=carrier.name,
                user=self.env.user.name,
                shipment=shipment.name,
            ),
            phones=checked,
        )

    # ------------------------------------------------------------------
    # Changed after sending: void and send again
    # ------------------------------------------------------------------
    def action_logistics_void_and_resend(self):
        """Cancel the outdated shipment at the carrier and send what is packed.

        Pre-flight first, the void at the carrier last: when anything fails,
        the whole transaction rolls back before the carrier was asked, so Odoo
        and the carrier never disagree about the label. Pre-flight runs once:
        what blocks before the cancellation, the warnings (which depend on
        the shipment, e.g. UPS's address check) when the new one is sent.
        """
        check_caller(self, "user", "write")
        for picking in self:
            shipment = picking.logistics_shipment_id
            if not shipment:
                raise UserError(_("%s has no carrier shipment.", picking.name))
            pickings = shipment._all_pickings()
            carrier = (
                pickings.sorted("id")[:1].carrier_id
                if len(pickings) > 1
                else picking.carrier_id
            )
            checked = {
                each.id: each._logistics_preflight(carrier, with_warnings=False)
                for each in pickings
            }
            shipment._cancel_at_carrier(void=False)
            pickings.invalidate_recordset()
            if len(pickings) > 1:
                pickings._logistics_send_consolidated(checked=checked)
            else:
                picking._logistics_send(checked=checked.get(picking.id))
            if shipment.carrier_shipment_id:
                self.env.flush_all()
                shipment.sudo()._void_at_carrier()
        return True
