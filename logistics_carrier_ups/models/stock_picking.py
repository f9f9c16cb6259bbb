# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, fields, models

from odoo.addons.logistics_connector_base.caller import check_caller

from logistics_carriers import (
    CarrierError,
    CarrierNotSupported,
)
from logistics_carriers.ups import (
    ADDRESS_VALIDATION_COUNTRIES,
    SHIPPER_NUMBER_RE,
    needs_customs,
    needs_description,
    needs_invoice_line_total,
)

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _ups_account(self, carrier=None):
        carrier = carrier or self.carrier_id
        account = carrier.logistics_account_id if carrier else None
        return account if account and account.carrier_code == "ups" else None

    def _ups_lane(self):
        origin = self._logistics_shipper_partner().country_id.code or ""
        return origin, self.partner_id.country_id.code or ""

    # ------------------------------------------------------------------
    # International basics
    # ------------------------------------------------------------------
    def _ups_customs_lines(self):
        """One line per product moved: description, whole quantity, value."""
        self.ensure_one()
        order = self.sale_id
        lines = []
        for move in self.move_ids.filtered(lambda m: m.state != "cancel"):
            product = move.product_id
            sale_line = move.sale_line_id
            if sale_line:
                value = sale_line.price_reduce_taxexcl or sale_line.price_unit
            else:
                value = product.lst_price
            lines.append(
                {
                    "product": product,
                    "description": product.name or product.display_name,
                    "quantity": move.product_uom_qty,
                    "unit_value": round(value or 0.0, 2),
                    "uom": "PCS",
                    "hs_code": product.hs_code or "",
                    "origin_country": product.country_of_origin.code or "",
                    "part_number": product.default_code or str(product.id),
                }
            )
        currency = (order.currency_id or self.company_id.currency_id).name
        return lines, currency

    def _ups_customs_data(self):
        """The request's customs block, or {} within the customs area."""
        self.ensure_one()
        origin, destination = self._ups_lane()
        service = self.carrier_id.logistics_service_code or ""
        if not (
            needs_description(origin, destination, service)
            or needs_customs(origin, destination)
        ):
            return {}
        lines, currency = self._ups_customs_lines()
        names = list(dict.fromkeys(line["description"] for line in lines))
        return {
            "description": ", ".join(names)[:50],
            "reason": "SALE",
            "invoice_number": self.sale_id.name or self.name,
            "invoice_date": fields.Date.to_string(fields.Date.context_today(self)),
            "currency": currency,
            "lines": [
                {k: v for k, v in line.items() if k != "product"} for line in lines
            ],
        }

    def _preflight_order(self, carrier):
        """UPS: what an international shipment needs, before anything is queued."""
        problems = super()._preflight_order(carrier)
        account = self._ups_account(carrier)
        if not account:
            return problems
        if not (carrier.logistics_service_code or "").strip():
            # UPS would answer "Missing or invalid Service.Code" after a call
            problems.append(
                _(
                    "Shipping method %s has no UPS service: choose one in its UPS "
                    "Service field (e.g. 03 - UPS Ground).",
                    carrier.name,
                )
            )
        number = (account.account_number or "").strip().upper()
        if not SHIPPER_NUMBER_RE.fullmatch(number):
            problems.append(
                _(
                    "The UPS account number of %s must be the 6-character UPS "
                    "shipper number: an administrator must correct it.",
                    account.name,
                )
            )
        if not self.partner_id.country_id:
            return problems
        origin, destination = self._ups_lane()
        customs = needs_customs(origin, destination)
        total_needed = needs_invoice_line_total(origin, destination)
        if not (customs or total_needed):
            return problems
        lines, _currency = self._ups_customs_lines()
        if not lines:
            problems.append(
                _("UPS needs the goods of an international shipment: add products.")
            )
        for line in lines:
            name = line["product"].display_name
            if line["unit_value"] <= 0:
                problems.append(
                    _(
                        "%(product)s has no value: UPS needs the value of every "
                        "item shipped to %(country)s (set a sales price).",
                        product=name,
                        country=self.partner_id.country_id.name,
                    )
                )
            if abs(line["quantity"] - round(line["quantity"])) > 1e-6:
                problems.append(
                    _(
                        "%(product)s: UPS declares whole quantities on the "
                        "commercial invoice, not %(qty)s.",
                        product=name,
                        qty=line["quantity"],
                    )
                )
        return problems

    # ------------------------------------------------------------------
    # Street-level address validation (a warning, never a block)
    # ------------------------------------------------------------------
    def _ups_validate_recipient(self):
        """(AddressValidationResult or None, skip reason or None)."""
        self.ensure_one()
        account = self._ups_account()
        partner = self.partner_id
        if (
            not account
            or not account.ups_street_validation
            or partner.country_id.code not in ADDRESS_VALIDATION_COUNTRIES
        ):
            return None, None
        address = self.env["logistics.shipment"]._partner_to_address(partner)
        adapter = account._get_adapter()
        try:
            result = adapter.validate_address(address)
        except CarrierNotSupported:
            return None, None
        except CarrierError as err:
            adapter.log_sink.flush()
            _logger.info("UPS address validation skipped for %s: %s", self.name, err)
            return None, _(
                "UPS address validation was skipped: the service did not answer "
                "(%s). The address was sent as entered.",
                err,
            )
        adapter.log_sink.flush()
        return result, None

    def _ups_address_suggestions(self, result):
        """Candidates that differ from the recipient's address."""
        partner = self.partner_id

        def key(street, city, zip_code, state):
            # ZIP+4 alone is no correction: compare the 5-digit ZIP code
            primary = (zip_code or "").split("-")[0].strip()
            return tuple(
                " ".join(str(v or "").upper().split())
                for v in (street, city, primary, state)
            )

        current = key(partner.street, partner.city, partner.zip, partner.state_id.code)
        suggestions = []
        for candidate in result.candidates if result else []:
            candidate_key = key(
                candidate.street, candidate.city, candidate.zip, candidate.state_code
            )
            if candidate_key != current:
                suggestions.append(candidate)
        return suggestions

    def _ups_address_settled(self):
        """The current shipment was prepared (or created at UPS) with the
        address as it is: asking again would change nothing it sends. A
        shipment UPS refused is prepared again on the next send."""
        shipment = self.logistics_shipment_id
        return bool(shipment) and shipment.health != "exception"

    def _preflight_warnings(self, carrier, address_note=None):
        warnings = super()._preflight_warnings(carrier, address_note=address_note)
        if not self._ups_account(carrier):
            return warnings
        if address_note is not None:  # the Send button's check ran already
            return warnings + ([address_note] if address_note else [])
        if self._ups_address_settled():
            return warnings
        result, skipped = self._ups_validate_recipient()
        if skipped:
            return warnings + [skipped]
        suggestions = self._ups_address_suggestions(result)
        if result and (suggestions or not result.valid):
            warnings.append(self._ups_suggestion_text(result, suggestions))
        return warnings

    def _ups_suggestion_text(self, result, suggestions):
        found = "; ".join(
            ", ".join(filter(None, [c.street, c.city, c.state_code, c.zip]))
            for c in suggestions
        )
        return _(
            "UPS did not confirm the address of %(who)s (%(why)s)%(found)s.",
            who=self.partner_id.display_name,
            why=" ".join(result.messages),
            found=_("; it suggests: %s", found) if found else "",
        )

    def action_send_to_carrier(self):
        """UPS with street validation: suggested corrections open a wizard.

        Pre-flight runs once: what blocks first, without asking UPS anything,
        then UPS's address check, whose outcome joins the warnings."""
        check_caller(self, "user", "write")
        for picking in self:
            picking._preflight_company(picking.carrier_id)
        if len(self) != 1:
            return super().action_send_to_carrier()
        if not self._ups_account() or self._ups_address_settled():
            return super().action_send_to_carrier()
        checked = self._logistics_preflight(self.carrier_id, address_note="")
        result, skipped = self._ups_validate_recipient()
        suggestions = self._ups_address_suggestions(result)
        if suggestions or (result and not result.valid):
            return self.env["ups.address.suggestion"]._open_for(
                self, result, suggestions
            )
        if skipped:
            checked["warnings"].append(skipped)
        return self._logistics_send_to_carrier(checked=checked)
