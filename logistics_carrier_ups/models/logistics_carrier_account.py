# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.logistics_connector_base.adapters import CarrierError

from ..adapters.ups import LABEL_FORMATS


class LogisticsCarrierAccount(models.Model):
    _inherit = "logistics.carrier.account"

    carrier_code = fields.Selection(
        selection_add=[("ups", "UPS")],
        ondelete={"ups": "cascade"},
    )
    ups_negotiated_rates = fields.Boolean(
        string="UPS Negotiated Rates",
        help="Ask UPS for the account's negotiated rates (quotes and shipment "
        "charges). The UPS account must be enabled for them.",
    )
    ups_label_stock_size = fields.Selection(
        [("6", "4 x 6 in"), ("8", "4 x 8 in")],
        string="UPS Thermal Label Size",
        default="6",
        help="Label stock of ZPL labels (thermal printers).",
    )
    ups_weight_unit = fields.Selection(
        [
            ("auto", "Automatic (pounds/inches from the US and Puerto Rico)"),
            ("KGS", "Kilograms and centimetres"),
            ("LBS", "Pounds and inches"),
        ],
        string="UPS Units",
        default="auto",
        required=True,
        help="Units of the weights and dimensions sent to UPS. UPS expects the "
        "units of the shipper's country.",
    )
    ups_street_validation = fields.Boolean(
        string="UPS Street-level Address Validation",
        help="The UPS account is enabled for street-level address validation "
        "(United States and Puerto Rico addresses).",
    )

    @api.onchange("carrier_code")
    def _onchange_carrier_code_ups(self):
        if self.carrier_code == "ups" and self.label_format not in LABEL_FORMATS:
            self.label_format = "GIF"  # UPS prints no PDF labels

    def _get_adapter_extra(self):
        extra = super()._get_adapter_extra()
        if self.carrier_code == "ups":
            extra.update(
                {
                    "negotiated_rates": bool(self.ups_negotiated_rates),
                    "label_stock_size": self.ups_label_stock_size or "6",
                    "weight_unit": self.ups_weight_unit or "auto",
                    "street_validation": bool(self.ups_street_validation),
                }
            )
        return extra

    def action_ups_test_connection(self):
        """Fetch a fresh OAuth token: proves the credentials and the URL."""
        self.ensure_one()
        if self.carrier_code != "ups":
            raise UserError(_("%s is not a UPS account.", self.display_name))
        adapter = self._get_adapter()
        try:
            adapter.get_token(force=True)
        except CarrierError as err:
            adapter.log_sink.flush(own_cursor=True)
            raise UserError(
                _(
                    "UPS refused the connection of %(account)s: %(error)s",
                    account=self.display_name,
                    error=err,
                )
            ) from err
        adapter.log_sink.flush()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("UPS connection works"),
                "message": _(
                    "UPS issued a token for %(account)s (%(url)s).",
                    account=self.display_name,
                    url=adapter.token_url(),
                ),
                "sticky": False,
            },
        }
