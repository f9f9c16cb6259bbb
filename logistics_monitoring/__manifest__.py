# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Monitoring",
    "summary": "Exception board, aging rules and alerts, KPI dashboards and "
    "integration health for supervisors",
    "version": "17.0.1.1.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "author": "Logistics Suite Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["logistics_connector_base"],
    "data": [
        "security/ir.model.access.csv",
        "security/logistics_monitoring_security.xml",
        "data/logistics_exception_stage_data.xml",
        "data/mail_template_data.xml",
        "data/logistics_aging_rule_data.xml",
        "data/ir_cron_data.xml",
        "views/logistics_exception_stage_views.xml",
        "views/logistics_exception_views.xml",
        "views/logistics_exception_team_views.xml",
        "views/logistics_aging_rule_views.xml",
        "views/logistics_dashboard_views.xml",
        "views/logistics_overview_views.xml",
        "wizards/logistics_exception_wizard_views.xml",
        "views/logistics_monitoring_menus.xml",
    ],
    "demo": [
        "demo/logistics_monitoring_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "logistics_monitoring/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
}
