# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import hashlib
import hmac
import time

import requests

from odoo import fields, models


class LogisticsBenchRow(models.Model):
    _name = "logistics.bench.row"
    _description = "Benchmark row"

    body = fields.Text()

    def _bench_post(self, url, messages, secret):
        """Baseline queue job: POST ``messages`` ([id, JSON text]) to ``url``.

        The least a job delivering a batch of signed webhooks must do: one
        keep-alive session, the Standard Webhooks headers (HMAC-SHA256) on
        every body, the status checked. No outbox, no bookkeeping.
        """
        session = requests.Session()
        key = secret.encode()
        for message_id, payload in messages:
            body = payload.encode()
            stamp = str(int(time.time()))
            digest = hmac.new(
                key, f"{message_id}.{stamp}.".encode() + body, hashlib.sha256
            ).digest()
            headers = {
                "webhook-id": message_id,
                "webhook-timestamp": stamp,
                "webhook-signature": "v1," + base64.b64encode(digest).decode(),
                "Content-Type": "application/json",
            }
            response = session.post(url, data=body, headers=headers, timeout=10)
            response.raise_for_status()
        return len(messages)
