# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Monitoring",
    "summary": "Exception board for supervisors: stages, priority, owner and age",
    "version": "17.0.1.0.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["logistics_connector_base"],
    "data": [
        "security/ir.model.access.csv",
        "data/logistics_exception_stage_data.xml",
        "views/logistics_exception_stage_views.xml",
        "views/logistics_exception_views.xml",
    ],
    "post_init_hook": "post_init_hook",
}
