# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time

from psycopg2 import errors as pg_errors

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
)


class IntegrationLogSink:
    """Collects the adapter's request/response entries and stores them.

    Entries arrive already masked by the adapter's HTTP client. They are kept
    in memory during the call and flushed in one ``create`` on the caller's
    transaction, on a cursor of their own when that transaction is about to
    be rolled back (retry, failure) so that no trace is lost, or taken
    (``take``) by a caller that records them with the attempt's outcome in a
    transaction of its own.
    """

    def __init__(self, env, account=None, shipment=None):
        self.env = env
        self.account_id = account.id if account else False
        self.company_id = (shipment.company_id.id if shipment else False) or (
            account.company_id.id if account else False
        )
        self.shipment_id = shipment.id if shipment else False
        self.entries = []

    def __call__(self, entry):
        self.entries.append(entry)

    def _vals(self):
        vals_list = []
        for entry in self.entries:
            status = entry.get("status_code")
            vals_list.append(
                {
                    "account_id": self.account_id,
                    "shipment_id": self.shipment_id,
                    "company_id": self.company_id,
                    "operation": entry.get("operation") or "",
                    "method": entry.get("method") or "",
                    "url": entry.get("url") or "",
                    "request_headers": _as_text(entry.get("request_headers")),
                    "request_body": _as_text(entry.get("request_body")),
                    "response_headers": _as_text(entry.get("response_headers")),
                    "response_body": _as_text(entry.get("response_body")),
                    "status_code": status or 0,
                    "latency_ms": entry.get("latency_ms") or 0.0,
                    "correlation_id": entry.get("correlation_id") or "",
                    "error": entry.get("error") or False,
                    "state": "ok"
                    if status and status < 400 and not entry.get("error")
                    else "error",
                }
            )
        return vals_list

    def take(self):
        """The collected entries as log values, emptying the sink (for a
        caller that writes them in a transaction of its own)."""
        vals_list = self._vals()
        self.entries = []
        return vals_list

    def flush(self, own_cursor=False):
        if not self.entries:
            return
        vals_list = self.take()
        if own_cursor:
            self._create_on_own_cursor(vals_list)
        else:
            self.env["logistics.integration.log"].sudo().create(vals_list)

    def _create_on_own_cursor(self, vals_list):
        """A short transaction of its own, retried on a concurrency error
        (its snapshot is fresh: a retry sees what the other one committed)."""
        for attempt in range(5):
            try:
                with self.env.registry.cursor() as cr:
                    self.env(cr=cr)["logistics.integration.log"].sudo().create(
                        vals_list
                    )
                return
            except CONCURRENCY_ERRORS:
                time.sleep(0.05 * (attempt + 1))
        _logger.warning(
            "Integration log: %s entries of account %s not stored (busy)",
            len(vals_list),
            self.account_id,
        )


def _as_text(value):
    if value is None:
        return False
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, indent=1, sort_keys=True, default=str)
    return str(value)


class LogisticsIntegrationLog(models.Model):
    _name = "logistics.integration.log"
    _description = "Carrier Integration Log"
    _order = "id desc"
    _rec_name = "operation"

    account_id = fields.Many2one(
        "logistics.carrier.account", index=True, ondelete="set null"
    )
    carrier_code = fields.Selection(related="account_id.carrier_code")
    shipment_id = fields.Many2one("logistics.shipment", index=True, ondelete="set null")
    company_id = fields.Many2one("res.company", index=True)
    operation = fields.Char(index=True)
    method = fields.Char()
    url = fields.Char(string="URL")
    request_headers = fields.Text()
    request_body = fields.Text()
    response_headers = fields.Text()
    response_body = fields.Text()
    status_code = fields.Integer(string="HTTP Status")
    latency_ms = fields.Float(string="Latency (ms)", digits=(16, 1))
    correlation_id = fields.Char(index=True)
    error = fields.Text()
    state = fields.Selection([("ok", "OK"), ("error", "Error")], index=True)

    # Carrier answers off the published specification are log rows whose
    # operation ends in ":spec_mismatch"; the account counts them through
    # this partial index (no counter row updated beside the dispatch: see
    # _count_spec_mismatches).
    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS logistics_integration_log_spec_mismatch_idx "
            "ON logistics_integration_log (account_id) "
            "WHERE operation LIKE '%:spec_mismatch'"
        )

    @api.model
    def _count_spec_mismatches(self, account_ids):
        """{account id: number of answers off the carrier's specification}."""
        if not account_ids:
            return {}
        self.env.cr.execute(
            "SELECT account_id, count(*) FROM logistics_integration_log "
            "WHERE account_id = ANY(%s) AND operation LIKE '%%:spec_mismatch' "
            "GROUP BY account_id",
            (list(account_ids),),
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _make_sink(self, account=None, shipment=None):
        return IntegrationLogSink(self.env, account=account, shipment=shipment)

    @api.model
    def _gc_old_logs(self, limit=50000):
        """Prune entries older than the retention period (cron)."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("logistics.integration_log_retention_days", 30)
        )
        self.env.cr.execute(
            """
            DELETE FROM logistics_integration_log
             WHERE id IN (
                SELECT id FROM logistics_integration_log
                 WHERE create_date < (now() at time zone 'UTC') - %s * interval '1 day'
                 LIMIT %s)
            """,
            (days, limit),
        )
        count = self.env.cr.rowcount
        _logger.info(
            "Integration log: %s entries older than %s days pruned", count, days
        )
        return count
