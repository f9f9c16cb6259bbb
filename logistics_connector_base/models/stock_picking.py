# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import phonenumbers
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from logistics_carriers import get_adapter_class

from ..caller import check_caller

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    logistics_shipment_ids = fields.One2many(
        "logistics.shipment", "picking_id", string="Carrier Shipments", readonly=True
    )
    logistics_shipment_id = fields.Many2one(
        "logistics.shipment",
        string="Carrier Shipment",
        readonly=True,
        copy=False,
        help="The current (not cancelled) shipment of this delivery order.",
    )
    logistics_state = fields.Selection(
        related="logistics_shipment_id.state", string="Carrier Status"
    )
    logistics_health = fields.Selection(
        related="logistics_shipment_id.health", string="Carrier Health"
    )
    is_logistics = fields.Boolean(compute="_compute_is_logistics")
    logistics_delivered_at = fields.Datetime(
        string="Delivered At (carrier)", readonly=True, copy=False
    )
    logistics_pod_signatory = fields.Char(
        string="Signed By (carrier)", readonly=True, copy=False
    )
    logistics_outdated = fields.Boolean(
        string="Changed Since Sent",
        compute="_compute_logistics_outdated",
        help="The quantities, packages or address changed after the shipment was "
        "created at the carrier: void it and send again.",
    )
    logistics_return_shipment_id = fields.Many2one(
        "logistics.shipment",
        compute="_compute_logistics_return_shipment",
        string="Return Shipment",
    )

    logistics_can_route = fields.Boolean(
        compute="_compute_logistics_can_route",
        help="No shipping method yet, but a routing rule may choose one.",
    )

    @api.depends("carrier_id", "picking_type_code", "company_id")
    def _compute_logistics_can_route(self):
        companies = set(
            self.env["logistics.routing.rule"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
            .company_id.ids
        )
        for picking in self:
            picking.logistics_can_route = bool(
                not picking.carrier_id
                and picking.picking_type_code == "outgoing"
                and picking.company_id.id in companies
            )

    @api.depends(
        "logistics_shipment_id.package_fingerprint",
        "logistics_shipment_id.carrier_shipment_id",
        "move_ids.product_uom_qty",
        "move_line_ids.result_package_id",
        "partner_id",
        "shipping_weight",
    )
    def _compute_logistics_outdated(self):
        shipment_model = self.env["logistics.shipment"].sudo()
        for picking in self:
            shipment = picking.logistics_shipment_id.sudo()
            picking.logistics_outdated = bool(
                shipment
                and shipment.carrier_shipment_id
                and shipment.state == "label_created"
                and not shipment.is_return
                and shipment.package_fingerprint
                != shipment_model._package_fingerprint(shipment._all_pickings())
            )

    def _compute_logistics_return_shipment(self):
        shipments = (
            self.env["logistics.shipment"]
            .sudo()
            .search(
                [
                    ("is_return", "=", True),
                    ("state", "!=", "cancelled"),
                    "|",
                    ("picking_id", "in", self.ids),
                    ("picking_id.return_id", "in", self.ids),
                ],
                order="id desc",
            )
        )
        for picking in self:
            picking.logistics_return_shipment_id = shipments.filtered(
                lambda s, p=picking: s.picking_id == p or s.picking_id.return_id == p
            )[:1]

    @api.depends("carrier_id.logistics_account_id", "picking_type_code")
    def _compute_is_logistics(self):
        for picking in self:
            picking.is_logistics = bool(
                picking.carrier_id.logistics_account_id
                and picking.picking_type_code == "outgoing"
            )

    # ------------------------------------------------------------------
    # Pre-flight validation
    # ------------------------------------------------------------------
    def _logistics_shipper_partner(self):
        self.ensure_one()
        return (
            self.picking_type_id.warehouse_id.partner_id or self.company_id.partner_id
        )

    @api.model
    def _logistics_normalise_phone(self, number, country_code):
        """E.164 form of ``number``, or None when it is not a valid number."""
        try:
            parsed = phonenumbers.parse(number, (country_code or "").upper() or None)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(parsed):
            return None
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def _logistics_preflight(self, carrier=None):
        """Check what the carrier will need; raise one UserError listing all.

        Returns the normalised phones ``{"recipient_phone", "shipper_phone"}``.
        No carrier call is made here.
        """
        self.ensure_one()
        carrier = carrier or self.carrier_id
        self._preflight_company(carrier)
        problems = self._preflight_order(carrier)
        recipient_phone, recipient_problems = self._preflight_recipient(carrier)
        shipper_phone, shipper_problems = self._preflight_shipper()
        problems += recipient_problems + shipper_problems + self._preflight_weight()
        if problems:
            raise UserError(
                _("%s cannot be sent to the carrier yet:", self.name)
                + "\n- "
                + "\n- ".join(problems)
            )
        return {
            "recipient_phone": recipient_phone,
            "shipper_phone": shipper_phone,
            "warnings": self._preflight_warnings(carrier),
        }

    def _preflight_warnings(self, carrier):
        """What the user should know but which does not block (carrier addons
        extend it, e.g. an address the carrier suggests correcting). Called
        only when nothing blocks; posted in the picking's chatter on send."""
        return []

    def _preflight_company(self, carrier):
        """Refuse another company's carrier account, before anything reads it
        (the caller may not even be allowed to)."""
        account = carrier.sudo().logistics_account_id
        if account and account.company_id != self.company_id:
            raise UserError(
                _(
                    "%(picking)s cannot be sent: carrier account %(account)s belongs "
                    "to %(other)s, not to %(company)s. Choose a shipping method of "
                    "%(company)s.",
                    picking=self.name,
                    account=account.name,
                    other=account.company_id.name,
                    company=self.company_id.name,
                )
            )

    def _preflight_order(self, carrier):
        problems = []
        if self.state in ("draft", "cancel"):
            problems.append(
                _("Confirm the delivery order first (it is %s).", self.state)
            )
        if not carrier:
            problems.append(
                _(
                    "Choose a shipping method (no routing rule chose one for this "
                    "delivery)."
                )
            )
        elif not carrier.logistics_account_id:
            problems.append(
                _(
                    "Shipping method %s is not linked to a carrier account.",
                    carrier.name,
                )
            )
        elif not carrier.logistics_account_id.active:
            problems.append(
                _("Carrier account %s is archived.", carrier.logistics_account_id.name)
            )
        return problems

    def _preflight_recipient(self, carrier):
        """(E.164 phone, problems) of the recipient's address."""
        partner = self.partner_id
        if not partner:
            return "", [_("Set the customer (recipient) of the delivery order.")]
        problems = []
        who = partner.display_name
        country = partner.country_id
        required = [
            (country, _("Add the country to %s's address.", who)),
            (partner.street, _("Add the street to %s's address.", who)),
            (partner.city, _("Add the city to %s's address.", who)),
            (
                partner.zip or not country.zip_required,
                _("Add the postal code to %s's address.", who),
            ),
            (
                partner.state_id or not country.state_required,
                _("Add the state to %s's address.", who),
            ),
        ]
        problems += [message for present, message in required if not present]
        phone = ""
        raw_phone = partner.phone or partner.mobile
        if not raw_phone:
            problems.append(
                _(
                    "Add a phone number to %s: carriers need one to arrange delivery.",
                    who,
                )
            )
        else:
            phone = self._logistics_normalise_phone(raw_phone, country.code) or ""
            if not phone:
                problems.append(
                    _(
                        "The phone number %(phone)s of %(who)s is not a valid number "
                        "for %(country)s: correct it (e.g. with the international "
                        "prefix).",
                        phone=raw_phone,
                        who=who,
                        country=country.name or _("its country"),
                    )
                )
        if carrier and country and not carrier._match_address(partner):
            place = ", ".join(filter(None, [partner.zip, partner.city, country.name]))
            problems.append(
                _(
                    "Shipping method %(carrier)s does not deliver to %(place)s.",
                    carrier=carrier.name,
                    place=place,
                )
            )
        return phone, problems

    def _preflight_shipper(self):
        """(E.164 phone, problems) of the warehouse address."""
        shipper = self._logistics_shipper_partner()
        problems = []
        phone = ""
        raw_phone = shipper.phone or shipper.mobile
        if raw_phone:
            phone = self._logistics_normalise_phone(raw_phone, shipper.country_id.code)
            if not phone:
                problems.append(
                    _(
                        "The warehouse phone number %(phone)s is not valid: correct "
                        "it on %(who)s.",
                        phone=raw_phone,
                        who=shipper.display_name,
                    )
                )
        if not (shipper.street and shipper.city and shipper.country_id):
            problems.append(
                _(
                    "Complete the warehouse address (%s): street, city and country.",
                    shipper.display_name,
                )
            )
        return phone or "", problems

    def _preflight_weight(self):
        packages = self.move_line_ids.result_package_id
        if packages:
            light = packages.filtered(lambda p: (p.shipping_weight or p.weight) <= 0)
            if light:
                return [
                    _("Set a weight on package(s) %s.", ", ".join(light.mapped("name")))
                ]
        elif (self.shipping_weight or self.weight) <= 0:
            return [
                _(
                    "The shipment weighs nothing: set weights on the products or a "
                    "shipping weight on the package."
                )
            ]
        return []

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
        sent = self.env["logistics.shipment"]
        for picking in self:
            sent |= picking._logistics_send()
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

    def _logistics_send(self, from_validation=False):
        """Create or reuse this picking's shipment and queue its dispatch.

        Double clicks, two users at once and validation afterwards all end up
        on one shipment, and the ledger makes its dispatch happen once.
        Returns the shipment (empty when validation skipped it).
        """
        self.ensure_one()
        shipment_model = self.env["logistics.shipment"].sudo()
        if not self.carrier_id and not self.logistics_shipment_id:
            self._logistics_apply_routing()
        carrier = self.carrier_id
        try:
            checked = self._logistics_preflight(carrier)
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
                current._enqueue_dispatch()
            return current
        attempt = shipment_model.search_count([("picking_id", "=", self.id)]) + 1
        shipment = shipment_model.create(
            shipment_model._prepare_vals(self, carrier, attempt)
        )
        # Writing the picking row makes a concurrent sender's lock fail with a
        # serialization error (retried by Odoo) instead of a duplicate.
        self.sudo().write({"logistics_shipment_id": shipment.id})
        shipment._enqueue_dispatch()
        self.message_post(
            body=_(
                "Sent to %(carrier)s by %(user)s: shipment %(shipment)s queued.",
                carrier=carrier.name,
                user=self.env.user.name,
                shipment=shipment.name,
            )
        )
        return shipment

    # ------------------------------------------------------------------
    # Odoo's delivery flow
    # ------------------------------------------------------------------
    def send_to_shipper(self):
        """On validation, logistics carriers queue the dispatch instead of waiting."""
        self.ensure_one()
        if self.carrier_id.logistics_account_id:
            check_caller(self, "stock.group_stock_user", "write")
            self._logistics_send(from_validation=True)
            return None
        return super().send_to_shipper()

    def cancel_shipment(self):
        logistics = self.filtered(lambda p: p.carrier_id.logistics_account_id)
        if logistics:
            check_caller(logistics, "user", "write")
        for picking in logistics:
            if not picking.logistics_shipment_id:
                raise UserError(
                    _("%s has no carrier shipment to cancel.", picking.name)
                )
            picking.logistics_shipment_id._cancel_at_carrier()
        return super(StockPicking, self - logistics).cancel_shipment()

    def action_open_logistics_shipment(self):
        self.ensure_one()
        check_caller(self, "user")
        return {
            "type": "ir.actions.act_window",
            "res_model": "logistics.shipment",
            "res_id": self.logistics_shipment_id.id,
            "view_mode": "form",
        }

    def action_cancel(self):
        """Cancelling a delivery order cancels its shipment at the carrier,
        after Odoo cancelled the delivery order (a refusal by Odoo then voids
        nothing; a refusal by the carrier rolls the cancellation back)."""
        if self.filtered("logistics_shipment_id"):
            check_caller(self, "stock.group_stock_user", "write")
        shipments = self.env["logistics.shipment"]
        for picking in self.filtered("logistics_shipment_id"):
            shipment = picking.logistics_shipment_id
            if shipment.state not in ("cancelled",) and (
                shipment.carrier_shipment_id
                or shipment.state in ("queued", "submitted")
            ):
                shipments |= shipment
        res = super().action_cancel()
        for shipment in shipments:
            shipment._cancel_at_carrier()
        return res

    # ------------------------------------------------------------------
    # Routing rules and rate shopping
    # ------------------------------------------------------------------
    def _logistics_routing_context(self):
        self.ensure_one()
        shipment_model = self.env["logistics.shipment"]
        return {
            "warehouse": self.picking_type_id.warehouse_id,
            "partner": self.partner_id,
            "weight_kg": shipment_model._weight_to_kg(
                self.shipping_weight or self.weight
            ),
            "products": self.move_ids.product_id,
            "team": self.sale_id.team_id,
        }

    def _logistics_rate_request(self, carrier):
        """A quote request for this delivery with ``carrier``."""
        self.ensure_one()
        return self.env["logistics.shipment"]._request_for_pickings(
            self, carrier, idempotency_key=f"rate-picking-{self.id}"
        )

    def _logistics_route(self, exclude_accounts=None, quotes=None):
        """(carrier, rule, why) the routing rules choose for this delivery."""
        self.ensure_one()
        rule = self.env["logistics.routing.rule"]._find(
            self._logistics_routing_context(), self.company_id
        )
        if not rule:
            return self.env["delivery.carrier"], rule, _("no routing rule matches")
        carrier, why = rule._choose(
            self.partner_id,
            self._logistics_rate_request,
            exclude_accounts=exclude_accounts,
            quotes=quotes,
        )
        return carrier, rule, why

    def _logistics_apply_routing(self, quotes=None):
        """Set the shipping method chosen by the routing rules; True if set."""
        self.ensure_one()
        carrier, rule, why = self._logistics_route(quotes=quotes)
        if not carrier:
            return False
        self.write({"carrier_id": carrier.id})
        self.message_post(
            body=_(
                "Shipping method %(carrier)s chosen by routing rule %(rule)s "
                "(%(why)s).",
                carrier=carrier.name,
                rule=rule.name,
                why=why,
            )
        )
        return True

    def action_logistics_compare_rates(self):
        """Button **Compare rates**: every eligible method quoted at once."""
        self.ensure_one()
        check_caller(self, "user")
        return self.env["logistics.rate.shopping.wizard"]._open_for(picking=self)

    # ------------------------------------------------------------------
    # Changed after sending: void and send again
    # ------------------------------------------------------------------
    def action_logistics_void_and_resend(self):
        """Cancel the outdated shipment at the carrier and send what is packed.

        Pre-flight first, the void at the carrier last: when anything fails,
        the whole transaction rolls back before the carrier was asked, so Odoo
        and the carrier never disagree about the label.
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
            for each in pickings:
                each._logistics_preflight(carrier)
            shipment._cancel_at_carrier(void=False)
            pickings.invalidate_recordset()
            if len(pickings) > 1:
                pickings._logistics_send_consolidated()
            else:
                picking._logistics_send()
            if shipment.carrier_shipment_id:
                self.env.flush_all()
                shipment.sudo()._void_at_carrier()
        return True

    # ------------------------------------------------------------------
    # Returns
    # ------------------------------------------------------------------
    def _logistics_return_carrier(self):
        self.ensure_one()
        return self.carrier_id or self.return_id.carrier_id

    def action_logistics_return_label(self):
        """Button **Return label**: from a return, or from the delivery (its
        return is created first). The label is e-mailed to the customer."""
        self.ensure_one()
        check_caller(self, "user", "write")
        picking = self
        if picking.picking_type_code == "outgoing":
            if picking.state != "done":
                raise UserError(
                    _(
                        "%s is not delivered yet: a return label can be created once "
                        "it is done.",
                        picking.name,
                    )
                )
            picking = picking._logistics_create_return()
        elif not picking.return_id:
            raise UserError(
                _(
                    "%s is not a return of a delivery: return labels are created "
                    "from a delivery order or its return.",
                    picking.name,
                )
            )
        action = picking._logistics_return_label_from_outbound()
        if action:
            return action
        shipment = picking._logistics_send_return()
        return self._logistics_notify(
            _("Return label"),
            _(
                "%(shipment)s queued for %(picking)s: the label will be e-mailed "
                "to the customer.",
                shipment=shipment.name,
                picking=picking.name,
            ),
        )

    def _logistics_return_label_from_outbound(self):
        """Hook for carrier addons: the return label the carrier printed with
        the outbound shipment (e.g. DHL Retoure), handed to the customer
        instead of a new return shipment. ``self`` is the return picking.

        Returns the action to show, or False: a return shipment is created.
        """
        return False

    def _logistics_create_return(self):
        """The return of this delivery (all of it), through Odoo's wizard."""
        self.ensure_one()
        existing = self.return_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if existing:
            return existing[:1]
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=self.id, active_model="stock.picking")
            .create({"picking_id": self.id})
        )
        wizard._compute_moves_locations()
        new_id, _type = wizard._create_returns()
        return self.browse(new_id)

    def _logistics_send_return(self):
        """Create (or reuse) the return shipment of this return picking."""
        self.ensure_one()
        carrier = self._logistics_return_carrier()
        self._logistics_preflight(carrier)
        account = carrier.logistics_account_id
        try:
            adapter_cls = get_adapter_class(account.carrier_code)
        except KeyError:
            adapter_cls = None
        if not adapter_cls.supports_returns:
            raise UserError(
                _(
                    "%(carrier)s offers no return labels through the logistics "
                    "suite: choose a shipping method whose carrier does on the "
                    "return (%(picking)s).",
                    carrier=carrier.name,
                    picking=self.name,
                )
            )
        self._logistics_lock()
        shipment_model = self.env["logistics.shipment"].sudo()
        current = self.logistics_shipment_ids.filtered(
            lambda s: s.state != "cancelled"
        )[:1]
        if current:
            return current
        attempt = shipment_model.search_count([("picking_id", "=", self.id)]) + 1
        shipment = shipment_model.create(
            shipment_model._prepare_vals(self, carrier, attempt, is_return=True)
        )
        self.sudo().write(
            {"logistics_shipment_id": shipment.id, "carrier_id": carrier.id}
        )
        shipment._enqueue_dispatch()
        body = _(
            "Return label requested from %(carrier)s by %(user)s: shipment "
            "%(shipment)s queued.",
            carrier=carrier.name,
            user=self.env.user.name,
            shipment=shipment.name,
        )
        self.message_post(body=body)
        if self.return_id:
            self.return_id.message_post(body=body)
        return shipment

    # ------------------------------------------------------------------
    # Consolidation
    # ------------------------------------------------------------------
    def action_logistics_send_consolidated(self):
        """Send the selected delivery orders (same customer, address and day)
        as one shipment."""
        check_caller(self, "user", "write")
        shipment = self._logistics_send_consolidated()
        return self._logistics_notify(
            _("Sent to carrier"),
            _(
                "%(shipment)s queued for %(pickings)s.",
                shipment=shipment.name,
                pickings=", ".join(self.mapped("name")),
            ),
        )

    def _logistics_check_consolidation(self):
        """Raise a UserError unless ``self`` may travel as one shipment."""
        if len(self) < 2:
            raise UserError(_("Select at least two delivery orders to consolidate."))
        problems = []
        if set(self.mapped("picking_type_code")) != {"outgoing"}:
            problems.append(_("Only delivery orders can be consolidated."))
        if len(self.partner_id) != 1:
            problems.append(_("They go to different customers or addresses."))
        if len(self.carrier_id) != 1:
            problems.append(_("They have different shipping methods."))
        if len(self.company_id) != 1:
            problems.append(_("They belong to different companies."))
        if len(self.picking_type_id.warehouse_id) != 1:
            problems.append(_("They ship from different warehouses."))
        dates = {fields.Date.to_date(p.scheduled_date) for p in self}
        if len(dates) != 1:
            problems.append(_("They are not scheduled on the same day."))
        sent = self.filtered(
            lambda p: (
                p.logistics_shipment_id and p.logistics_shipment_id.state != "cancelled"
            )
        )
        if sent:
            problems.append(
                _(
                    "Already sent to the carrier: %s (cancel their shipment first).",
                    ", ".join(sent.mapped("name")),
                )
            )
        if problems:
            raise UserError(
                _("These delivery orders cannot be sent as one shipment:")
                + "\n- "
                + "\n- ".join(problems)
            )

    def _logistics_send_consolidated(self):
        """One shipment for all of ``self``; label and tracking on each."""
        pickings = self.sorted("id")
        pickings._logistics_check_consolidation()
        main = pickings[0]
        carrier = main.carrier_id
        for picking in pickings:
            picking._logistics_preflight(carrier)
        for picking in pickings:
            picking._logistics_lock()
        shipment_model = self.env["logistics.shipment"].sudo()
        attempt = shipment_model.search_count([("picking_id", "=", main.id)]) + 1
        shipment = shipment_model.create(
            shipment_model._prepare_vals(main, carrier, attempt, others=pickings - main)
        )
        pickings.sudo().write({"logistics_shipment_id": shipment.id})
        shipment._enqueue_dispatch()
        body = _(
            "Sent to %(carrier)s by %(user)s as one shipment %(shipment)s with "
            "%(pickings)s.",
            carrier=carrier.name,
            user=self.env.user.name,
            shipment=shipment.name,
            pickings=", ".join(pickings.mapped("name")),
        )
        for picking in pickings:
            picking.message_post(body=body)
        return shipment
