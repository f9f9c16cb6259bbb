# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The idempotency ledger.

Semantics after the best-known payment APIs:

* same key, same fingerprint, succeeded -> the stored result, no side effect;
* same key, different fingerprint -> :class:`IdempotencyConflict`;
* same key in flight -> the caller must not run the side effect;
* acquisition is an ``INSERT ... ON CONFLICT DO NOTHING`` on the unique
  (scope, key) index followed by a row lock, never check-then-insert.
"""

import json
import logging
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
)

# Outcomes of an acquisition
ACQUIRED = "acquired"  # the caller owns the key now and runs the side effect
REPLAY = "replay"  # succeeded before with the same fingerprint: stored result
IN_FLIGHT = "in_flight"  # someone else runs it, or ran it and crashed


class IdempotencyConflict(UserError):
    """Same key, different request: never silently overwritten."""


class Acquisition:
    __slots__ = ("status", "record_id", "result", "lease_expired", "attempts")

    def __init__(self, status, record_id, result=None, lease_expired=False, attempts=0):
        self.status = status
        self.record_id = record_id
        self.result = result
        self.lease_expired = lease_expired
        self.attempts = attempts

    def __repr__(self):
        return f"<Acquisition {self.status} #{self.record_id}>"


class LogisticsIdempotencyRecord(models.Model):
    _name = "logistics.idempotency.record"
    _description = "Idempotency Ledger Entry"
    _order = "id desc"
    _rec_name = "key"

    scope = fields.Selection(
        [
            ("outbound_dispatch", "Outbound dispatch"),
            ("outbound_cancel", "Outbound cancellation"),
            ("inbound_message", "Inbound message"),
            ("event_apply", "Event application"),
            ("invoice_line", "Freight invoice line"),
            ("other", "Other"),
        ],
        required=True,
        index=True,
    )
    key = fields.Char(required=True, index=True)
    fingerprint = fields.Char(help="sha256 of the canonical request.")
    state = fields.Selection(
        [("in_flight", "In flight"), ("succeeded", "Succeeded"), ("failed", "Failed")],
        required=True,
        default="in_flight",
        index=True,
    )
    result_ref = fields.Char(string="Result Reference")
    result_data = fields.Text(help="The stored result (JSON) returned to a replay.")
    error = fields.Text()
    attempts = fields.Integer(default=1)
    lease_until = fields.Datetime(
        help="An in-flight entry older than this was left by a crashed worker."
    )
    res_model = fields.Char(string="Resource Model")
    res_id = fields.Many2oneReference(model_field="res_model", string="Resource ID")
    expires_at = fields.Datetime(index=True)

    _sql_constraints = [
        (
            "scope_key_uniq",
            "unique(scope, key)",
            "An idempotency key is unique within its scope.",
        )
    ]

    # ------------------------------------------------------------------
    # Acquisition
    # ------------------------------------------------------------------
    @api.model
    def _default_expiry(self):
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("logistics.idempotency_retention_days", 90)
        )
        return fields.Datetime.now() + timedelta(days=days)

    @api.model
    def _acquire(
        self, scope, key, fingerprint, lease_seconds=300, res_model=None, res_id=None
    ):
        """Acquire ``key`` on the current cursor (see module docstring).

        The caller commits. Returns an :class:`Acquisition`.
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        lease_until = now + timedelta(seconds=lease_seconds)
        cr.execute(
            """
            INSERT INTO logistics_idempotency_record
                (scope, key, fingerprint, state, attempts, lease_until, expires_at,
                 res_model, res_id, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, 'in_flight', 1, %s, %s, %s, %s, %s, %s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (scope, key) DO NOTHING
            RETURNING id
            """,
            (
                scope,
                key,
                fingerprint,
                lease_until,
                self._default_expiry(),
                res_model,
                res_id or None,
                self.env.uid,
                self.env.uid,
            ),
        )
        row = cr.fetchone()
        if row:
            return Acquisition(ACQUIRED, row[0], attempts=1)
        cr.execute(
            """
            SELECT id, fingerprint, state, result_data, lease_until, attempts
              FROM logistics_idempotency_record
             WHERE scope = %s AND key = %s
               FOR UPDATE
            """,
            (scope, key),
        )
        rec_id, stored_fp, state, result_data, stored_lease, attempts = cr.fetchone()
        # A failed entry means the side effect did not happen: a corrected
        # request may take the key over. Anything else must match.
        if state != "failed" and fingerprint and stored_fp and stored_fp != fingerprint:
            raise IdempotencyConflict(
                _(
                    "The idempotency key %(key)s was already used for a different "
                    "request. The shipment changed after it was sent: cancel it at the "
                    "carrier and send it again instead of overwriting it.",
                    key=key,
                )
            )
        if state == "succeeded":
            return Acquisition(
                REPLAY,
                rec_id,
                result=json.loads(result_data) if result_data else {},
                attempts=attempts,
            )
        if state == "in_flight":
            expired = bool(stored_lease and stored_lease <= now)
            return Acquisition(
                IN_FLIGHT, rec_id, lease_expired=expired, attempts=attempts
            )
        # failed before: the side effect is known not to have happened -> retry
        cr.execute(
            """
            UPDATE logistics_idempotency_record
               SET state = 'in_flight', attempts = attempts + 1, lease_until = %s,
                   error = NULL, fingerprint = COALESCE(%s, fingerprint),
                   write_uid = %s, write_date = now() at time zone 'UTC'
             WHERE id = %s
            """,
            (lease_until, fingerprint, self.env.uid, rec_id),
        )
        return Acquisition(ACQUIRED, rec_id, attempts=attempts + 1)

    @api.model
    def _run_on_own_cursor(self, method, *args, **kwargs):
        """Run ``method`` of this model on a cursor of its own and commit it.

        Concurrency errors (two workers on one key) are retried on a fresh
        transaction, whose snapshot then sees the other worker's row.
        """
        last_error = None
        for attempt in range(6):
            try:
                with self.env.registry.cursor() as cr:
                    env = self.env(cr=cr)
                    return getattr(env[self._name], method)(*args, **kwargs)
            except CONCURRENCY_ERRORS as err:
                last_error = err
                time.sleep(0.02 * (2**attempt))
        raise last_error

    # The three methods below commit on a cursor of their own: they are private
    # (no RPC caller can forge a stored result or free a key); the suite calls
    # them after checking its own caller.
    @api.model
    def _acquire_committed(
        self, scope, key, fingerprint, lease_seconds=300, res_model=None, res_id=None
    ):
        """Acquire ``key`` and commit at once, independently of the caller."""
        return self._run_on_own_cursor(
            "_acquire", scope, key, fingerprint, lease_seconds, res_model, res_id
        )

    @api.model
    def _finish(self, record_id, state, result=None, result_ref=None, error=None):
        self.env.cr.execute(
            """
            UPDATE logistics_idempotency_record
               SET state = %s, result_data = %s, result_ref = %s, error = %s,
                   lease_until = NULL, write_uid = %s,
                   write_date = now() at time zone 'UTC'
             WHERE id = %s
            """,
            (
                state,
                json.dumps(result) if result is not None else None,
                result_ref,
                error,
                self.env.uid,
                record_id,
            ),
        )

    @api.model
    def _mark_succeeded(self, record_id, result=None, result_ref=None):
        """Record the side effect's result, committed at once."""
        return self._run_on_own_cursor(
            "_finish", record_id, "succeeded", result=result, result_ref=result_ref
        )

    @api.model
    def _mark_failed(self, record_id, error=None):
        """The side effect is known NOT to have happened: a retry may run it."""
        return self._run_on_own_cursor("_finish", record_id, "failed", error=error)

    # ------------------------------------------------------------------
    # Garbage collection
    # ------------------------------------------------------------------
    @api.model
    def _gc_expired(self, limit=10000):
        """Delete expired entries that are no longer in flight (cron)."""
        self.flush_model()
        self.env.cr.execute(
            """
            DELETE FROM logistics_idempotency_record
             WHERE id IN (
                SELECT id FROM logistics_idempotency_record
                 WHERE expires_at < now() at time zone 'UTC'
                   AND state <> 'in_flight'
                 LIMIT %s)
            """,
            (limit,),
        )
        count = self.env.cr.rowcount
        _logger.info("Idempotency ledger: %s expired entries removed", count)
        return count
