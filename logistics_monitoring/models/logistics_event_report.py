# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from odoo.addons.logistics_connector_base.models.logistics_shipment_event import (
    EVENT_CODES,
)


class LogisticsEventReport(models.Model):
    """One line per tracking event: latency from the carrier's event time to
    its arrival in Odoo (minutes), average, median and p95."""

    _name = "logistics.event.report"
    _inherit = ["logistics.report.mixin"]
    _description = "Tracking Event Latency Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "code"
    _percentile_fields = {
        "latency_p50": ("latency_minutes", 0.5),
        "latency_p95": ("latency_minutes", 0.95),
    }

    event_id = fields.Many2one("logistics.shipment.event", readonly=True)
    shipment_id = fields.Many2one("logistics.shipment", readonly=True)
    date = fields.Datetime(string="Received On", readonly=True)
    occurred_at = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    account_id = fields.Many2one(
        "logistics.carrier.account", string="Carrier Account", readonly=True
    )
    carrier_id = fields.Many2one(
        "delivery.carrier", string="Shipping Method", readonly=True
    )
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    sales_team_id = fields.Many2one("crm.team", string="Sales Channel", readonly=True)
    code = fields.Selection(EVENT_CODES, readonly=True)
    source = fields.Selection(
        [
            ("webhook", "Webhook"),
            ("poll", "Poll"),
            ("api", "API"),
            ("manual", "Manual"),
        ],
        readonly=True,
    )
    latency_minutes = fields.Float(
        string="Latency (min, avg)", group_operator="avg", readonly=True
    )
    latency_p50 = fields.Float(
        string="Latency (min, median)", group_operator="avg", readonly=True
    )
    latency_p95 = fields.Float(
        string="Latency (min, p95)", group_operator="avg", readonly=True
    )
    nbr = fields.Integer(string="Events", group_operator="sum", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT e.id, e.id AS event_id, e.shipment_id,
                       e.create_date AS date, e.occurred_at,
                       e.company_id, e.account_id, s.carrier_id,
                       pt.warehouse_id, so.team_id AS sales_team_id,
                       e.code, e.source,
                       EXTRACT(EPOCH FROM e.create_date - e.occurred_at) / 60.0
                           AS latency_minutes,
                       EXTRACT(EPOCH FROM e.create_date - e.occurred_at) / 60.0
                           AS latency_p50,
                       EXTRACT(EPOCH FROM e.create_date - e.occurred_at) / 60.0
                           AS latency_p95,
                       1 AS nbr
                  FROM logistics_shipment_event e
                  LEFT JOIN logistics_shipment s ON s.id = e.shipment_id
                  LEFT JOIN stock_picking p ON p.id = s.picking_id
                  LEFT JOIN stock_picking_type pt ON pt.id = p.picking_type_id
                  LEFT JOIN sale_order so ON so.id = p.sale_id
            )
            """
        )
