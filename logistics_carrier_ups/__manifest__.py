# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Carrier: UPS",
    "summary": "UPS carrier code and shipping provider type for the logistics suite",
    "version": "17.0.1.0.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["logistics_connector_base"],
}
