# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Track Alert v2: the suite's OAuth 2 token endpoint and bearer pushes.

UPSTrackAlert.yaml declares the pushes' security as ``clientOauth2``
(client credentials, client_secret_basic, a token URL of the receiver).
The simulator obtains its token from the real controller, as UPS would.
"""

import base64
import json
import time

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_carriers.ups import issue_push_token
from logistics_simulators.ups.server import track_alert_payload

from .common import UpsCase

TOKEN = "ups-oauth-token-test"
SECRET = "ups-whsec-oauth-0123456789abcdef"


@tagged("post_install", "-at_install")
class TestUpsOAuth(UpsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ups_account.sudo().write(
            {
                "webhook_token": TOKEN,
                "webhook_secret": SECRET,
                "ups_track_alert": "v2",
            }
        )
        cls.client_id = cls.ups_account.sudo().ups_oauth_client_id

    def setUp(self):
        super().setUp()
        self.token_url = f"{self.base_url()}/logistics/oauth/ups/{TOKEN}/token"
        self.hook_url = f"{self.base_url()}/logistics/webhook/ups/{TOKEN}"

    def _token(self, client_id=None, secret=SECRET, grant="client_credentials"):
        basic = base64.b64encode(
            f"{client_id or self.client_id}:{secret}".encode()
        ).decode()
        return self.url_open(
            self.token_url,
            data={"grant_type": grant},
            headers={"Authorization": f"Basic {basic}"},
        )

    def test_client_id_and_token_url_shown_to_administrators(self):
        account = self.ups_account.with_user(self.admin)
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", self.base_url()
        )
        account.invalidate_recordset()
        self.assertTrue(account.ups_oauth_client_id.startswith("ups-"))
        self.assertEqual(account.ups_oauth_token_url, self.token_url)
        other = self._make_account("UPS 2", carrier_code="ups", account_number="Z9Y8X7")
        self.assertNotEqual(other.sudo().ups_oauth_client_id, self.client_id)
        # accounts older than the field got one shared default: init() parts them
        self.env.cr.execute(
            "UPDATE logistics_carrier_account SET ups_oauth_client_id = 'ups-same' "
            "WHERE id IN %s",
            (tuple((other | self.account).ids),),
        )
        self.env["logistics.carrier.account"].init()
        (other | self.account).invalidate_recordset()
        ids = (other | self.account).sudo().mapped("ups_oauth_client_id")
        self.assertEqual(len(set(ids)), 2)
        self.assertNotIn("ups-same", ids)

    def test_token_endpoint_issues_short_lived_tokens(self):
        response = self._token()
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(data["token_type"], "Bearer")
        self.assertLessEqual(data["expires_in"], 3600)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertNotIn(SECRET, response.text)

    def test_token_endpoint_refusals(self):
        self.assertEqual(self._token(secret="guess").status_code, 401)
        self.assertEqual(self._token(client_id="ups-someone").status_code, 401)
        refused = self._token(grant="password")
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["error"], "unsupported_grant_type")
        no_basic = self.url_open(
            self.token_url, data={"grant_type": "client_credentials"}
        )
        self.assertEqual(no_basic.status_code, 401)
        self.assertEqual(no_basic.json()["error"], "invalid_client")
        unknown = self.url_open(
            f"{self.base_url()}/logistics/oauth/ups/nope/token",
            data={"grant_type": "client_credentials"},
        )
        self.assertEqual(unknown.status_code, 404)

    def _push(self, token, api_key=None):
        shipment = self._send(self._ups_picking())
        activity = self.ups_sim.advance(
            shipment.tracking_ref, "out_for_delivery", push=False
        )[0]
        payload = track_alert_payload(shipment.tracking_ref, activity)
        self.env.flush_all()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(
            {
                "x-api-key": api_key or self.client_id,
                "User-Agent": "UPSPubSubTrackingService",
                "Content-Type": "application/json",
            }
        )
        return shipment, self.url_open(
            self.hook_url, data=json.dumps(payload), headers=headers
        )

    def test_simulator_pushes_with_a_token_from_the_endpoint(self):
        shipment = self._send(self._ups_picking())
        self.ups_sim.configure(
            webhook_url=self.hook_url,
            webhook_secret=SECRET,
            webhook_client_id=self.client_id,
            account_subscription=True,
        )
        self.env.flush_all()
        with trap_jobs() as trap:
            self.ups_sim.advance(shipment.tracking_ref, "picked_up")
            self.ups_sim.advance(shipment.tracking_ref, "delivered")
            statuses = [p["status"] for p in self.ups_sim.pushes]
            self.assertEqual(statuses, [200, 200], self.ups_sim.pushes)
            trap.perform_enqueued_jobs()
        shipment.invalidate_recordset()
        self.assertEqual(shipment.state, "delivered")

    def test_static_bearer_and_foreign_tokens_are_refused(self):
        _shipment, static = self._push(SECRET)
        self.assertEqual(static.status_code, 401)
        _shipment, foreign = self._push(issue_push_token(self.client_id, "x" * 32)[0])
        self.assertEqual(foreign.status_code, 401)
        expired = issue_push_token(self.client_id, SECRET, now=time.time() - 7200)
        _shipment, late = self._push(expired[0])
        self.assertEqual(late.status_code, 401)
        good = self._token().json()["access_token"]
        _shipment, wrong_key = self._push(good, api_key="ups-someone")
        self.assertEqual(wrong_key.status_code, 401)
        _shipment, accepted = self._push(good)
        self.assertEqual(accepted.status_code, 200, accepted.text)

    def test_rotation_keeps_the_previous_secret_until_it_is_cleared(self):
        before = self._token().json()["access_token"]
        self.ups_account.with_user(self.admin).action_rotate_webhook_secret()
        self.env.flush_all()
        _shipment, still = self._push(before)
        self.assertEqual(still.status_code, 200, still.text)
        new_secret = self.ups_account.sudo().webhook_secret
        self.assertEqual(self._token(secret=new_secret).status_code, 200)
        self.assertEqual(self._token(secret=SECRET).status_code, 200)  # previous
        # UPS uses the new secret: the administrator clears the previous one
        # (a second rotation is refused while it is still accepted)
        self.ups_account.with_user(self.admin).action_clear_previous_webhook_secret()
        self.env.flush_all()
        self.assertEqual(self._token(secret=SECRET).status_code, 401)
        _shipment, gone = self._push(before)
        self.assertEqual(gone.status_code, 401)
