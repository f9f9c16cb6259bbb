# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import secrets
import time
from datetime import timedelta

import psycopg2
from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from logistics_carriers import (
    AccountConfig,
    CarrierError,
    CarrierTransientError,
    get_adapter_class,
)

from ..caller import check_caller
from ..outbound_url import check_outbound_url

TRACKED_STATES = ["label_created", "picked_up", "in_transit", "out_for_delivery"]

_logger = logging.getLogger(__name__)

ADMIN_GROUP = "logistics_connector_base.group_logistics_admin"

# The one adapter cache of the suite, per account configuration:
# (db, account id, str(write_date)) -> _CachedAdapters. A change of the
# account's configuration changes its write_date, so a stale entry is never
# used; the entries of an account's older configurations are dropped (and
# their HTTP session closed) when a newer one is first seen.
_ADAPTER_CACHE = {}


class _CachedAdapters:
    """What one account configuration keeps between requests: the HTTP
    session its adapters share (``_get_adapter``) and the adapter that reads
    its webhooks (``_get_webhook_adapter``, no session, no log)."""

    __slots__ = ("session", "webhook_adapter")

    def __init__(self):
        self.session = None
        self.webhook_adapter = None

    def close(self):
        if self.session is not None:
            self.session.close()


def _cache_key(dbname, account_id, write_date):
    return (dbname, account_id, str(write_date))


def _cache_entry(key):
    """The cache entry of ``key``, created (older configurations dropped)."""
    entry = _ADAPTER_CACHE.get(key)
    if entry is None:
        for old_key in [k for k in _ADAPTER_CACHE if k[:2] == key[:2]]:
            old = _ADAPTER_CACHE.pop(old_key, None)
            if old is not None:
                old.close()
        entry = _ADAPTER_CACHE[key] = _CachedAdapters()
    return entry


# tokens this process stored, per (database, account): a job's snapshot does
# not show a token stored after it began (a batch job sends many shipments)
_RECENT_TOKENS = {}


class AccountTokenStore:
    """OAuth token cache stored on the account, shared by every worker.

    Writes go through a short-lived cursor of their own so that a token
    fetched by one job is visible to the others at once and survives a
    rollback of the job's transaction; what this process stored is also kept
    in memory, for the jobs whose snapshot began before it was stored.
    """

    def __init__(self, account):
        self._registry = account.env.registry
        self._cr = account.env.cr
        self._account_id = account.id
        # in test mode the "own" cursors are savepoints that the test rolls
        # back: a token kept in memory would outlive them
        self._key = (
            None
            if account.env.registry.in_test_mode()
            else (account.env.cr.dbname, account.id)
        )

    def _execute(self, query, params):
        """Write on a short cursor of its own; a cache write never fails a job.

        Two workers refreshing the token at once collide on the account row:
        the loser retries once, then simply keeps its token uncached.
        """
        for attempt in range(2):
            try:
                with self._registry.cursor() as cr:
                    # a collision is expected and retried: no "bad query" ERROR
                    cr.execute(query, params, log_exceptions=False)
                    return None
            except (
                pg_errors.SerializationFailure,
                pg_errors.LockNotAvailable,
                pg_errors.DeadlockDetected,
            ):
                time.sleep(0.05 * (attempt + 1))
        _logger.info("Token cache of account %s not updated (busy)", self._account_id)
        return None

    def get(self):
        # read on the caller's transaction: a token stored by another worker
        # after our snapshot only costs one extra token request
        self._cr.execute(
            "SELECT access_token, token_expires_at FROM logistics_carrier_account "
            "WHERE id = %s",
            (self._account_id,),
        )
        row = self._cr.fetchone()
        stored = (row[0], float(row[1])) if row and row[0] and row[1] else None
        recent = _RECENT_TOKENS.get(self._key) if self._key else None
        if recent and (not stored or recent[1] > stored[1]):
            return recent
        return stored

    def set(self, token, expires_at):
        if self._key:
            _RECENT_TOKENS[self._key] = (token, expires_at)
        self._execute(
            "UPDATE logistics_carrier_account SET access_token = %s, "
            "token_expires_at = %s WHERE id = %s",
            (token, expires_at, self._account_id),
        )

    def clear(self):
        _RECENT_TOKENS.pop(self._key, None)
        self._execute(
            "UPDATE logistics_carrier_account SET access_token = NULL, "
            "token_expires_at = NULL WHERE id = %s",
            (self._account_id,),
        )


class LogisticsCarrierAccount(models.Model):
    _name = "logistics.carrier.account"
    _description = "Carrier Account"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    carrier_code = fields.Selection(
        selection=[
            ("sim", "Simulator (demo and tests)"),
            ("generic", "Partner (canonical events)"),
        ],
        string="Carrier",
        required=True,
        tracking=True,
        help="Which carrier API this account speaks. Each carrier addon adds its own.",
    )
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")],
        required=True,
        default="sandbox",
        tracking=True,
    )
    api_base_url = fields.Char(
        string="API Base URL",
        help="Leave empty to use the carrier's URL for the environment. Set it to "
        "point the account at a simulator or a proxy.",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    account_number = fields.Char(
        help="The carrier's account / shipper / billing number.", tracking=True
    )
    # Credentials: administrators only, never logged.
    client_id = fields.Char(
        string="Client ID / API Key", groups=ADMIN_GROUP, copy=False
    )
    client_secret = fields.Char(groups=ADMIN_GROUP, copy=False)
    username = fields.Char(groups=ADMIN_GROUP, copy=False)
    password = fields.Char(groups=ADMIN_GROUP, copy=False)
    access_token = fields.Char(groups=ADMIN_GROUP, copy=False, readonly=True)
    token_expires_at = fields.Float(groups=ADMIN_GROUP, copy=False, readonly=True)
    # Webhooks
    webhook_token = fields.Char(
        required=True,
        copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        groups=ADMIN_GROUP,
        help="The secret path token of this account's webhook URL.",
    )
    webhook_secret = fields.Char(groups=ADMIN_GROUP, copy=False)
    webhook_secret_previous = fields.Char(
        string="Previous Webhook Secret",
        groups=ADMIN_GROUP,
        copy=False,
        help="Still accepted while the carrier switches to the new secret (rotation).",
    )
    webhook_url = fields.Char(compute="_compute_webhook_url", groups=ADMIN_GROUP)
    # HTTP behaviour
    connect_timeout = fields.Float(default=5.0)
    read_timeout = fields.Float(default=30.0)
    label_format = fields.Selection(
        [("PDF", "PDF"), ("PNG", "PNG"), ("GIF", "GIF"), ("ZPL", "ZPL (thermal)")],
        default="PDF",
        required=True,
    )
    max_dispatch_attempts = fields.Integer(
        default=6,
        help="Transient failures (timeouts, 429, 5xx) are retried with exponential "
        "backoff this many times before the shipment is dead-lettered.",
    )
    retry_base_delay = fields.Integer(
        string="Retry Base Delay (s)",
        default=10,
        help="First retry delay; doubled on every further attempt, plus jitter.",
    )
    retry_max_delay = fields.Integer(string="Retry Max Delay (s)", default=1800)
    # Circuit breaker
    breaker_threshold = fields.Integer(
        default=5,
        help="Consecutive transient failures that open the circuit breaker.",
    )
    breaker_cooldown = fields.Integer(
        string="Breaker Cool-down (s)",
        default=120,
        help="How long the breaker stays open before one trial call is let through.",
    )
    breaker_failures = fields.Integer(readonly=True, copy=False, default=0)
    spec_mismatch_count = fields.Integer(
        string="Answers Off-Specification",
        compute="_compute_spec_mismatch_count",
        help="Carrier answers that did not match the carrier's published "
        "specification (e.g. an event without a readable time), counted from the "
        "integration log (operation ending in ':spec_mismatch', masked) for as "
        "long as the log keeps them.",
    )
    breaker_open_until = fields.Datetime(readonly=True, copy=False)
    breaker_state = fields.Selection(
        [("closed", "Closed"), ("open", "Open"), ("half_open", "Half-open")],
        compute="_compute_breaker_state",
    )
    health = fields.Selection(
        [("ok", "Operational"), ("degraded", "Degraded")],
        compute="_compute_breaker_state",
    )
    # Tracking by polling (carriers without push, and as a safety net)
    poll_interval = fields.Integer(
        string="Poll Interval (min)",
        default=60,
        help="Shipments in transit not heard of for this long are polled. 0 "
        "disables polling for this account.",
    )
    poll_backoff_until = fields.Datetime(readonly=True, copy=False)
    last_poll_at = fields.Datetime(readonly=True, copy=False)
    last_poll_error = fields.Char(readonly=True, copy=False)
    inbound_failed_count = fields.Integer(
        compute="_compute_inbound_counts",
        help="Inbound messages that could not be processed (e.g. an unexpected "
        "payload shape).",
    )
    shipment_ids = fields.One2many("logistics.shipment", "account_id")
    shipment_count = fields.Integer(compute="_compute_shipment_count")
    delivery_carrier_ids = fields.One2many("delivery.carrier", "logistics_account_id")

    _sql_constraints = [
        (
            "webhook_token_uniq",
            "unique(webhook_token)",
            "Each carrier account needs its own webhook token.",
        ),
        (
            "timeouts_positive",
            "CHECK(connect_timeout > 0 AND read_timeout > 0)",
            "Timeouts must be positive.",
        ),
        (
            "attempts_positive",
            "CHECK(max_dispatch_attempts > 0)",
            "The number of dispatch attempts must be at least 1.",
        ),
    ]

    def _compute_spec_mismatch_count(self):
        counts = (
            self.env["logistics.integration.log"]
            .sudo()
            ._count_spec_mismatches(self.ids)
        )
        for account in self:
            account.spec_mismatch_count = counts.get(account.id, 0)

    @api.constrains("api_base_url", "environment")
    def _check_api_base_url(self):
        for account in self.filtered("api_base_url"):
            check_outbound_url(
                self.env,
                account.api_base_url,
                account.environment == "sandbox",
                _("API Base URL of %s", account.name),
            )

    @api.depends("webhook_token", "carrier_code")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for account in self:
            account.webhook_url = (
                f"{base}/logistics/webhook/{account.carrier_code}/{account.webhook_token}"
                if account.carrier_code and account.webhook_token
                else False
            )

    @api.depends("breaker_open_until", "breaker_failures", "breaker_threshold")
    def _compute_breaker_state(self):
        now = fields.Datetime.now()
        for account in self:
            if account.breaker_open_until and account.breaker_open_until > now:
                account.breaker_state = "open"
            elif account.breaker_open_until:
                account.breaker_state = "half_open"
            else:
                account.breaker_state = "closed"
            account.health = "ok" if account.breaker_state == "closed" else "degraded"

    def _compute_inbound_counts(self):
        counts = dict(
            self.env["logistics.inbound.message"]
            .sudo()
            ._read_group(
                [("account_id", "in", self.ids), ("state", "=", "failed")],
                ["account_id"],
                ["__count"],
            )
        )
        for account in self:
            account.inbound_failed_count = counts.get(account, 0)

    def _compute_shipment_count(self):
        counts = dict(
            self.env["logistics.shipment"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.shipment_count = counts.get(account, 0)

    # ------------------------------------------------------------------
    # Adapter
    # ------------------------------------------------------------------
    def _get_adapter_config(self):
        self.ensure_one()
        account = self.sudo()
        return AccountConfig(
            carrier_code=account.carrier_code,
            environment=account.environment,
            base_url=account.api_base_url or "",
            client_id=account.client_id or "",
            client_secret=account.client_secret or "",
            account_number=account.account_number or "",
            extra=account._get_adapter_extra(),
            connect_timeout=account.connect_timeout,
            read_timeout=account.read_timeout,
            label_format=account.label_format,
            account_ref=f"{self._name}({account.id})",
        )

    def _get_adapter_extra(self):
        """Carrier-specific settings for the adapter; extended by carrier addons."""
        self.ensure_one()
        return {"username": self.username or "", "password": self.password or ""}

    def _get_adapter(self, shipment=None):
        """The carrier adapter of this account, logging to the integration log."""
        self.ensure_one()
        try:
            adapter_cls = get_adapter_class(self.carrier_code)
        except KeyError as err:
            raise UserError(
                _(
                    "No adapter is installed for carrier "
                    "'%(code)s' (account %(name)s). "
                    "Install its carrier addon.",
                    code=self.carrier_code,
                    name=self.display_name,
                )
            ) from err
        entry = _cache_entry(
            _cache_key(self.env.cr.dbname, self.id, self.sudo().write_date)
        )
        if entry.session is None:
            import requests

            entry.session = requests.Session()
        log_model = self.env["logistics.integration.log"]
        return adapter_cls(
            self._get_adapter_config(),
            token_store=AccountTokenStore(self),
            log_sink=log_model._make_sink(account=self, shipment=shipment),
            session=entry.session,
        )

    # ------------------------------------------------------------------
    # Webhooks (the hot path of the webhook controller: no ORM on a hit)
    # ------------------------------------------------------------------
    @api.model
    def _webhook_account(self, carrier_code, account_token):
        """``(id, write_date, secrets)`` of the active account a webhook path
        names, or None.

        One SQL query, no ORM. The secrets (the current one and, during a
        rotation, the previous one) are read on every request, so a rotation
        applies at once.
        """
        self.env.cr.execute(
            "SELECT id, write_date, webhook_secret, webhook_secret_previous "
            "FROM logistics_carrier_account "
            "WHERE webhook_token = %s AND carrier_code = %s AND active",
            (account_token, carrier_code),
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        return row[0], row[1], [secret for secret in row[2:] if secret]

    @api.model
    def _get_webhook_adapter(self, account_id, write_date):
        """The adapter that authenticates and reads the account's webhooks.

        Built once per configuration (``write_date``) and kept in the adapter
        cache; it makes no call, so it has no session and no log. None when
        no adapter is installed for the account's carrier.
        """
        key = _cache_key(self.env.cr.dbname, account_id, write_date)
        entry = _ADAPTER_CACHE.get(key)
        if entry is not None and entry.webhook_adapter is not None:
            return entry.webhook_adapter
        account = self.sudo().browse(account_id)
        try:
            adapter_cls = get_adapter_class(account.carrier_code)
        except KeyError:
            return None
        adapter = adapter_cls(account._get_adapter_config())
        _cache_entry(key).webhook_adapter = adapter
        return adapter

    # ------------------------------------------------------------------
    # Circuit breaker (own cursor: shared state, independent of the job)
    # ------------------------------------------------------------------
    def _breaker_read(self):
        """(failures, open_until) as committed by the workers' own cursors.

        Read on the caller's transaction: a snapshot a little stale at worst
        lets one more call through, which the breaker tolerates.
        """
        self.ensure_one()
        self.env.cr.execute(
            "SELECT COALESCE(breaker_failures, 0), breaker_open_until "
            "FROM logistics_carrier_account WHERE id = %s",
            (self.id,),
        )
        return self.env.cr.fetchone()

    def _breaker_allows(self):
        """True when a call may be made now (closed, or half-open trial)."""
        open_until = self._breaker_read()[1]
        return not open_until or open_until <= fields.Datetime.now()

    def _breaker_seconds_left(self):
        open_until = self._breaker_read()[1]
        if not open_until:
            return 0
        return max(0, (open_until - fields.Datetime.now()).total_seconds())

    def _breaker_record(self, success):
        """Record a call outcome; returns True when this failure opened the breaker."""
        self.ensure_one()
        if success and self._breaker_read() == (0, None):
            return False  # closed and clean: nothing to write
        for attempt in range(5):
            try:
                with self.env.registry.cursor() as cr:
                    if success:
                        cr.execute(
                            "UPDATE logistics_carrier_account SET "
                            "breaker_failures = 0, "
                            "breaker_open_until = NULL "
                            "WHERE id = %s "
                            "AND (breaker_failures <> 0 OR "
                            "breaker_open_until IS NOT NULL)",
                            (self.id,),
                            log_exceptions=False,  # a collision is retried
                        )
                        return False
                    # FOR NO KEY UPDATE, never FOR UPDATE: a row updated
                    # under FOR UPDATE fails the foreign-key check (KEY SHARE)
                    # of every transaction with an older snapshot that then
                    # inserts a row referencing the account (the job's
                    # integration log): "could not serialize access".
                    cr.execute(
                        "SELECT breaker_failures, breaker_threshold, breaker_cooldown, "
                        "breaker_open_until FROM logistics_carrier_account "
                        "WHERE id = %s FOR NO KEY UPDATE",
                        (self.id,),
                        log_exceptions=False,  # a collision is retried
                    )
                    failures, threshold, cooldown, open_until = cr.fetchone()
                    failures = (failures or 0) + 1
                    now = fields.Datetime.now()
                    opened = False
                    # a failed half-open trial re-opens at once
                    if failures >= (threshold or 1) or open_until:
                        open_until = now + timedelta(seconds=cooldown or 60)
                        opened = True
                    cr.execute(
                        "UPDATE logistics_carrier_account SET breaker_failures = %s, "
                        "breaker_open_until = %s WHERE id = %s",
                        (failures, open_until, self.id),
                    )
                    return opened
            except (
                pg_errors.SerializationFailure,
                pg_errors.LockNotAvailable,
                pg_errors.DeadlockDetected,
            ):
                time.sleep(0.05 * (attempt + 1))
        _logger.warning("Could not record breaker outcome for account %s", self.id)
        return False

    def action_reset_breaker(self):
        check_caller(self, "admin", "write")
        self.write({"breaker_failures": 0, "breaker_open_until": False})
        for account in self:
            account.message_post(body=_("Circuit breaker reset manually."))

    def action_rotate_webhook_secret(self):
        """Keep the current secret as the previous one and generate a new one.

        Administrators only. A second rotation while the previous secret is
        still set would push the secret the carrier signs with out of both
        slots (every webhook answered 401): it is refused until the previous
        secret is cleared.
        """
        check_caller(self, "admin", "write")
        still = self.sudo().filtered("webhook_secret_previous")
        if still:
            raise UserError(
                _(
                    "The previous webhook secret of %s is still accepted: the carrier "
                    "may still sign with it. Once the carrier uses the current secret, "
                    "clear the previous one, then rotate again.",
                    ", ".join(still.mapped("name")),
                )
            )
        for account in self.sudo():
            account.write(
                {
                    "webhook_secret_previous": account.webhook_secret,
                    "webhook_secret": secrets.token_hex(32),
                }
            )
            account.message_post(
                body=_("Webhook secret rotated; the previous one is still accepted.")
            )

    def action_clear_previous_webhook_secret(self):
        """The carrier signs with the current secret: stop accepting the old one."""
        check_caller(self, "admin", "write")
        self.sudo().write({"webhook_secret_previous": False})
        for account in self:
            account.message_post(
                body=_("Previous webhook secret cleared by %s.", self.env.user.name)
            )
        return True

    def action_view_shipments(self):
        self.ensure_one()
        check_caller(self, "user")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_connector_base.action_logistics_shipment"
        )
        action["domain"] = [("account_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Polling
    # ------------------------------------------------------------------
    @api.model
    def _cron_poll_tracking(self):
        """Queue one poll job per account due (an outage never stalls others)."""
        now = fields.Datetime.now()
        accounts = self.search(
            [
                ("active", "=", True),
                ("poll_interval", ">", 0),
                "|",
                ("poll_backoff_until", "=", False),
                ("poll_backoff_until", "<=", now),
            ]
        )
        for account in accounts:
            account.with_delay(
                channel="root.logistics.inbound",
                identity_key=f"logistics-poll-{account.id}",
                description=_("Poll tracking of %s", account.name),
            )._poll_tracking()
        return len(accounts)

    def _poll_record(self, error=False, backoff=False):
        """Write the poll bookkeeping on a short cursor of its own.

        The carrier calls of a poll may store a token or a pace on this
        account's row from cursors of their own; writing the row on the job's
        transaction afterwards would fail with a serialization error (its
        snapshot is older), so it is written like them.
        """
        self.ensure_one()
        for attempt in range(5):
            try:
                with self.env.registry.cursor() as cr:
                    cr.execute(
                        "UPDATE logistics_carrier_account SET "
                        "last_poll_at = now() at time zone 'UTC', "
                        "last_poll_error = %s, "
                        "poll_backoff_until = COALESCE(%s, poll_backoff_until), "
                        "write_date = now() at time zone 'UTC' WHERE id = %s",
                        (error or None, backoff or None, self.id),
                        log_exceptions=False,  # a collision is retried
                    )
                break
            except (
                pg_errors.SerializationFailure,
                pg_errors.LockNotAvailable,
                pg_errors.DeadlockDetected,
            ):
                time.sleep(0.05 * (attempt + 1))
        else:
            _logger.warning("Poll state of account %s not recorded (busy)", self.id)
        self.invalidate_recordset(
            ["last_poll_at", "last_poll_error", "poll_backoff_until", "write_date"]
        )

    def _poll_tracking(self, limit=500):
        """Queue job: track shipments in transit not updated recently.

        In batches sized to the carrier's limits, paced, through the same
        apply path as webhooks (``source = poll``). A 429 or an outage backs
        the account off until later.
        """
        self.ensure_one()
        account = self.sudo()
        shipment_model = self.env["logistics.shipment"].sudo()
        due = fields.Datetime.now() - timedelta(minutes=account.poll_interval or 60)
        shipments = shipment_model.search(
            [
                ("account_id", "=", account.id),
                ("state", "in", TRACKED_STATES),
                "|",
                ("last_tracked_at", "=", False),
                ("last_tracked_at", "<", due),
            ],
            order="last_tracked_at asc nulls first, id",
            limit=limit,
        )
        if not shipments:
            return _("Nothing to poll.")
        adapter = account._get_adapter()
        size = max(1, adapter.track_batch_size)
        pace = float(adapter.track_min_interval or 0)
        packages = shipments.package_ids.filtered("tracking_number")
        numbers = packages.mapped("tracking_number")
        inbox = self.env["logistics.inbound.message"]
        polled = applied = 0
        error = backoff = False
        for start in range(0, len(numbers), size):
            chunk = numbers[start : start + size]
            if start and pace:
                time.sleep(pace)
            try:
                events = adapter.track(chunk)
            except CarrierTransientError as err:
                delay = max(float(err.retry_after or 0), 300.0)
                backoff = fields.Datetime.now() + timedelta(seconds=delay)
                error = str(err)
                break
            except CarrierError as err:
                error = str(err)
                continue
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                raise
            except Exception as err:  # an answer the adapter did not foresee
                error = f"{type(err).__name__}: {err}"
                _logger.warning("Tracking poll of %s: %s", account.display_name, error)
                continue
            created, problems = inbox._apply_polled_events(account, events, "poll")
            applied += created
            if problems:
                error = "; ".join(problems[:3])
            polled += len(chunk)
            done = packages.filtered(lambda p, c=set(chunk): p.tracking_number in c)
            done.shipment_id.write({"last_tracked_at": fields.Datetime.now()})
        adapter.log_sink.flush()
        account._poll_record(error, backoff)
        return _(
            "%(n)s tracking numbers polled, %(e)s new events%(err)s",
            n=polled,
            e=applied,
            err=f" ({error})" if error else "",
        )
