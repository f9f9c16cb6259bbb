# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound event subscriptions: partners told what happened to shipments.

A subscription names a URL, the canonical event codes and companies it
wants, and a secret. Applying events writes the outbox
(``logistics.event.delivery``) in the same transaction; a queue job per
subscription drains it, signing every POST the Standard Webhooks way.
"""

import json
import logging
import math
import random
import threading
from datetime import timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from logistics_carriers import CANONICAL_CODES
from logistics_carriers.generic_signature import (
    SIGNATURE_HEADER,
    new_secret,
    sign_headers,
)

from ..caller import check_caller
from ..outbound_url import check_outbound_url

_logger = logging.getLogger(__name__)

OUTBOUND_EVENTS_CHANNEL = "root.logistics.outbound_events"
SEND_BATCH = 200
LEASE_SECONDS = 300
BACKOFF_BASE = 10  # seconds; doubled on every consecutive failure
BACKOFF_MAX = 3600
RESPONSE_KEPT = 2000
# answers worth retrying soon for the whole subscription (receiver unwell)
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
ADMIN_GROUP = "logistics_connector_base.group_logistics_admin"

_local = threading.local()


def _http_session():
    """One keep-alive session per worker thread."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def backoff_seconds(failures, base=BACKOFF_BASE, cap=BACKOFF_MAX):
    """Exponential backoff (with up to 10 % jitter) after ``failures`` failures."""
    delay = min(cap, base * (2 ** max(0, failures - 1)))
    # whole seconds: Odoo datetimes (and the job's eta) have no microseconds
    return math.ceil(delay + random.uniform(0, delay / 10.0))


class LogisticsEventSubscription(models.Model):
    _name = "logistics.event.subscription"
    _description = "Shipment Event Subscription"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    url = fields.Char(
        string="URL",
        required=True,
        tracking=True,
        help="Where the events are POSTed (JSON, Standard Webhooks signature).",
    )
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")],
        required=True,
        default="production",
        tracking=True,
        help="Production receivers need an https URL on a public address; a sandbox "
        "receiver may be plain http on a local address (test receivers).",
    )
    event_codes = fields.Char(
        tracking=True,
        help="Comma-separated canonical event codes this subscriber wants "
        "(e.g. picked_up, delivered). Empty: every event.",
    )
    company_ids = fields.Many2many(
        "res.company",
        "logistics_event_subscription_company_rel",
        "subscription_id",
        "company_id",
        help="Only events of shipments of these companies. Empty: all companies.",
    )
    secret = fields.Char(
        groups=ADMIN_GROUP,
        copy=False,
        default=lambda self: new_secret(),
        help="Signing secret (whsec_ + base64, per Standard Webhooks). Give it "
        "to the receiver so it can verify each POST.",
    )
    secret_previous = fields.Char(
        string="Previous Secret",
        groups=ADMIN_GROUP,
        copy=False,
        help="While set, every POST carries a second signature made with it, so "
        "the receiver can switch secrets without losing a message.",
    )
    retry_period = fields.Integer(
        string="Retry Period (h)",
        default=72,
        required=True,
        help="A delivery that keeps failing is retried with exponential backoff "
        "for this long, then marked failed (it can be resent).",
    )
    timeout = fields.Float(string="Timeout (s)", default=10.0, required=True)
    responsible_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        help="Gets an activity when the subscription is disabled for failing.",
    )
    consecutive_failures = fields.Integer(readonly=True, copy=False)
    paused_until = fields.Datetime(
        readonly=True,
        copy=False,
        help="The receiver failed: nothing is sent before this time (backoff).",
    )
    last_error = fields.Char(readonly=True, copy=False)
    delivery_ids = fields.One2many("logistics.event.delivery", "subscription_id")
    pending_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")
    done_count = fields.Integer(compute="_compute_counts")
    last_success_at = fields.Datetime(compute="_compute_counts")

    _sql_constraints = [
        (
            "retry_period_positive",
            "CHECK(retry_period > 0)",
            "The retry period must be at least one hour.",
        ),
        ("timeout_positive", "CHECK(timeout > 0)", "The timeout must be positive."),
    ]

    @api.constrains("url", "environment")
    def _check_url(self):
        for sub in self:
            check_outbound_url(
                self.env,
                sub.url,
                sub.environment == "sandbox",
                _("URL of subscription %s", sub.name),
            )

    @api.constrains("company_ids")
    def _check_companies(self):
        """Events of a company go only to subscriptions its administrators chose.

        An empty list means every company: only a user of every company may
        leave it empty.
        """
        if self.env.su:
            return
        mine = self.env.user.company_ids
        every = self.env["res.company"].sudo().search([])
        for sub in self.sudo():
            wanted = sub.company_ids or every
            if wanted - mine:
                raise ValidationError(
                    _(
                        "Subscription %(name)s would receive the events of "
                        "%(companies)s, which you do not work for. Choose among "
                        "your companies.",
                        name=sub.name,
                        companies=", ".join((wanted - mine).mapped("name")),
                    )
                )

    @api.constrains("event_codes")
    def _check_event_codes(self):
        for sub in self:
            unknown = sorted(set(sub._wanted_codes()) - set(CANONICAL_CODES))
            if unknown:
                raise ValidationError(
                    _(
                        "Unknown event code(s): %(codes)s. Use the canonical codes: "
                        "%(known)s.",
                        codes=", ".join(unknown),
                        known=", ".join(CANONICAL_CODES),
                    )
                )

    def _wanted_codes(self):
        self.ensure_one()
        return [c.strip() for c in (self.event_codes or "").split(",") if c.strip()]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("event_codes"):
                vals["event_codes"] = self._normalise_codes(vals["event_codes"])
        return super().create(vals_list)

    def _check_caller_companies(self):
        """Refuse a user who does not work for every company a subscription serves."""
        if self.env.su:
            return
        mine = self.env.user.company_ids
        every = self.env["res.company"].sudo().search([])
        for sub in self.sudo():
            others = (sub.company_ids or every) - mine
            if others:
                raise AccessError(
                    _(
                        "Subscription %(name)s also serves %(companies)s, which you "
                        "do not work for: only their administrators may change it.",
                        name=sub.name,
                        companies=", ".join(others.mapped("name")),
                    )
                )

    def unlink(self):
        self._check_caller_companies()
        return super().unlink()

    def write(self, vals):
        self._check_caller_companies()
        if vals.get("event_codes"):
            vals["event_codes"] = self._normalise_codes(vals["event_codes"])
        res = super().write(vals)
        if vals.get("active"):
            # re-enabled: what waited in the outbox goes now
            self.write({"consecutive_failures": 0, "paused_until": False})
            for sub in self:
                sub._ensure_send_job()
        return res

    @api.model
    def _normalise_codes(self, text):
        return ",".join(
            c.strip() for c in text.replace(";", ",").split(",") if c.strip()
        )

    def _compute_counts(self):
        delivery = self.env["logistics.event.delivery"].sudo()
        groups = delivery._read_group(
            [("subscription_id", "in", self.ids)],
            ["subscription_id", "state"],
            ["__count", "done_at:max"],
        )
        counts = {}
        for sub, state, count, last_done in groups:
            counts[(sub.id, state)] = (count, last_done)
        for sub in self:
            sub.pending_count = sum(
                counts.get((sub.id, s), (0, None))[0] for s in ("pending", "sending")
            )
            sub.failed_count = counts.get((sub.id, "failed"), (0, None))[0]
            sub.done_count, sub.last_success_at = counts.get(
                (sub.id, "done"), (0, False)
            )

    # ------------------------------------------------------------------
    # Job scheduling
    # ------------------------------------------------------------------
    def _ensure_send_job(self, eta=None):
        """Make sure a send job runs for this subscription at ``eta`` at the latest.

        An existing pending job due no later is enough; otherwise one more is
        queued (a job scheduled for later never delays new events).
        """
        self.ensure_one()
        now = fields.Datetime.now()
        due = max(eta or now, now)
        self.env.cr.execute(
            "SELECT 1 FROM queue_job WHERE identity_key LIKE %s "
            "AND state IN ('pending', 'enqueued') "
            "AND (eta IS NULL OR eta <= %s) LIMIT 1",
            (f"logistics-outbound-{self.id}:%", due + timedelta(seconds=1)),
        )
        if self.env.cr.fetchone():
            return False
        stamp = "now" if due <= now else due.strftime("%Y%m%d%H%M%S")
        self.sudo().with_delay(
            channel=OUTBOUND_EVENTS_CHANNEL,
            identity_key=f"logistics-outbound-{self.id}:{stamp}",
            eta=due if due > now else None,
            description=_("Send shipment events to %s", self.name),
        )._send_due()
        return True

    # ------------------------------------------------------------------
    # Sending (queue job)
    # ------------------------------------------------------------------
    def _signature_secrets(self):
        self.ensure_one()
        sub = self.sudo()
        return [s for s in (sub.secret, sub.secret_previous) if s]

    def _post(self, session, message_id, payload, secrets):
        """POST one delivery; (ok, status, answer, error)."""
        body = payload.encode("utf-8")
        headers = sign_headers(message_id, body, secrets[0])
        if len(secrets) > 1:
            other = sign_headers(
                message_id, body, secrets[1], int(headers["webhook-timestamp"])
            )
            headers[SIGNATURE_HEADER] += " " + other[SIGNATURE_HEADER]
        headers["Content-Type"] = "application/json"
        headers["User-Agent"] = "Odoo-Logistics-Suite/17.0"
        try:
            response = session.post(
                self.url,
                data=body,
                headers=headers,
                timeout=(min(5.0, self.timeout), self.timeout),
                allow_redirects=False,
            )
        except (requests.RequestException, ValueError) as err:
            # ValueError: urllib3/http.client refusals (bad URL, header value)
            return False, 0, "", f"{type(err).__name__}: {err}"[:500]
        # the receiver's answer is kept as text: PostgreSQL refuses a NUL in
        # it, which failed the outcome's record after the POST was made
        answer = (response.text or "").replace("\x00", "")[:RESPONSE_KEPT]
        ok = 200 <= response.status_code < 300
        error = "" if ok else _("The receiver answered HTTP %s.", response.status_code)
        return ok, response.status_code, answer, error

    def _send_due(self, limit=SEND_BATCH):
        """Queue job: send this subscription's due deliveries, oldest first.

        Deliveries are claimed and their outcomes recorded on short cursors
        of their own, so an answer received is never forgotten (nor the
        message sent again) whatever happens to this job's transaction.
        """
        self.ensure_one()
        sub = self.sudo()
        if not sub.active:
            return _("Subscription inactive: nothing sent.")
        now = fields.Datetime.now()
        if sub.paused_until and sub.paused_until > now:
            sub._ensure_send_job(sub.paused_until)
            return _("Receiver backing off until %s.", sub.paused_until)
        deliveries = self.env["logistics.event.delivery"].sudo()
        claimed = deliveries._claim(sub.id, now, limit)
        secrets = sub._signature_secrets()
        if not secrets:
            deliveries._release([row[0] for row in claimed])
            raise UserError(_("Subscription %s has no signing secret.", sub.name))
        session = _http_session()
        sent = 0
        down = None
        gone = failed_any = False
        for index, (delivery_id, message_id, payload) in enumerate(claimed):
            ok, status, answer, error = sub._post(session, message_id, payload, secrets)
            moment = fields.Datetime.now()
            if ok:
                deliveries._record_success(delivery_id, moment, status, answer)
                sent += 1
                continue
            failed_any = True
            gone = status == 410
            retry_all = status == 0 or status in RETRY_STATUSES or gone
            failures = sub.consecutive_failures + 1 if retry_all else 1
            delay = backoff_seconds(failures)
            deliveries._record_failure(
                delivery_id, moment, status, answer, error, delay
            )
            if retry_all:  # the receiver is unwell: stop, back off, keep order
                down = (failures, moment + timedelta(seconds=delay), error)
                deliveries._release([row[0] for row in claimed[index + 1 :]])
                break
        if down:
            failures, until, error = down
            sub.write(
                {
                    "consecutive_failures": failures,
                    "paused_until": until,
                    "last_error": error[:255],
                }
            )
        elif sent and (sub.consecutive_failures or sub.paused_until):
            sub.write(
                {"consecutive_failures": 0, "paused_until": False, "last_error": False}
            )
        if gone:
            sub._disable_failing(_("The receiver answered 410 Gone."))
        elif failed_any:
            sub._disable_if_failing_too_long()
        if sub.active:
            next_at = deliveries._next_due(sub.id)
            if len(claimed) == limit and not down:
                sub._ensure_send_job()
            elif next_at:
                wake = max(next_at, sub.paused_until or next_at)
                sub._ensure_send_job(wake)
        return _("%(sent)s of %(n)s deliveries sent.", sent=sent, n=len(claimed))

    def _disable_if_failing_too_long(self):
        """Disable a subscription that expired deliveries and had no success
        within its retry period."""
        self.ensure_one()
        now = fields.Datetime.now()
        since = now - timedelta(hours=self.retry_period)
        cr = self.env.cr
        cr.execute(
            """
            SELECT EXISTS (SELECT 1 FROM logistics_event_delivery
                            WHERE subscription_id = %(sub)s AND state = 'failed'
                              AND last_attempt_at >= %(since)s),
                   EXISTS (SELECT 1 FROM logistics_event_delivery
                            WHERE subscription_id = %(sub)s AND state = 'done'
                              AND done_at >= %(since)s)
            """,
            {"sub": self.id, "since": since},
        )
        expired, succeeded = cr.fetchone()
        if expired and not succeeded:
            self._disable_failing(
                _(
                    "No delivery succeeded for %(h)s hours: the subscription is "
                    "disabled. Its pending deliveries are kept and go out when it "
                    "is enabled again; failed ones can be resent.",
                    h=self.retry_period,
                )
            )
            return True
        return False

    def _disable_failing(self, reason):
        self.ensure_one()
        self.write({"active": False})
        self.message_post(body=reason)
        user = self.responsible_id or self.create_uid
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Event subscription disabled: receiver failing"),
            note=reason,
            user_id=user.id,
        )
        _logger.warning("Event subscription %s disabled: %s", self.id, reason)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_rotate_secret(self):
        """New signing secret; POSTs carry both signatures until cleared.

        Administrators only. Refused while a previous secret is still set: a
        second rotation would drop the secret the receiver verifies with.
        """
        check_caller(self, "admin", "write")
        still = self.sudo().filtered("secret_previous")
        if still:
            raise UserError(
                _(
                    "The previous secret of %s is still in use: the receiver may "
                    "still verify with it. Once it uses the current secret, clear "
                    "the previous one, then rotate again.",
                    ", ".join(still.mapped("name")),
                )
            )
        for sub in self.sudo():
            sub.write({"secret_previous": sub.secret, "secret": new_secret()})
            sub.message_post(
                body=_(
                    "Signing secret rotated by %s; POSTs carry both signatures "
                    "until the previous secret is cleared.",
                    self.env.user.name,
                )
            )
        return True

    def action_clear_previous_secret(self):
        check_caller(self, "admin", "write")
        self.sudo().write({"secret_previous": False})
        return True

    def action_resend_failed(self):
        check_caller(self, "supervisor")
        for sub in self:
            failed = sub.delivery_ids.filtered(lambda d: d.state == "failed")
            if failed:
                failed.action_resend()
        return True

    def action_send_now(self):
        """Send what is due now, ignoring a running backoff."""
        check_caller(self, "supervisor")
        for sub in self:
            sub.sudo().write({"paused_until": False})
            sub._ensure_send_job()
        return True

    def action_view_deliveries(self):
        self.ensure_one()
        check_caller(self, "supervisor")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_connector_base.action_logistics_event_delivery"
        )
        action["domain"] = [("subscription_id", "=", self.id)]
        action["context"] = {"default_subscription_id": self.id}
        return action

    def _sample_payload(self):
        """An example body, for the receiver's developers."""
        return json.dumps(
            {
                "type": "logistics.shipment.event",
                "timestamp": "2026-11-23T10:00:00Z",
                "data": {
                    "event_id": "42",
                    "sequence": 1,
                    "code": "delivered",
                    "shipment_reference": "SHP/2026/00012",
                    "picking": "WH/OUT/00012",
                    "tracking_number": "1Z999AA10123456784",
                    "occurred_at": "2026-11-23T09:58:00Z",
                },
            }
        )
