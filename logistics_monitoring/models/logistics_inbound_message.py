# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class LogisticsInboundMessage(models.Model):
    _inherit = "logistics.inbound.message"

    @api.model
    def _store(self, account_id, message_key, body, headers, source="webhook"):
        message_id = super()._store(account_id, message_key, body, headers, source)
        if message_id is None:
            self.env["logistics.duplicate.stat"]._bump("inbox", account_id)
        return message_id
