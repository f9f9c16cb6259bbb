# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from odoo.addons.logistics_connector_base.models.logistics_idempotency_record import (
    REPLAY,
)


class LogisticsIdempotencyRecord(models.Model):
    _inherit = "logistics.idempotency.record"

    @api.model
    def _acquire(
        self, scope, key, fingerprint, lease_seconds=300, res_model=None, res_id=None
    ):
        acquisition = super()._acquire(
            scope,
            key,
            fingerprint,
            lease_seconds=lease_seconds,
            res_model=res_model,
            res_id=res_id,
        )
        if acquisition.status == REPLAY:
            # a second send of something already done: the ledger absorbed it
            if res_model == "logistics.shipment" and res_id:
                self.env["logistics.duplicate.stat"]._bump(
                    "ledger",
                    account_sql="SELECT account_id FROM logistics_shipment "
                    "WHERE id = %s",
                    params=(res_id,),
                )
            else:
                self.env["logistics.duplicate.stat"]._bump("ledger")
        return acquisition
