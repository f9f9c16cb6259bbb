# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Suite-level smoke tests (pytest-odoo, on the database ./setup/test.sh prepared).

They prove the tool chain itself: the umbrella addon ``logistics_suite`` (the
repository root, put on the addons path through a symlink) installs the five
addons, queue_job is loaded server-wide, and Odoo's HTTP stack answers.
"""

from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import config

SUITE_ADDONS = (
    "logistics_connector_base",
    "logistics_carrier_dhl",
    "logistics_carrier_ups",
    "logistics_monitoring",
    "logistics_reconciliation",
)


@tagged("post_install", "-at_install")
class TestSuiteInstalled(TransactionCase):
    def test_umbrella_and_addons_installed(self):
        names = (*SUITE_ADDONS, "logistics_suite", "queue_job")
        modules = self.env["ir.module.module"].search([("name", "in", names)])
        self.assertEqual(
            {m.name: m.state for m in modules}, dict.fromkeys(names, "installed")
        )

    def test_umbrella_depends_on_the_five_addons(self):
        umbrella = self.env["ir.module.module"].search(
            [("name", "=", "logistics_suite")]
        )
        self.assertEqual(
            set(umbrella.dependencies_id.mapped("name")), set(SUITE_ADDONS)
        )
        self.assertFalse(umbrella.application)

    def test_queue_job_loaded_server_wide(self):
        self.assertIn("queue_job", config["server_wide_modules"])


@tagged("post_install", "-at_install")
class TestSuiteHttp(HttpCase):
    def test_login_page_answers(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)


DEMO_PICKINGS = {
    # xml id of the umbrella's demo delivery order: delivery_type of its method
    "sim_munich": "logistics_sim",
    "sim_amsterdam": "logistics_sim",
    "sim_vienna": "logistics_sim",
    "sim_milan": "logistics_sim",
    "ups_chicago": "logistics_ups",
    "ups_atlanta": "logistics_ups",
    "dhl_hamburg": "logistics_dhl",
    "dhl_cologne": "logistics_dhl",
}


@tagged("post_install", "-at_install")
class TestSuiteDemo(TransactionCase):
    """The demo a newcomer meets: delivery orders ready for every carrier."""

    def test_demo_delivery_orders_pass_preflight_for_each_carrier(self):
        if not self.env.ref("logistics_suite.demo_picking_sim_munich", False):
            self.fail("no demo data in the test database (./setup/test.sh has it)")
        for xmlid, delivery_type in DEMO_PICKINGS.items():
            picking = self.env.ref(f"logistics_suite.demo_picking_{xmlid}")
            # (no subTest: pytest would not report its failures)
            self.assertEqual(picking.carrier_id.delivery_type, delivery_type, xmlid)
            self.assertTrue(picking.is_logistics, xmlid)
            self.assertIn(picking.state, ("confirmed", "assigned"), xmlid)
            self.assertGreater(picking.shipping_weight or picking.weight, 0, xmlid)
            # raises a UserError listing every problem otherwise
            phones = picking._logistics_preflight()
            self.assertTrue(phones["recipient_phone"].startswith("+"), xmlid)

    def test_demo_customers_live_in_several_countries(self):
        partners = (
            self.env["stock.picking"]
            .browse(
                self.env.ref(f"logistics_suite.demo_picking_{xmlid}").id
                for xmlid in DEMO_PICKINGS
            )
            .partner_id
        )
        self.assertGreaterEqual(len(partners.country_id), 5)
