# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pre-flight: what the carrier will need, checked before anything is queued."""

import phonenumbers

from odoo import _, api, models
from odoo.exceptions import UserError


class StockPickingPreflight(models.Model):
    _inherit = "stock.picking"

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

    @api.model
    def _logistics_phone_for_carrier(self, partner):
        """The number of ``partner`` the carrier gets: E.164 when valid, else
        as entered (pre-flight has refused an invalid one when sending)."""
        raw_phone = partner.phone or partner.mobile or ""
        return (
            self._logistics_normalise_phone(raw_phone, partner.country_id.code)
            or raw_phone
        )

    def _logistics_preflight(self, carrier=None, address_note=None, with_warnings=True):
        """Check what the carrier will need; raise one UserError listing all.

        Returns the normalised phones ``{"recipient_phone", "shipper_phone"}``
        and the ``"warnings"`` (None ``with_warnings=False``: they are had
        later, with :meth:`_logistics_checked`). ``address_note``: the outcome
        of a carrier's address check this click already made ("": nothing to
        report; None: not made). No carrier call is made for what blocks.
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
            "warnings": self._preflight_warnings(carrier, address_note=address_note)
            if with_warnings
            else None,
        }

    def _logistics_checked(self, carrier, checked=None, address_note=None):
        """The pre-flight of this click: ``checked`` when it ran already (its
        warnings completed when they were left for now), else run now."""
        self.ensure_one()
        if checked is None:
            return self._logistics_preflight(carrier, address_note=address_note)
        if checked.get("warnings") is None:
            warnings = self._preflight_warnings(carrier, address_note=address_note)
            return dict(checked, warnings=warnings)
        return checked

    def _preflight_warnings(self, carrier, address_note=None):
        """What the user should know but which does not block (carrier addons
        extend it, e.g. an address the carrier suggests correcting). Called
        only when nothing blocks; posted in the picking's chatter on send.
        ``address_note``: see :meth:`_logistics_preflight`."""
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
