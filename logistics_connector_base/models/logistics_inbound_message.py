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

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..adapters import CarrierError
from ..caller import check_caller

_logger = logging.getLogger(__name__)

INBOUND_CHANNEL = "root.logistics.inbound"
DRAIN_BATCH = 500


class LogisticsInboundMessage(models.Model):
    _name = "logistics.inbound.message"
    _description = "Inbound Carrier Message"
    _order = "id desc"
    _rec_name = "message_key"

    account_id = fields.Many2one(
        "logistics.carrier.account", required=True, index=True, ondelete="cascade"
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
        index=True,
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
        # the drain job's query: pending messages of one account, oldest first
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS logistics_inbound_message_pending_idx
                ON logistics_inbound_message (account_id, id) WHERE state = 'pending'
            """
        )

    # ------------------------------------------------------------------
    # Intake (the controller's transaction)
    # ------------------------------------------------------------------
    @api.model
    def _store(self, account_id, message_key, body, headers, source="webhook"):
        """Insert a message unless it was already received; queue its drain.

        Returns the new id, or None for a duplicate. Race-free: the unique
        index decides, ``ON CONFLICT DO NOTHING`` answers the loser.
        """
        cr = self.env.cr
        cr.execute(
            """
            INSERT INTO logistics_inbound_message
                (account_id, message_key, body, headers, source, state,
                 received_at, attempts, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, 'pending', now() at time zone 'UTC', 0,
                    %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (account_id, message_key) DO NOTHING
            RETURNING id
            """,
            (
                account_id,
                message_key,
                body,
                headers,
                source,
                self.env.uid,
                self.env.uid,
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
        self.env.cr.execute(
            "SELECT 1 FROM queue_job WHERE identity_key = %s "
            "AND state IN ('pending', 'enqueued') LIMIT 1",
            (identity,),
        )
        if self.env.cr.fetchone():
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
        processed = messages._process()
        if len(ids) == limit:
            # more waiting: the next batch goes to a fresh job (and transaction)
            self.with_delay(
                channel=INBOUND_CHANNEL,
                description=_("Process inbound carrier messages"),
            )._drain(account_id)
        return _("%(n)s messages, %(e)s events", n=len(ids), e=processed)

    def _process(self):
        """Parse every message with its adapter and apply all events at once."""
        if not self:
            return 0
        account = self.account_id
        account.ensure_one()
        adapter = account._get_adapter()
        now = fields.Datetime.now()
        parsed = []
        failures = {}
        for message in self:
            headers = json.loads(message.headers or "{}")
            body = (message.body or "").encode()
            problem = adapter.check_webhook_shape(headers, body)
            if problem:
                failures[message.id] = ("schema", problem)
                continue
            try:
                events = adapter.parse_webhook(headers, body)
            except CarrierError as err:
                failures[message.id] = ("parse", str(err))
                continue
            parsed.append((message, events))
        event_model = self.env["logistics.shipment.event"]
        all_events = [event for _message, events in parsed for event in events]
        created = event_model._apply_tracking_events(
            account, all_events, source=self._event_source()
        )
        self._mark_done(
            [m.id for m, _e in parsed], {m.id: len(e) for m, e in parsed}, now
        )
        if failures:
            self._mark_failed(failures, now)
            _logger.warning(
                "%s inbound message(s) of %s failed: %s",
                len(failures),
                account.display_name,
                "; ".join(f"#{k}: {v[1]}" for k, v in list(failures.items())[:5]),
            )
        return created

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
                [failures[i][1] for i in ids],
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
