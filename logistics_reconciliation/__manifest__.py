# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Reconciliation",
    "summary": "Carrier freight invoices matched to the shipments they bill",
    "version": "17.0.1.0.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["logistics_connector_base"],
    "data": [
        "security/logistics_reconciliation_security.xml",
        "security/ir.model.access.csv",
        "views/logistics_freight_invoice_views.xml",
        "views/logistics_freight_invoice_line_views.xml",
        "views/logistics_reconciliation_menus.xml",
    ],
}
