# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A webhook that arrives while the database is unreachable gets a 503.

When Odoo cannot open its database (PostgreSQL restarting, a fail-over, the
connections exhausted), ``Request._serve_db`` falls back to the routes that
need no database, and a webhook URL is not one: the carrier would get a 404,
which no carrier sends again, and the event would be lost. A carrier resends
on 5xx: this answers ``503`` with ``Retry-After`` instead, for the webhook
URLs only, and only when a database was wanted (a request that names none
still gets Odoo's own answer).
"""

import json
import logging
import time

from odoo import http

_logger = logging.getLogger(__name__)

WEBHOOK_PREFIX = "/logistics/webhook/"
RETRY_AFTER_SECONDS = 30
LOG_EVERY_SECONDS = 10  # one WARNING per worker and period, not one per push
_refused = {"count": 0, "logged_at": 0.0}

_serve_db = http.Request._serve_db
_serve_nodb = http.Request._serve_nodb


def _serve_db_noting_the_database(self):
    self._logistics_db_wanted = self.db
    return _serve_db(self)


def _serve_nodb_or_503(self):
    if getattr(self, "_logistics_db_wanted", None) and (
        self.httprequest.path.startswith(WEBHOOK_PREFIX)
    ):
        _refused["count"] += 1
        now = time.monotonic()
        if now - _refused["logged_at"] >= LOG_EVERY_SECONDS:
            _logger.warning(
                "Database %s unavailable: %s webhook(s) answered 503 (carriers "
                "send them again)",
                self._logistics_db_wanted,
                _refused["count"],
            )
            _refused.update(count=0, logged_at=now)
        return http.Response(
            json.dumps({"error": "database_unavailable"}),
            status=503,
            headers={
                "Content-Type": "application/json",
                "Retry-After": str(RETRY_AFTER_SECONDS),
            },
        )
    return _serve_nodb(self)


http.Request._serve_db = _serve_db_noting_the_database
http.Request._serve_nodb = _serve_nodb_or_503
