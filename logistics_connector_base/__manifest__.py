# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Connector Base",
    "summary": "Reliable carrier integration: shipments, events, idempotency ledger, "
    "asynchronous dispatch and integration log",
    "version": "17.0.1.3.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["stock_delivery", "stock_picking_batch", "mail", "queue_job"],
    "external_dependencies": {
        "python": ["requests", "phonenumbers", "logistics-carriers"]
    },
    "data": [
        "security/logistics_security.xml",
        "security/ir.model.access.csv",
        "security/logistics_routing_rule_security.xml",
        "security/logistics_event_security.xml",
        "data/ir_sequence_data.xml",
        "data/ir_config_parameter_data.xml",
        "data/queue_job_data.xml",
        "data/logistics_event_subscription_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "data/mail_template_return_label_data.xml",
        "views/logistics_carrier_account_views.xml",
        "views/logistics_shipment_views.xml",
        "views/logistics_shipment_event_views.xml",
        "views/logistics_idempotency_record_views.xml",
        "views/logistics_integration_log_views.xml",
        "views/logistics_exception_views.xml",
        "views/logistics_inbound_message_views.xml",
        "views/logistics_event_subscription_views.xml",
        "views/logistics_event_delivery_views.xml",
        "views/delivery_carrier_views.xml",
        "views/stock_picking_views.xml",
        "views/logistics_routing_rule_views.xml",
        "views/sale_order_views.xml",
        "views/logistics_consolidation_actions.xml",
        "views/stock_picking_batch_views.xml",
        "wizards/logistics_rate_shopping_wizard_views.xml",
        "views/res_config_settings_views.xml",
        "views/logistics_menus.xml",
    ],
    "demo": [
        "demo/logistics_demo.xml",
        "demo/logistics_partner_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "logistics_connector_base/static/tests/tours/*.js",
        ],
    },
}
