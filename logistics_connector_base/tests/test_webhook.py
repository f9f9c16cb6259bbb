# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook controller through the real Odoo HTTP server."""

import json
import threading
import time

import requests

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.generic.server import sign_webhook, webhook_body

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestWebhook(LogisticsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.sudo().webhook_token = "tok-test-123"

    def setUp(self):
        super().setUp()
        self.shipment = self._send(self._make_picking())
        self.number = self.shipment.tracking_ref.split(",")[0]
        self.url = f"/logistics/webhook/sim/{self.account.sudo().webhook_token}"

    def _post(self, body, signature=None, secret="whsec-test", headers=None, url=None):
        hdrs = {"Content-Type": "application/json"}
        if signature is None and secret:
            signature = sign_webhook(secret, body)
        if signature:
            hdrs["X-Sim-Signature"] = signature
        hdrs.update(headers or {})
        return self.url_open(url or self.url, data=body, headers=hdrs, timeout=20)

    def _messages(self):
        return self.env["logistics.inbound.message"].search(
            [("account_id", "=", self.account.id)]
        )

    def _body(self, status="in_transit", message_id=None, **event):
        return webhook_body(
            [dict({"tracking_number": self.number, "status": status}, **event)],
            message_id=message_id,
        )

    def test_valid_webhook_is_stored_and_applied_by_the_drain_job(self):
        with trap_jobs() as trap:
            response = self._post(self._body("in_transit", message_id="m-1"))
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(response.json()["status"], "accepted")
            message = self._messages()
            self.assertEqual(message.state, "pending")
            self.assertEqual(message.message_key, "m-1")
            trap.assert_jobs_count(1)
            self.assertEqual(trap.enqueued_jobs[0].channel, "root.logistics.inbound")
            trap.perform_enqueued_jobs()
        message.invalidate_recordset()
        self.shipment.invalidate_recordset()
        self.assertEqual(message.state, "done")
        self.assertEqual(message.event_count, 1)
        self.assertEqual(self.shipment.state, "in_transit")
        event = self.shipment.event_ids.filtered(lambda e: e.code == "in_transit")
        self.assertEqual(event.source, "webhook")
        self.assertEqual(event.tracking_number, self.number)

    def test_duplicate_five_times_changes_nothing(self):
        body = self._body("in_transit", message_id="dup-1")
        with trap_jobs() as trap:
            answers = [self._post(body) for _i in range(5)]
            self.assertEqual([a.status_code for a in answers], [200] * 5)
            self.assertEqual(
                [a.json()["status"] for a in answers], ["accepted"] + ["duplicate"] * 4
            )
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self._messages()), 1)
        self.assertEqual(
            len(self.shipment.event_ids.filtered(lambda e: e.code == "in_transit")), 1
        )

    def test_one_pending_job_drains_many_messages(self):
        with trap_jobs() as trap:
            for index in range(5):
                response = self._post(
                    self._body(
                        "in_transit", message_id=f"b-{index}", event_id=f"e-{index}"
                    )
                )
                self.assertEqual(response.json()["status"], "accepted")
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(set(self._messages().mapped("state")), {"done"})

    def test_repeated_deliveries_store_one_message(self):
        """Four deliveries of one message: one accepted, three duplicates.

        Not a concurrency test: in test mode Odoo serialises the requests on
        the one test cursor. Deliveries that really collide are proven with
        real transactions (test_ledger_concurrency.py, TestInboxConcurrency)
        and on a running server (tests/server/test_webhooks_concurrency.py).
        """
        body = self._body("in_transit", message_id="race-1")
        headers = {
            "Content-Type": "application/json",
            "X-Sim-Signature": sign_webhook("whsec-test", body),
        }
        url = self.base_url() + self.url
        self.env.flush_all()
        results = []

        def post():  # plain HTTP clients: url_open would touch the test cursor
            answer = requests.post(url, data=body, headers=headers, timeout=30)
            results.append((answer.status_code, answer.json()["status"]))

        with trap_jobs():
            threads = [threading.Thread(target=post) for _i in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertEqual(
            sorted(results), [(200, "accepted")] + [(200, "duplicate")] * 3
        )
        self.assertEqual(len(self._messages()), 1)

    def test_bad_signature_is_refused_and_nothing_stored(self):
        response = self._post(self._body(), secret="wrong-secret")
        self.assertEqual(response.status_code, 401)
        response = self._post(self._body(), signature="garbage")
        self.assertEqual(response.status_code, 401)
        response = self._post(self._body(), secret=None)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self._messages())

    def test_stale_timestamp_is_refused(self):
        body = self._body()
        stale = sign_webhook("whsec-test", body, timestamp=int(time.time()) - 3600)
        response = self._post(body, signature=stale)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self._messages())

    def test_rotated_secret_accepts_previous_and_new(self):
        self.account.sudo().action_rotate_webhook_secret()
        new_secret = self.account.sudo().webhook_secret
        with trap_jobs():
            old = self._post(self._body(message_id="r-1"), secret="whsec-test")
            new = self._post(self._body(message_id="r-2"), secret=new_secret)
        self.assertEqual((old.status_code, new.status_code), (200, 200))
        # a second rotation would retire the secret the carrier may still use
        with self.assertRaisesRegex(UserError, "previous webhook secret"):
            self.account.sudo().action_rotate_webhook_secret()
        with trap_jobs():
            still = self._post(self._body(message_id="r-3"), secret="whsec-test")
        self.assertEqual(still.status_code, 200)
        self.account.sudo().action_clear_previous_webhook_secret()
        refused = self._post(self._body(message_id="r-4"), secret="whsec-test")
        self.assertEqual(refused.status_code, 401)
        self.account.sudo().action_rotate_webhook_secret()  # now allowed
        self.assertEqual(self.account.sudo().webhook_secret_previous, new_secret)

    def test_unknown_token_is_404_and_nothing_stored(self):
        response = self._post(self._body(), url="/logistics/webhook/sim/nope")
        self.assertEqual(response.status_code, 404)
        response = self._post(
            self._body(),
            url=f"/logistics/webhook/ups/{self.account.sudo().webhook_token}",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._messages())

    def test_empty_body_is_400(self):
        # (url_open turns an empty body into a GET: send blanks, which are empty)
        response = self._post(b"  ", signature=sign_webhook("whsec-test", b"  "))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "empty_body")
        self.assertFalse(self._messages())

    def test_non_json_is_400(self):
        response = self._post(b"<xml>not json</xml>")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "malformed_json")
        self.assertFalse(self._messages())

    def test_wrong_shape_is_kept_failed_counted_and_reprocessable(self):
        body = json.dumps({"message_id": "shape-1", "evts": []}).encode()
        with trap_jobs() as trap:
            response = self._post(body)
            self.assertEqual(response.json()["status"], "accepted")
            trap.perform_enqueued_jobs()
        message = self._messages()
        self.assertEqual((message.state, message.error_kind), ("failed", "schema"))
        self.assertIn("events", message.error)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.inbound_failed_count, 1)
        # the carrier's new shape gets supported (here: the body is fixed up) and
        # the kept message is reprocessed: nothing was lost
        message.body = self._body("out_for_delivery").decode()
        message.with_user(self.supervisor).action_reprocess()
        self.assertEqual(message.state, "done")
        self.assertEqual(self.shipment.state, "out_for_delivery")

    def test_oversized_body_is_413(self):
        self.env["ir.config_parameter"].set_param("logistics.webhook_max_bytes", "200")
        body = webhook_body(
            [
                {
                    "tracking_number": self.number,
                    "status": "info",
                    "description": "x" * 500,
                }
            ]
        )
        response = self._post(body)
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self._messages())

    def test_inbox_keeps_no_signature_or_credentials(self):
        with trap_jobs():
            self._post(
                self._body(message_id="h-1"), headers={"Authorization": "Bearer s3cr3t"}
            )
        headers = self._messages().headers
        self.assertNotIn("s3cr3t", headers)
        self.assertNotIn("v1=", headers)
