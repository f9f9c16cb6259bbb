# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from odoo.addons.logistics_connector_base.models.logistics_shipment import (
    PROGRESS_STATES,
)


class LogisticsShipmentReport(models.Model):
    """One line per shipment: creation outcome, release to acceptance, retries.

    - success rate: 100 for a shipment the carrier accepted (label), 0 for one
      whose dispatch failed (exception or rerouted away), empty while it is
      still on its way (averages ignore it);
    - release to acceptance: minutes from Send to carrier (queued) to label;
    - retry success: of the shipments that needed more than one attempt, the
      share that got a label.
    """

    _name = "logistics.shipment.report"
    _inherit = ["logistics.report.mixin"]
    _description = "Shipment Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "shipment_id"
    _percentile_fields = {
        "release_p50": ("release_minutes", 0.5),
        "release_p95": ("release_minutes", 0.95),
    }

    shipment_id = fields.Many2one("logistics.shipment", readonly=True)
    date = fields.Datetime(string="Released On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    carrier_id = fields.Many2one(
        "delivery.carrier", string="Shipping Method", readonly=True
    )
    account_id = fields.Many2one(
        "logistics.carrier.account", string="Carrier Account", readonly=True
    )
    carrier_code = fields.Char(string="Carrier", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    sales_team_id = fields.Many2one("crm.team", string="Sales Channel", readonly=True)
    state = fields.Selection(PROGRESS_STATES, readonly=True)
    health = fields.Selection(
        [("ok", "OK"), ("warning", "Warning"), ("exception", "Exception")],
        readonly=True,
    )
    is_created = fields.Boolean(string="Accepted by Carrier", readonly=True)
    is_failed = fields.Boolean(string="Creation Failed", readonly=True)
    success_rate = fields.Float(
        string="Creation Success (%)", group_operator="avg", readonly=True
    )
    release_minutes = fields.Float(
        string="Release to Acceptance (min, avg)", group_operator="avg", readonly=True
    )
    release_p50 = fields.Float(
        string="Release to Acceptance (min, median)", group_operator="avg",
        readonly=True,
    )  # fmt: skip
    release_p95 = fields.Float(
        string="Release to Acceptance (min, p95)", group_operator="avg", readonly=True
    )
    dispatch_attempts = fields.Integer(
        string="Failed Attempts", group_operator="sum", readonly=True
    )
    is_retried = fields.Boolean(string="Retried", readonly=True)
    retry_success_rate = fields.Float(
        string="Retry Success (%)", group_operator="avg", readonly=True
    )
    nbr = fields.Integer(string="Shipments", group_operator="sum", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT s.id, s.id AS shipment_id,
                       COALESCE(s.queued_at, s.create_date) AS date,
                       s.company_id, s.carrier_id, s.account_id, s.carrier_code,
                       pt.warehouse_id, so.team_id AS sales_team_id,
                       s.state, s.health,
                       s.label_at IS NOT NULL AS is_created,
                       s.label_at IS NULL
                           AND (s.health = 'exception' OR s.rerouted_to_id IS NOT NULL)
                           AS is_failed,
                       CASE WHEN s.label_at IS NOT NULL THEN 100.0
                            WHEN s.health = 'exception'
                              OR s.rerouted_to_id IS NOT NULL THEN 0.0
                       END AS success_rate,
                       EXTRACT(EPOCH FROM s.label_at - s.queued_at) / 60.0
                           AS release_minutes,
                       EXTRACT(EPOCH FROM s.label_at - s.queued_at) / 60.0
                           AS release_p50,
                       EXTRACT(EPOCH FROM s.label_at - s.queued_at) / 60.0
                           AS release_p95,
                       s.dispatch_attempts,
                       s.dispatch_attempts > 0 AS is_retried,
                       CASE WHEN s.dispatch_attempts > 0 THEN
                           CASE WHEN s.label_at IS NOT NULL THEN 100.0 ELSE 0.0 END
                       END AS retry_success_rate,
                       1 AS nbr
                  FROM logistics_shipment s
                  JOIN stock_picking p ON p.id = s.picking_id
                  LEFT JOIN stock_picking_type pt ON pt.id = p.picking_type_id
                  LEFT JOIN sale_order so ON so.id = p.sale_id
            )
            """
        )
