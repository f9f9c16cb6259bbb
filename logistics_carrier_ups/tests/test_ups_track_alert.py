# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Track Alert pushes from the UPS simulator through the suite's webhook."""

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.ups.server import track_alert_payload

from .common import UpsCase

TOKEN = "ups-webhook-token-test"
SECRET = "ups-whsec-0123456789abcdef"


@tagged("post_install", "-at_install")
class TestUpsTrackAlert(UpsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ups_account.sudo().write({"webhook_token": TOKEN, "webhook_secret": SECRET})

    def setUp(self):
        super().setUp()
        self.shipment = self._send(self._ups_picking())
        self.number = self.shipment.tracking_ref
        self.url = f"{self.base_url()}/logistics/webhook/ups/{TOKEN}"

    def _messages(self):
        return self.env["logistics.inbound.message"].search(
            [("account_id", "=", self.ups_account.id)]
        )

    def test_subscribed_pushes_reach_delivered(self):
        adapter = self.ups_account._get_adapter()
        result = adapter.subscribe(
            [self.number], webhook_url=self.url, credential=SECRET
        )
        self.assertEqual(result.valid, [self.number])
        self.env.flush_all()
        with trap_jobs() as trap:
            self.ups_sim.advance(self.number, "picked_up")
            self.ups_sim.advance(self.number, "out_for_delivery")
            self.ups_sim.advance(self.number, "delivered")
            statuses = [p["status"] for p in self.ups_sim.pushes]
            self.assertTrue(all(200 <= s < 300 for s in statuses), statuses)
            self.assertEqual(len(statuses), 3)
            trap.perform_enqueued_jobs()
        self.shipment.invalidate_recordset()
        self.assertEqual(self.shipment.state, "delivered")
        events = self.shipment.event_ids.filtered(lambda e: e.source == "webhook")
        self.assertEqual(
            sorted(events.mapped("code")),
            ["delivered", "out_for_delivery", "picked_up"],
        )
        delivered = events.filtered(lambda e: e.code == "delivered")
        self.assertEqual(delivered.raw_code, "011/D/FS")
        self.assertEqual(set(self._messages().mapped("state")), {"done"})

    def test_wrong_credential_is_refused_and_nothing_stored(self):
        activity = self.ups_sim.advance(self.number, "delivered", push=False)[0]
        payload = track_alert_payload(self.number, activity)
        self.env.flush_all()
        status, _text = self.ups_sim.push_track_alert(self.url, "guess", payload)
        self.assertEqual(status, 401)
        self.assertFalse(self._messages())
        self.assertEqual(self.shipment.state, "label_created")

    def test_v2_push_twice_is_applied_once(self):
        activity = self.ups_sim.advance(self.number, "out_for_delivery", push=False)[0]
        payload = track_alert_payload(self.number, activity)
        # Track Alert v2: a bearer token from the account's token URL
        self.ups_sim.configure(
            webhook_url=self.url,
            webhook_secret=SECRET,
            webhook_client_id=self.ups_account.sudo().ups_oauth_client_id,
        )
        self.env.flush_all()
        with trap_jobs() as trap:
            token = self.ups_sim.push_token()
            for _attempt in range(2):
                status, text = self.ups_sim.push_track_alert(
                    self.url, token, payload, style="v2"
                )
                self.assertLess(status, 300, text)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self._messages()), 1)
        self.shipment.invalidate_recordset()
        self.assertEqual(self.shipment.state, "out_for_delivery")
        self.assertEqual(
            self.shipment.event_ids.mapped("code").count("out_for_delivery"), 1
        )

    def test_label_subscription_carries_pushes_to_delivered(self):
        """Track Alert on the account: the label subscribes the package with
        the account's webhook URL; UPS's pushes then move the shipment."""
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", self.base_url()
        )
        self.ups_account.sudo().ups_track_alert = "v1"
        self.ups_account.invalidate_recordset(["webhook_url"])
        self.assertEqual(self.ups_account.webhook_url, self.url)
        shipment = self._send(self._ups_picking())
        number = shipment.tracking_ref
        self.assertEqual(shipment.package_ids.ups_alert_state, "subscribed")
        self.assertEqual(self.ups_sim.subscriptions[number]["url"], self.url)
        self.env.flush_all()
        with trap_jobs() as trap:
            self.ups_sim.advance(number, "picked_up")
            self.ups_sim.advance(number, "delivered")
            statuses = [p["status"] for p in self.ups_sim.pushes]
            self.assertEqual(len(statuses), 2)
            self.assertTrue(all(200 <= s < 300 for s in statuses), statuses)
            trap.perform_enqueued_jobs()
        shipment.invalidate_recordset()
        self.assertEqual(shipment.state, "delivered")
        self.assertEqual(
            set(
                shipment.event_ids.filtered(lambda e: e.source == "webhook").mapped(
                    "code"
                )
            ),
            {"picked_up", "delivered"},
        )
