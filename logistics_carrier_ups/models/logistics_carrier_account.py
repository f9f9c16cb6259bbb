# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import secrets
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.logistics_connector_base.caller import check_caller

from logistics_carriers import CarrierError
from logistics_carriers.ups import LABEL_FORMATS, SHIPPER_NUMBER_RE

ADMIN_GROUP = "logistics_connector_base.group_logistics_admin"

_logger = logging.getLogger(__name__)

# Shipments still moving: their Track Alert subscriptions are kept alive.
ALERT_STATES = ("label_created", "picked_up", "in_transit", "out_for_delivery")
ALERT_RENEW_MARGIN = timedelta(days=2)  # renew this long before the 14 days end
ALERT_MAX_ATTEMPTS = 5  # failed subscription calls before a number is left


class LogisticsCarrierAccount(models.Model):
    _inherit = "logistics.carrier.account"

    carrier_code = fields.Selection(
        selection_add=[("ups", "UPS")],
        ondelete={"ups": "cascade"},
    )
    ups_negotiated_rates = fields.Boolean(
        string="UPS Negotiated Rates",
        help="Ask UPS for the account's negotiated rates (quotes and shipment "
        "charges). The UPS account must be enabled for them.",
    )
    ups_label_stock_size = fields.Selection(
        [("6", "4 x 6 in"), ("8", "4 x 8 in")],
        string="UPS Thermal Label Size",
        default="6",
        help="Label stock of ZPL labels (thermal printers).",
    )
    ups_weight_unit = fields.Selection(
        [
            ("auto", "Automatic (pounds/inches from the US and Puerto Rico)"),
            ("KGS", "Kilograms and centimetres"),
            ("LBS", "Pounds and inches"),
        ],
        string="UPS Units",
        default="auto",
        required=True,
        help="Units of the weights and dimensions sent to UPS. UPS expects the "
        "units of the shipper's country.",
    )
    ups_street_validation = fields.Boolean(
        string="UPS Street-level Address Validation",
        help="The UPS account is enabled for street-level address validation "
        "(United States and Puerto Rico addresses).",
    )

    ups_track_alert = fields.Selection(
        [
            ("off", "Off (polling only)"),
            ("v1", "Subscribe each package, pushes to this account's webhook URL"),
            ("v2", "Subscribe each package, destination set on the UPS portal"),
        ],
        string="UPS Track Alert",
        default="off",
        required=True,
        help="Track Alert pushes tracking updates to Odoo. Each package is "
        "subscribed when its label is created; UPS keeps a subscription 14 days, "
        "so a scheduled action renews those of shipments still on their way. "
        "With 'webhook URL' (v1), UPS sends the account's webhook secret back "
        "with every push; with 'UPS portal' (v2), enter the token URL, the "
        "OAuth client ID and the webhook secret (client secret) there: UPS "
        "then pushes with short-lived bearer tokens from this database. "
        "Polling remains the safety net (UPS does not resend pushes).",
    )
    ups_oauth_client_id = fields.Char(
        string="UPS Track Alert OAuth Client ID",
        groups=ADMIN_GROUP,
        copy=False,
        readonly=True,
        default=lambda self: "ups-" + secrets.token_hex(8),
        help="Track Alert v2: the client ID to enter on the UPS portal (Manage "
        "Webhook Credentials) with the token URL below; the client secret is "
        "the account's webhook secret (rotated with it). UPS sends this id as "
        "x-api-key with every push. Public, not a secret.",
    )
    ups_oauth_token_url = fields.Char(
        string="UPS Track Alert Token URL",
        compute="_compute_ups_oauth_token_url",
        groups=ADMIN_GROUP,
        help="Track Alert v2: the OAuth 2 token URL (client credentials, "
        "client_secret_basic) from which UPS obtains the short-lived bearer "
        "token it sends with every push.",
    )
    ups_commercial_invoice = fields.Boolean(
        string="UPS Commercial Invoice",
        default=True,
        help="For shipments leaving the customs area, UPS receives the invoice "
        "lines (international forms) and prints the commercial invoice. Off: "
        "only the description of goods is sent; you provide the invoice.",
    )

    def init(self):
        """Accounts that existed before the field share the one default Odoo
        wrote when adding the column: give each its own client id."""
        self.env.cr.execute(
            """
            UPDATE logistics_carrier_account a
               SET ups_oauth_client_id = 'ups-' || substr(md5(random()::text
                                                  || a.id::text), 1, 16)
             WHERE a.ups_oauth_client_id IS NULL
                OR a.ups_oauth_client_id IN (
                    SELECT ups_oauth_client_id FROM logistics_carrier_account
                     GROUP BY ups_oauth_client_id HAVING count(*) > 1)
            """
        )

    @api.depends("carrier_code", "webhook_token")
    def _compute_ups_oauth_token_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for account in self:
            account.ups_oauth_token_url = (
                f"{base}/logistics/oauth/ups/{account.webhook_token}/token"
                if account.carrier_code == "ups" and account.webhook_token
                else False
            )

    @api.constrains("carrier_code", "account_number")
    def _check_ups_shipper_number(self):
        for account in self.filtered(lambda a: a.carrier_code == "ups"):
            number = (account.account_number or "").strip().upper()
            if number and not SHIPPER_NUMBER_RE.fullmatch(number):
                raise ValidationError(
                    _(
                        "The UPS account number of %(account)s must be the "
                        "6-character UPS shipper number (letters and digits), "
                        "not %(number)r.",
                        account=account.display_name,
                        number=account.account_number,
                    )
                )

    @api.onchange("carrier_code")
    def _onchange_carrier_code_ups(self):
        if self.carrier_code == "ups" and self.label_format not in LABEL_FORMATS:
            self.label_format = "GIF"  # UPS prints no PDF labels

    def _get_adapter_extra(self):
        extra = super()._get_adapter_extra()
        if self.carrier_code == "ups":
            extra.update(
                {
                    "negotiated_rates": bool(self.ups_negotiated_rates),
                    "label_stock_size": self.ups_label_stock_size or "6",
                    "weight_unit": self.ups_weight_unit or "auto",
                    "street_validation": bool(self.ups_street_validation),
                    "commercial_invoice": bool(self.ups_commercial_invoice),
                    "oauth_client_id": self.sudo().ups_oauth_client_id or "",
                }
            )
        return extra

    def action_ups_test_connection(self):
        """Fetch a fresh OAuth token: proves the credentials and the URL."""
        self.ensure_one()
        check_caller(self, "admin", "write")
        if self.carrier_code != "ups":
            raise UserError(_("%s is not a UPS account.", self.display_name))
        adapter = self._get_adapter()
        try:
            adapter.get_token(force=True)
        except CarrierError as err:
            adapter.log_sink.flush(own_cursor=True)
            raise UserError(
                _(
                    "UPS refused the connection of %(account)s: %(error)s",
                    account=self.display_name,
                    error=err,
                )
            ) from err
        adapter.log_sink.flush()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("UPS connection works"),
                "message": _(
                    "UPS issued a token for %(account)s (%(url)s).",
                    account=self.display_name,
                    url=adapter.token_url(),
                ),
                "sticky": False,
            },
        }

    # ------------------------------------------------------------------
    # Track Alert subscriptions
    # ------------------------------------------------------------------
    def _ups_enqueue_track_alerts(self):
        """Queue one subscription job per account (pending labels join it)."""
        for account in self.filtered(
            lambda a: a.carrier_code == "ups" and a.ups_track_alert != "off"
        ):
            account.with_delay(
                channel="root.logistics.inbound",
                identity_key=f"ups-track-alert-{account.id}",
                eta=5,  # labels created meanwhile join this call
                description=_("Track Alert subscriptions of %s", account.name),
            )._ups_sync_track_alerts()

    @api.model
    def _ups_alert_domain(self, now=None):
        """Packages to subscribe: new, failed before, or about to expire."""
        now = now or fields.Datetime.now()
        return [
            ("shipment_id.carrier_code", "=", "ups"),
            ("shipment_id.state", "in", ALERT_STATES),
            ("tracking_number", "!=", False),
            ("ups_voided", "=", False),
            "|",
            ("ups_alert_state", "in", ("pending", "failed")),
            "&",
            ("ups_alert_state", "=", "subscribed"),
            ("ups_alert_expires_at", "<=", now + ALERT_RENEW_MARGIN),
        ]

    @api.model
    def _cron_ups_track_alerts(self):
        """Subscribe what is pending and renew what expires within two days."""
        accounts = self.search(
            [("carrier_code", "=", "ups"), ("ups_track_alert", "!=", "off")]
        )
        done = 0
        for account in accounts:
            done += account._ups_sync_track_alerts_isolated()
        return done

    def _ups_sync_track_alerts_isolated(self):
        """One account's sync on a savepoint: its failure (a bug, a database
        error) is logged and recorded, and the other accounts still run.

        A lost connection or a serialization failure is the transaction's,
        not the account's: it is raised (the cron runs again).
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return self._ups_sync_track_alerts()
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            raise
        except Exception as err:
            self.env.invalidate_all()
            _logger.warning(
                "Track Alert subscriptions of account %s (id %s) failed: %r",
                self.name,
                self.id,
                err,
            )
            self._ups_record_sync_failure(err)
            return 0

    def _ups_record_sync_failure(self, error):
        """Where an operator sees it: the due packages keep the reason (and
        count the attempt, so that a lasting fault stops at the cap), the
        account's chatter says what failed."""
        account = self.sudo()
        message = _("Track Alert subscriptions failed: %s", error)
        try:
            with self.env.cr.savepoint():
                packages = (
                    self.env["logistics.shipment.package"]
                    .sudo()
                    .search(
                        [
                            ("shipment_id.account_id", "=", account.id),
                            ("ups_alert_attempts", "<", ALERT_MAX_ATTEMPTS),
                        ]
                        + self._ups_alert_domain(),
                        limit=2000,
                    )
                )
                packages._ups_alert_failed(message)
                account._message_log(body=message)
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            raise
        except Exception as err:
            self.env.invalidate_all()
            _logger.warning(
                "Track Alert failure of account %s not recorded: %r", account.id, err
            )

    def _ups_sync_track_alerts(self, limit=2000):
        """Subscribe this account's due packages (100 per UPS call).

        Set-based: one search, one write per outcome. A failure never
        touches the shipment: the packages stay due (``failed``) and the next
        run retries them, up to ``ALERT_MAX_ATTEMPTS`` calls.
        """
        self.ensure_one()
        account = self.sudo()
        if account.carrier_code != "ups" or account.ups_track_alert == "off":
            return 0
        package_model = self.env["logistics.shipment.package"].sudo()
        packages = package_model.search(
            [
                ("shipment_id.account_id", "=", account.id),
                ("ups_alert_attempts", "<", ALERT_MAX_ATTEMPTS),
            ]
            + self._ups_alert_domain(),
            order="ups_alert_expires_at asc nulls first, id",
            limit=limit,
        )
        if not packages:
            return 0
        adapter = account._get_adapter()
        options = {}
        if account.ups_track_alert == "v1":
            options = {
                "webhook_url": account.webhook_url,
                "credential": account.webhook_secret,
            }
            if not (account.webhook_url and account.webhook_secret):
                packages._ups_alert_failed(
                    _("The account has no webhook URL or webhook secret.")
                )
                return 0
        country = account.company_id.partner_id.country_id.code or "US"
        try:
            result = adapter.subscribe(
                packages.mapped("tracking_number"), country_code=country, **options
            )
        except CarrierError as err:
            adapter.log_sink.flush()
            _logger.info("Track Alert subscription of %s failed: %s", account.name, err)
            packages._ups_alert_failed(str(err))
            return 0
        adapter.log_sink.flush()
        valid = set(result.valid)
        invalid = set(result.invalid)
        subscribed = packages.filtered(lambda p: p.tracking_number in valid)
        refused = packages.filtered(lambda p: p.tracking_number in invalid)
        if subscribed:
            subscribed.write(
                {
                    "ups_alert_state": "subscribed",
                    "ups_alert_expires_at": fields.Datetime.to_datetime(
                        result.expires_at.replace(tzinfo=None)
                    ),
                    "ups_alert_attempts": 0,
                    "ups_alert_error": False,
                }
            )
        if refused:
            refused.write(
                {
                    "ups_alert_state": "invalid",
                    "ups_alert_error": "; ".join(result.messages)
                    or _("UPS refused the tracking number."),
                }
            )
        missing = packages - subscribed - refused
        if missing:
            missing._ups_alert_failed(_("UPS did not confirm the subscription."))
        return len(subscribed)
