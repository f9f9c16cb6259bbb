# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Partner (generic) webhooks through the real HTTP controller and inbox."""

import json
import time

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_carriers import generic_signature as sw

from .common import LogisticsCase

SECRET = "whsec_" + "cGFydG5lci1zZWNyZXQtMzItYnl0ZXMtbG9uZy4uLi4="
PREVIOUS = "partner-previous-plain-secret"


@tagged("post_install", "-at_install")
class TestPartnerWebhook(LogisticsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_account = cls.env["logistics.carrier.account"].create(
            {
                "name": "3PL test partner",
                "carrier_code": "generic",
                "webhook_token": "tok-3pl-test",
                "webhook_secret": SECRET,
                "webhook_secret_previous": PREVIOUS,
                "poll_interval": 0,
            }
        )
        cls.url = "/logistics/webhook/generic/tok-3pl-test"

    def setUp(self):
        super().setUp()
        self.shipment = self._send(self._make_picking())
        self.number = self.shipment.tracking_ref.split(",")[0]
        self.seq = 0

    def _post(self, data, msg_id=None, secret=SECRET, stamp=None, raw=None):
        body = raw if raw is not None else json.dumps(data).encode()
        self.seq += 1
        msg_id = msg_id or f"msg_test_{self.seq}_{time.time()}"
        stamp = int(time.time()) if stamp is None else stamp
        hdrs = sw.sign_headers(msg_id, body, secret, stamp)
        hdrs["Content-Type"] = "application/json"
        return self.url_open(self.url, data=body, headers=hdrs, timeout=20)

    def _event(self, event_id, code, **kw):
        return dict(
            {"event_id": event_id, "code": code, "occurred_at": "2026-11-20T08:00:00Z"},
            **kw,
        )

    def _messages(self):
        return self.env["logistics.inbound.message"].search(
            [("account_id", "=", self.partner_account.id)]
        )

    def _events(self, **domain):
        return self.env["logistics.shipment.event"].search(
            [("account_id", "=", self.partner_account.id)]
            + [(k, "=", v) for k, v in domain.items()]
        )

    def test_batch_by_number_reference_picking_and_orphan(self):
        other = self._send(self._make_picking())
        batch = {
            "events": [
                self._event("e1", "picked_up", tracking_number=self.number,
                            location="Hamburg DC", raw_code="PU"),
                self._event("e2", "in_transit", shipment_reference=other.name,
                            occurred_at="2026-11-20T09:00:00Z"),
                self._event("e3", "delivered", shipment_reference=other.picking_id.name,
                            occurred_at="2026-11-21T09:00:00+01:00", signatory="L. H."),
                self._event("e4", "picked_up", tracking_number="UNKNOWN-3PL-1"),
            ]
        }  # fmt: skip
        with trap_jobs() as trap:
            response = self._post(batch, msg_id="msg_batch_1")
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(response.json()["status"], "accepted")
            message = self._messages()
            self.assertEqual(message.message_key, "msg_batch_1")
            self.assertEqual(message.state, "pending")
            trap.assert_jobs_count(1)
            self.assertEqual(trap.enqueued_jobs[0].channel, "root.logistics.inbound")
            # the same message again (a partner retry): nothing new
            again = self._post(batch, msg_id="msg_batch_1")
            self.assertEqual(again.json()["status"], "duplicate")
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        self.assertEqual(message.state, "done")
        self.assertEqual(message.event_count, 4)
        self.assertEqual(self.shipment.state, "picked_up")
        first = self._events(code="picked_up", shipment_id=self.shipment.id)
        self.assertEqual(first.location, "Hamburg DC")
        self.assertEqual(first.source, "webhook")
        self.assertEqual(other.state, "delivered")
        self.assertEqual(other.pod_signatory, "L. H.")
        self.assertEqual(
            len(other.event_ids.filtered(lambda e: e.code == "in_transit")), 1
        )
        orphan = self._events(tracking_number="UNKNOWN-3PL-1")
        self.assertEqual(len(orphan), 1)
        self.assertFalse(orphan.shipment_id)
        # the same events in a new message (new webhook-id): deduplicated by event id
        with trap_jobs() as trap:
            self.assertEqual(self._post(batch).status_code, 200)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self._events()), 4)

    def test_orphan_by_picking_name_joins_its_shipment_when_it_is_sent(self):
        picking = self._make_picking()
        with trap_jobs() as trap:
            response = self._post(
                self._event("early-1", "picked_up", shipment_reference=picking.name)
            )
            self.assertEqual(response.status_code, 200, response.text)
            trap.perform_enqueued_jobs()
        orphan = self._events(tracking_number=picking.name)
        self.assertFalse(orphan.shipment_id)
        shipment = self._send(picking)
        orphan.invalidate_recordset()
        self.assertEqual(orphan.shipment_id, shipment)
        self.assertEqual(shipment.state, "picked_up")

    def test_rotated_secret_accepted_stale_and_forged_refused(self):
        event = self._event("r1", "in_transit", tracking_number=self.number)
        with trap_jobs():
            self.assertEqual(self._post(event, secret=PREVIOUS).status_code, 200)
            stale = self._post(event, stamp=int(time.time()) - 600)
            self.assertEqual(stale.status_code, 401)
            forged = self._post(event, secret="whsec_" + "Zm9yZ2Vk" * 5)
            self.assertEqual(forged.status_code, 401)
            self.assertEqual(forged.json(), {"error": "unauthorized"})
        self.assertEqual(len(self._messages()), 1)

    def test_bad_payloads_get_a_400_with_the_reason_and_store_nothing(self):
        with trap_jobs() as trap:
            bad_code = self._post(
                self._event("b1", "teleported", tracking_number=self.number)
            )
            self.assertEqual(bad_code.status_code, 400)
            self.assertEqual(bad_code.json()["error"], "invalid_payload")
            self.assertIn("teleported", bad_code.json()["reason"])
            no_ref = self._post({"events": [self._event("b2", "delivered")]})
            self.assertEqual(no_ref.status_code, 400)
            self.assertIn("events[0]", no_ref.json()["reason"])
            not_json = self._post(None, raw=b"<xml/>")
            self.assertEqual(not_json.status_code, 400)
            self.assertEqual(not_json.json()["error"], "malformed_json")
            trap.assert_jobs_count(0)
        self.assertFalse(self._messages())
        self.assertEqual(self.shipment.state, "label_created")

    def test_unknown_token_and_oversize(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "logistics.webhook_max_bytes", 2000
        )
        big = {"events": [self._event(f"x{i}", "info", tracking_number="T")
                          for i in range(40)]}  # fmt: skip
        self.assertEqual(self._post(big).status_code, 413)
        body = b"{}"
        hdrs = sw.sign_headers("m", body, SECRET)
        response = self.url_open(
            "/logistics/webhook/generic/no-such-token", data=body, headers=hdrs
        )
        self.assertEqual(response.status_code, 404)
