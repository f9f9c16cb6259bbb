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
