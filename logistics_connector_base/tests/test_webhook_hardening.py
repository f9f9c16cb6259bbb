# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 15: webhook bodies bounded while read, deep JSON and odd signatures."""

import time

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.generic.server import sign_webhook

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestWebhookHardening(LogisticsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.sudo().webhook_token = "tok-hardening"

    def setUp(self):
        super().setUp()
        self.url = "/logistics/webhook/sim/tok-hardening"

    def _messages(self):
        return self.env["logistics.inbound.message"].search(
            [("account_id", "=", self.account.id)]
        )

    def test_chunked_body_without_length_is_bounded_while_read(self):
        self.env["ir.config_parameter"].set_param("logistics.webhook_max_bytes", 1000)

        def chunks():
            for _i in range(50):  # 50 KB, no Content-Length
                yield b" " * 1024

        response = self.url_open(
            self.url,
            data=chunks(),
            headers={"Content-Type": "application/json"},
            timeout=20,
        )
        # refused without reading it all: too large, or empty for lack of a length
        self.assertIn(response.status_code, (400, 413), response.text)
        self.assertFalse(self._messages())

    def test_deeply_nested_json_is_400(self):
        for depth in (100, 100000):
            body = ("[" * depth + "]" * depth).encode()
            signature = sign_webhook("whsec-test", body)
            response = self.url_open(
                self.url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Sim-Signature": signature,
                },
                timeout=20,
            )
            with self.subTest(depth=depth):
                self.assertEqual(response.status_code, 400, response.text)
        self.assertFalse(self._messages())

    def test_non_ascii_signature_is_401(self):
        body = b'{"events": []}'
        signature = f"t={int(time.time())},v1=\u00e9\u00e9\u00e9"
        with trap_jobs():
            response = self.url_open(
                self.url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Sim-Signature": signature.encode("utf-8"),
                },
                timeout=20,
            )
        self.assertEqual(response.status_code, 401, response.text)
        self.assertFalse(self._messages())
