# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Carrier: UPS",
    "summary": "UPS REST adapter (Shipping, Void, Rating, Address Validation, "
    "Tracking, Track Alert), UPS contract simulator and shipping provider type",
    "version": "17.0.1.2.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["logistics_connector_base"],
    "external_dependencies": {"python": ["requests", "logistics-carriers"]},
    "data": [
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/queue_job_data.xml",
        "views/logistics_carrier_account_views.xml",
        "views/delivery_carrier_views.xml",
        "views/logistics_shipment_views.xml",
        "views/ups_address_suggestion_views.xml",
    ],
    "demo": [
        "demo/logistics_carrier_ups_demo.xml",
    ],
}
