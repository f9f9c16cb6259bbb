# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Carrier: DHL",
    "summary": "DHL Parcel DE shipping (labels, cancel) and Unified tracking for "
    "the logistics suite, with a DHL contract simulator",
    "version": "17.0.1.2.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["logistics_connector_base"],
    "external_dependencies": {"python": ["requests", "logistics-carriers"]},
    "data": [
        "views/logistics_carrier_account_views.xml",
        "views/delivery_carrier_views.xml",
        "views/logistics_shipment_views.xml",
        "data/mail_template_data.xml",
        "data/queue_job_data.xml",
    ],
    "demo": [
        "demo/logistics_carrier_dhl_demo.xml",
    ],
}
