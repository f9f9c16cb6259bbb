# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestIntegrationLog(LogisticsCase):
    def _all_log_text(self, logs):
        return "\n".join(
            " ".join(
                str(v or "")
                for v in (
                    log.url,
                    log.request_headers,
                    log.request_body,
                    log.response_headers,
                    log.response_body,
                    log.error,
                )
            )
            for log in logs
        )

    def test_every_call_logged_without_personal_data_or_secrets(self):
        shipment = self._send(self._make_picking())
        logs = shipment.log_ids | self.env["logistics.integration.log"].search(
            [("account_id", "=", self.account.id)]
        )
        self.assertEqual(
            set(logs.mapped("operation")) >= {"token", "create_shipment"}, True
        )
        create = logs.filtered(lambda log: log.operation == "create_shipment")
        self.assertEqual(create.status_code, 201)
        self.assertEqual(create.shipment_id, shipment)
        self.assertTrue(create.correlation_id)
        self.assertGreater(create.latency_ms, 0)
        text = self._all_log_text(logs)
        self.account.invalidate_recordset()
        self.assertTrue(self.account.sudo().access_token)
        for secret in (
            "Lena Hoffmann",
            "Friedrichstraße",
            "lena.hoffmann@example.com",
            "12345678",
            "test-secret-123",
            self.account.sudo().access_token,
        ):
            self.assertNotIn(secret, text)
        self.assertIn("10117", text)  # postal codes stay, they help debugging
        self.assertIn(shipment.carrier_shipment_id, text)

    def test_failed_attempt_is_logged_before_the_retry(self):
        # In test mode a cursor of its own is a savepoint of this transaction:
        # that the row outlives the job's rollback is proven with real
        # transactions (TestDispatchTransactions) and on a running server
        # (tests/server/test_dispatch_dead_letter.py).
        with trap_jobs():
            picking = self._make_picking()
            picking.action_send_to_carrier()
        shipment = picking.logistics_shipment_id
        self.sim.add_fault("create_shipment", 503)
        self._dispatch_retry(shipment)
        errors = self.env["logistics.integration.log"].search(
            [("shipment_id", "=", shipment.id), ("state", "=", "error")]
        )
        self.assertEqual(errors.status_code, 503)

    def test_retention_cron_prunes_old_entries(self):
        log_model = self.env["logistics.integration.log"]
        old = log_model.create({"operation": "old", "account_id": self.account.id})
        new = log_model.create({"operation": "new", "account_id": self.account.id})
        self.env.cr.execute(
            "UPDATE logistics_integration_log SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=31), old.id),
        )
        self.env["ir.config_parameter"].set_param(
            "logistics.integration_log_retention_days", "30"
        )
        log_model._gc_old_logs()
        self.assertFalse(old.exists())
        self.assertTrue(new.exists())
