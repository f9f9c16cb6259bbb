# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Reconciliation",
    "summary": "Carrier freight invoices imported, matched to shipments, "
    "discrepancies worked and vendor bills created",
    "version": "17.0.1.1.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["logistics_connector_base", "account"],
    "data": [
        "security/logistics_reconciliation_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/logistics_freight_import_profile_data.xml",
        "views/logistics_freight_invoice_views.xml",
        "views/logistics_freight_invoice_line_views.xml",
        "views/logistics_freight_dispute_views.xml",
        "views/logistics_freight_import_profile_views.xml",
        "views/logistics_carrier_account_views.xml",
        "views/stock_warehouse_views.xml",
        "report/logistics_freight_cost_report_views.xml",
        "wizards/logistics_freight_import_wizard_views.xml",
        "wizards/logistics_freight_reconcile_wizard_views.xml",
        "views/logistics_reconciliation_menus.xml",
    ],
    "demo": ["demo/logistics_reconciliation_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "logistics_reconciliation/static/tests/tours/*.js",
        ],
    },
}
