# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Suite",
    "summary": "Installs the whole logistics connector suite: base, DHL, UPS, "
    "monitoring and reconciliation",
    "version": "17.0.1.0.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": [
        "logistics_connector_base",
        "logistics_carrier_dhl",
        "logistics_carrier_ups",
        "logistics_monitoring",
        "logistics_reconciliation",
    ],
    "data": [],
    "demo": [
        "demo/logistics_suite_demo.xml",
    ],
}
