# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.logistics_connector_base.caller import check_caller


class UpsAddressSuggestion(models.TransientModel):
    _name = "ups.address.suggestion"
    _description = "UPS Address Suggestions"

    picking_id = fields.Many2one("stock.picking", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    current_address = fields.Text(readonly=True)
    message = fields.Text(readonly=True)
    line_ids = fields.One2many(
        "ups.address.suggestion.line", "wizard_id", string="Suggested by UPS"
    )

    @api.model
    def _open_for(self, picking, result, suggestions):
        partner = picking.partner_id
        country = partner.country_id
        states = self.env["res.country.state"]
        wizard = self.create(
            {
                "picking_id": picking.id,
                "partner_id": partner.id,
                "current_address": partner._display_address(without_company=True),
                "message": " ".join(result.messages) if result else "",
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "street": c.street,
                            "street2": c.street2,
                            "city": c.city.title(),
                            "zip": c.zip,
                            "state_id": states.search(
                                [
                                    ("country_id", "=", country.id),
                                    ("code", "=", c.state_code),
                                ],
                                limit=1,
                            ).id,
                            "country_id": country.id,
                        },
                    )
                    for c in suggestions
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("UPS suggests another address"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _checked_picking(self):
        """The delivery order, once the caller is known to be allowed to send it.

        The wizard's fields can be set by any RPC caller: the partner to correct
        is the recipient of a delivery order the caller may write, nothing else.
        """
        self.ensure_one()
        check_caller(self, "user")
        picking = check_caller(self.picking_id, "user", "write")
        if self.partner_id != picking.partner_id:
            raise AccessError(
                _(
                    "This UPS suggestion is not for the recipient of %s: open it "
                    "again from the delivery order.",
                    picking.name,
                )
            )
        return picking

    def _send(self, note):
        """Send the delivery order; ``note``: the outcome of the address check
        for its chatter ("" when the address was corrected)."""
        self.ensure_one()
        picking = self._checked_picking()
        return picking._logistics_send_to_carrier(address_note=note)

    def action_send_as_entered(self):
        """Keep the address: send, the warning stays in the chatter."""
        self.ensure_one()
        self._checked_picking()
        return self._send(
            _(
                "%(user)s sent %(who)s's address as entered although UPS did not "
                "confirm it (%(why)s).",
                user=self.env.user.name,
                who=self.partner_id.display_name,
                why=self.message or _("no reason given"),
            )
        )


class UpsAddressSuggestionLine(models.TransientModel):
    _name = "ups.address.suggestion.line"
    _description = "UPS Address Candidate"

    wizard_id = fields.Many2one(
        "ups.address.suggestion", required=True, ondelete="cascade"
    )
    street = fields.Char(readonly=True)
    street2 = fields.Char(readonly=True)
    city = fields.Char(readonly=True)
    zip = fields.Char(readonly=True)
    state_id = fields.Many2one("res.country.state", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)

    def action_use(self):
        """Write this address on the recipient (in its chatter), then send."""
        self.ensure_one()
        check_caller(self, "user")
        wizard = self.wizard_id
        picking = wizard._checked_picking()
        # a warehouse user without contact rights may still apply the carrier's
        # correction to the recipient of a delivery order they may send
        # (attributed below); never to any other partner
        partner = picking.partner_id.sudo()
        before = partner._display_address(without_company=True)
        partner.write(
            {
                "street": self.street,
                "street2": self.street2 or partner.street2,
                "city": self.city,
                "zip": self.zip,
                "state_id": self.state_id.id or partner.state_id.id,
            }
        )
        body = _(
            "Address corrected by %(user)s with UPS's suggestion (delivery "
            "%(picking)s): %(before)s -> %(after)s",
            user=self.env.user.name,
            picking=wizard.picking_id.name,
            before=before.replace("\n", ", "),
            after=partner._display_address(without_company=True).replace("\n", ", "),
        )
        partner.message_post(body=body, author_id=self.env.user.partner_id.id)
        wizard.picking_id.message_post(body=body)
        return wizard._send("")
