# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from .logistics_freight_expense_account import CHARGE_TYPES
from .logistics_freight_invoice_line import CLASSIFICATIONS, REVIEW_STATES


class LogisticsFreightCostReport(models.Model):
    """Carrier cost per shipment, warehouse and month; discrepancies, recoveries."""

    _name = "logistics.freight.cost.report"
    _description = "Freight Cost Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "invoice_id"

    date = fields.Date(string="Invoice Date", readonly=True)
    invoice_id = fields.Many2one(
        "logistics.freight.invoice", string="Freight Invoice", readonly=True
    )
    account_id = fields.Many2one(
        "logistics.carrier.account", string="Carrier Account", readonly=True
    )
    partner_id = fields.Many2one("res.partner", string="Carrier", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    shipment_id = fields.Many2one("logistics.shipment", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    charge_type = fields.Selection(CHARGE_TYPES, readonly=True)
    classification = fields.Selection(CLASSIFICATIONS, readonly=True)
    review_state = fields.Selection(REVIEW_STATES, readonly=True)
    line_count = fields.Integer(string="Lines", readonly=True)
    amount = fields.Monetary(string="Billed", readonly=True)
    paid_amount = fields.Monetary(
        string="Billed to Pay",
        readonly=True,
        help="Approved or written-off charges (what the vendor bills pay).",
    )
    discrepancy_count = fields.Integer(string="Discrepancies", readonly=True)
    discrepancy_amount = fields.Monetary(string="Amount in Discrepancy", readonly=True)
    discrepancy_rate = fields.Float(
        string="Discrepancy Rate (%)",
        readonly=True,
        group_operator="avg",
        help="Share of lines with a discrepancy (average of 0/100 per line).",
    )
    written_off_amount = fields.Monetary(readonly=True)
    recovered_amount = fields.Monetary(
        readonly=True, help="Charges the carrier credited after a dispute."
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT l.id,
                       i.invoice_date AS date,
                       i.id AS invoice_id,
                       i.account_id,
                       i.partner_id,
                       i.company_id,
                       i.currency_id,
                       l.shipment_id,
                       pt.warehouse_id,
                       l.charge_type,
                       l.classification,
                       l.review_state,
                       1 AS line_count,
                       l.amount,
                       CASE WHEN l.review_state IN ('approved', 'written_off')
                            THEN l.amount ELSE 0 END AS paid_amount,
                       CASE WHEN l.classification NOT IN ('pending', 'matched')
                            THEN 1 ELSE 0 END AS discrepancy_count,
                       CASE WHEN l.classification NOT IN ('pending', 'matched')
                            THEN l.amount ELSE 0 END AS discrepancy_amount,
                       CASE WHEN l.classification NOT IN ('pending', 'matched')
                            THEN 100.0 ELSE 0.0 END AS discrepancy_rate,
                       CASE WHEN l.review_state = 'written_off'
                            THEN l.amount ELSE 0 END AS written_off_amount,
                       CASE WHEN l.review_state = 'refused'
                            THEN l.amount ELSE 0 END AS recovered_amount
                  FROM logistics_freight_invoice_line l
                  JOIN logistics_freight_invoice i ON i.id = l.invoice_id
                  LEFT JOIN logistics_shipment s ON s.id = l.shipment_id
                  LEFT JOIN stock_picking p ON p.id = s.picking_id
                  LEFT JOIN stock_picking_type pt ON pt.id = p.picking_type_id
            )
            """
        )
