# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The durable inbox of carrier messages (webhooks, polls).

The webhook controller only inserts here (one row, ON CONFLICT on the
carrier's message id) and makes sure a drain job is pending for the account,
in the request's transaction. Jobs drain many messages of an account at once
and apply their events set-based.
"""

import json
import logging
import time

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from logistics_carriers import CarrierError
from logistics_carriers.tracking import InvalidEvent, check_event, clean_text

from ..caller import check_caller
from ..params import number_param

_logger = logging.getLogger(__name__)

INBOUND_CHANNEL = "root.logistics.inbound"
DRAIN_BATCH = 500
DRAIN_CHUNK = 100
MAX_PAUSE = 0.05


# not a problem of one message: the job's transaction must end (and be retried)
_TRANSACTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


class _MessageError(Exception):
    """Why one message cannot be applied: (error kind, reason)."""

    def __init__(self, kind, reason):
        reason = _error_text(reason)
        super().__init__(reason)
        self.kind, self.reason = kind, reason


def _error_text(error):
    """A reason fit for a text column (no NUL), not too long."""
    return clean_text(str(error) or type(error).__name__)[:2000]


class LogisticsInboundMessage(models.Model):
    _name = "logistics.inbound.message"
    _description = "Inbound Carrier Message"
    _order = "id desc"
    _rec_name = "message_key"

    # indexed by the unique (account_id, message_key) constraint and the
    # partial index of init(): a message pays for as few indexes as possible
    # (every push inserts one, every drain updates it)
    account_id = fields.Many2one(
        "logistics.carrier.account", required=True, ondelete="cascade"
    )
    carrier_code = fields.Selection(related="account_id.carrier_code", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    message_key = fields.Char(
        required=True, help="The carrier's message id, or a hash of the body."
    )
    source = fields.Selection(
        [("webhook", "Webhook"), ("poll", "Poll"), ("api", "API")],
        required=True,
        default="webhook",
    )
    body = fields.Text(help="The raw message as received.")
    headers = fields.Text(help="Request headers, credentials removed (JSON).")
    received_at = fields.Datetime(
        required=True, default=fields.Datetime.now, index=True
    )
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Processed"), ("failed", "Failed")],
        default="pending",
        required=True,
    )
    error_kind = fields.Selection(
        [("schema", "Unexpected shape"), ("parse", "Parse error"), ("apply", "Apply")]
    )
    error = fields.Text()
    attempts = fields.Integer(default=0)
    processed_at = fields.Datetime()
    event_count = fields.Integer(string="Events")

    _sql_constraints = [
        (
            "account_message_uniq",
            "unique(account_id, message_key)",
            "This carrier message was already received.",
        )
    ]

    def init(self):
        # Messages still to act on, per account (the drain job: pending ones,
        # oldest first; health and aging: pending and failed). Processed
        # messages, nearly all of them, are in no index but the primary key,
        # the unique key and received_at (retention).
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS logistics_inbound_message_open_idx
                ON logistics_inbound_message (account_id, id)
             WHERE state IN ('pending', 'failed');
            DROP INDEX IF EXISTS logistics_inbound_message_pending_idx;
            DROP INDEX IF EXISTS logistics_inbound_message__state_index;
            DROP INDEX IF EXISTS logistics_inbound_message__account_id_index;
            """
        )

    # ------------------------------------------------------------------
    # Intake (the controller's transaction)
    # ------------------------------------------------------------------
    @api.model
    def _store(self, account_id, message_key, body, headers, source="webhook"):
        """Insert a message unless it was already received; queue its drain.

        Returns the new id, or None for a duplicate. Race-free: the unique
        index decides, ``ON CONFLICT DO NOTHING`` answers the loser. The
        webhook controller calls it on a READ COMMITTED transaction of its
        own, where none of this can fail with a serialization error.
        """
        cr = self.env.cr
        # PostgreSQL text cannot hold NUL: a key or body with one is cleaned
        # here rather than crash the request (the JSON check already refused
        # a raw NUL; this is the last guard)
        message_key = (message_key or "").replace("\x00", "")
        body = body.replace("\x00", "\ufffd") if body else body
        # the stored related fields (company: the multi-company record rule;
        # carrier) come from the account in the same statement
        cr.execute(
            """
            INSERT INTO logistics_inbound_message
                (account_id, carrier_code, company_id, message_key, body, headers,
                 source, state, received_at, attempts,
                 create_uid, write_uid, create_date, write_date)
            SELECT a.id, a.carrier_code, a.company_id, %s, %s, %s,
                   %s, 'pending', now() at time zone 'UTC', 0,
                   %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM logistics_carrier_account a
             WHERE a.id = %s
            ON CONFLICT (account_id, message_key) DO NOTHING
            RETURNING id
            """,
            (
                message_key,
                body,
                headers,
                source,
                self.env.uid,
                self.env.uid,
                account_id,
            ),
        )
        row = cr.fetchone()
        if not row:
            return None
        self._ensure_drain_job(account_id)
        return row[0]

    @api.model
    def _ensure_drain_job(self, account_id):
        """One pending drain job per account, however many messages arrive."""
        identity = f"logistics-inbox-{account_id}"
        cr = self.env.cr
        # A job that is still waiting is locked until this message is
        # committed: the runner locks it FOR UPDATE before starting it, so it
        # cannot start (and miss the message) in between. Concurrent intakes
        # share this lock without waiting for each other (the usual case:
        # one pending job gathers a burst of webhooks).
        pending_job = (
            "SELECT 1 FROM queue_job WHERE identity_key = %s "
            "AND state IN ('pending', 'enqueued') LIMIT 1 FOR KEY SHARE"
        )
        cr.execute(pending_job, (identity,))
        if cr.fetchone():
            return False
        # None waiting: intakes that would create one do it one at a time
        # (lock released at commit) and look again once they hold the lock,
        # so a burst creates one job, not one per request.
        cr.execute(
            "SELECT pg_advisory_xact_lock(hashtext('logistics-inbox'), %s)",
            (account_id,),
        )
        cr.execute(pending_job, (identity,))
        if cr.fetchone():
            return False
        # A short delay lets messages gather into one batch: under load one
        # job drains many webhooks instead of competing with the HTTP workers
        # for every few messages.
        delay = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("logistics.inbox_batch_delay", 2)
        )
        self.sudo().with_delay(
            channel=INBOUND_CHANNEL,
            identity_key=identity,
            eta=delay or None,
            description=_("Process inbound carrier messages"),
        )._drain(account_id)
        return True

    # ------------------------------------------------------------------
    # Processing (queue job)
    # ------------------------------------------------------------------
    @api.model
    def _drain(self, account_id, limit=DRAIN_BATCH):
        """Queue job: process the account's pending messages in one batch."""
        cr = self.env.cr
        cr.execute(
            """
            SELECT id FROM logistics_inbound_message
             WHERE account_id = %s AND state = 'pending'
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            (account_id, limit),
        )
        ids = [row[0] for row in cr.fetchall()]
        messages = self.browse(ids)
        processed = 0
        pause = self._drain_pause()
        spent = 0.0
        for start in range(0, len(ids), DRAIN_CHUNK):
            if start and pause:
                time.sleep(min(spent * pause, MAX_PAUSE))
            began = time.monotonic()
            processed += messages[start : start + DRAIN_CHUNK]._process()
            spent = time.monotonic() - began
        if len(ids) == limit:
            # more waiting: the next batch goes to a fresh job (and transaction)
            self.with_delay(
                channel=INBOUND_CHANNEL,
                description=_("Process inbound carrier messages"),
            )._drain(account_id)
        return _("%(n)s messages, %(e)s events", n=len(ids), e=processed)

    @api.model
    def _drain_pause(self):
        """Seconds of pause per second of work between the drain's chunks."""
        if self.env.registry.in_test_mode():
            return 0.0
        return number_param(self.env, "logistics.inbox_drain_pause", 1.0, minimum=0.0)

    def _process(self):
        """Parse every message with its adapter and apply all events at once.

        One bad message never stalls the others: a message that cannot be
        parsed, holds an invalid event or cannot be applied is marked
        ``failed`` with its reason (a supervisor sees it and may reprocess
        it); the good ones are applied and marked done.
        """
        if not self:
            return 0
        account = self.account_id
        account.ensure_one()
        adapter = account._get_adapter()
        now = fields.Datetime.now()
        parsed = []
        failures = {}
        for message in self:
            try:
                events = self._parse_message(adapter, message)
            except _MessageError as err:
                failures[message.id] = (err.kind, err.reason)
                continue
            parsed.append((message.id, events))
        applied, rejected, created = self._apply_isolated(
            account, parsed, self._event_source()
        )
        failures.update(rejected)
        self._mark_done(list(applied), applied, now)
        if failures:
            self._mark_failed(failures, now)
            _logger.warning(
                "%s inbound message(s) of %s failed: %s",
                len(failures),
                account.display_name,
                "; ".join(f"#{k}: {v[1]}" for k, v in list(failures.items())[:5]),
            )
        return created

    @api.model
    def _parse_message(self, adapter, message):
        """The message's valid events, or :class:`_MessageError` saying why."""
        try:
            headers = json.loads(message.headers or "{}")
            body = (message.body or "").encode()
            problem = adapter.check_webhook_shape(headers, body)
            if problem:
                raise _MessageError("schema", problem)
            events = adapter.parse_webhook(headers, body)
        except _MessageError:
            raise
        except CarrierError as err:
            raise _MessageError("parse", str(err))
        except Exception as err:  # a message the adapter did not foresee
            raise _MessageError("parse", f"{type(err).__name__}: {err}")
        for index, event in enumerate(events):
            try:
                check_event(event)
            except InvalidEvent as err:
                reason = _("Event %(n)s: %(r)s", n=index + 1, r=err)
                raise _MessageError("parse", reason)
        return events

    @api.model
    def _apply_isolated(self, account, batches, source):
        """Apply ``[(key, events)]``: set-based, one savepoint per key on failure.

        Returns ``({key: event count}, {key: ("apply", reason)}, created)``.
        The whole batch goes in one INSERT; only if that fails (an event the
        checks did not foresee) is each key applied on a savepoint of its own,
        so the culprit fails alone.
        """
        event_model = self.env["logistics.shipment.event"]
        applied, rejected, created = {}, {}, 0
        if not batches:
            return applied, rejected, created
        try:
            with self.env.cr.savepoint():
                created = event_model._apply_tracking_events(
                    account, [e for _key, events in batches for e in events], source
                )
            return {key: len(events) for key, events in batches}, rejected, created
        except _TRANSACTION_ERRORS:
            raise  # the whole job is retried (serialization failure, lost link)
        except Exception as err:  # a data problem: isolate it below
            if len(batches) == 1:
                self.env.invalidate_all()
                key, _events = batches[0]
                return applied, {key: ("apply", _error_text(err))}, 0
        self.env.invalidate_all()
        for key, events in batches:
            try:
                with self.env.cr.savepoint():
                    created += event_model._apply_tracking_events(
                        account, events, source
                    )
                applied[key] = len(events)
            except _TRANSACTION_ERRORS:
                raise
            except Exception as err:
                self.env.invalidate_all()
                rejected[key] = ("apply", _error_text(err))
        return applied, rejected, created

    @api.model
    def _apply_polled_events(self, account, events, source="poll"):
        """Apply events that came without an inbox message (a poll's answer).

        Each event is checked (an invalid one is left out, with its reason);
        the rest are applied set-based, one savepoint per tracking number if
        the batch fails. Returns ``(new events, [reasons of what was left out])``.
        """
        by_number, problems = {}, []
        for event in events:
            try:
                check_event(event)
            except InvalidEvent as err:
                number = getattr(event, "tracking_number", "?")
                problems.append(f"{number!r:.40}: {err}")
                continue
            by_number.setdefault(event.tracking_number, []).append(event)
        _applied, rejected, created = self._apply_isolated(
            account, list(by_number.items()), source
        )
        problems += [f"{number!r:.40}: {why}" for number, (_k, why) in rejected.items()]
        if problems:
            _logger.warning(
                "%s polled event(s) of %s left out: %s",
                len(problems),
                account.display_name,
                "; ".join(problems[:5]),
            )
        return created, problems

    def _event_source(self):
        sources = set(self.mapped("source"))
        return sources.pop() if len(sources) == 1 else "webhook"

    @api.model
    def _mark_done(self, ids, counts, now):
        if not ids:
            return
        self.flush_model()
        self.env.cr.execute(
            """
            UPDATE logistics_inbound_message m
               SET state = 'done', processed_at = %s, attempts = attempts + 1,
                   error = NULL, error_kind = NULL, event_count = c.n,
                   write_date = %s, write_uid = %s
              FROM unnest(%s::int[], %s::int[]) AS c(id, n)
             WHERE m.id = c.id
            """,
            (now, now, self.env.uid, ids, [counts[i] for i in ids]),
        )
        self.browse(ids).invalidate_recordset()

    @api.model
    def _mark_failed(self, failures, now):
        ids = list(failures)
        self.flush_model()
        self.env.cr.execute(
            """
            UPDATE logistics_inbound_message m
               SET state = 'failed', processed_at = %s, attempts = attempts + 1,
                   error_kind = f.kind, error = f.error,
                   write_date = %s, write_uid = %s
              FROM unnest(%s::int[], %s::varchar[], %s::text[]) AS f(id, kind, error)
             WHERE m.id = f.id
            """,
            (
                now,
                now,
                self.env.uid,
                ids,
                [failures[i][0] for i in ids],
                [_error_text(failures[i][1]) for i in ids],
            ),
        )
        self.browse(ids).invalidate_recordset()

    def action_reprocess(self):
        """Supervisor action: process failed messages again (attributed)."""
        check_caller(self, "supervisor")
        to_do = self.filtered(lambda m: m.state == "failed")
        if not to_do:
            raise UserError(_("Only failed messages can be reprocessed."))
        to_do.sudo().write({"state": "pending"})
        for account in to_do.account_id:
            mine = to_do.filtered(lambda m, a=account: m.account_id == a)
            mine.sudo()._process()
            account.sudo().message_post(
                body=_(
                    "%(n)s inbound message(s) reprocessed by %(user)s.",
                    n=len(mine),
                    user=self.env.user.name,
                )
            )
        return True

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    @api.model
    def _gc_old_messages(self, limit=50000):
        """Prune processed messages older than the retention period (cron)."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("logistics.inbound_retention_days", 30)
        )
        self.env.cr.execute(
            """
            DELETE FROM logistics_inbound_message
             WHERE id IN (
                SELECT id FROM logistics_inbound_message
                 WHERE state = 'done'
                   AND received_at < (now() at time zone 'UTC') - %s * interval '1 day'
                 LIMIT %s)
            """,
            (days, limit),
        )
        return self.env.cr.rowcount
