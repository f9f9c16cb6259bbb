# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from odoo.addons.logistics_connector_base.models.logistics_shipment import (
    OUTBOUND_CHANNEL,
)


class LogisticsAccountHealth(models.Model):
    """Integration health, one line per carrier account, computed live.

    Circuit breaker, dispatch queue depth, inbox backlog and the age of its
    oldest unresolved message, dead letters, and the error rate of the calls
    of the last hour (integration log), answers off the carrier's specification.
    """

    _name = "logistics.account.health"
    _description = "Carrier Account Health"
    _auto = False
    _order = "account_id"
    _rec_name = "account_id"

    account_id = fields.Many2one(
        "logistics.carrier.account", string="Carrier Account", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    carrier_code = fields.Char(string="Carrier", readonly=True)
    breaker_state = fields.Selection(
        [("closed", "Closed"), ("open", "Open"), ("half_open", "Half-open")],
        readonly=True,
    )
    breaker_failures = fields.Integer(
        string="Consecutive Failures", group_operator="sum", readonly=True
    )
    queue_depth = fields.Integer(
        string="Waiting Dispatch",
        group_operator="sum",
        readonly=True,
        help="Shipments sent to the carrier and not yet accepted.",
    )
    jobs_pending = fields.Integer(
        string="Pending Jobs",
        group_operator="sum",
        readonly=True,
        help="Dispatch jobs of the account waiting for a worker.",
    )
    inbox_pending = fields.Integer(group_operator="sum", readonly=True)
    inbox_failed = fields.Integer(group_operator="sum", readonly=True)
    oldest_unresolved_minutes = fields.Float(
        string="Oldest Unresolved Message (min)", group_operator="max", readonly=True
    )
    dead_letters = fields.Integer(group_operator="sum", readonly=True)
    open_exceptions = fields.Integer(group_operator="sum", readonly=True)
    calls_1h = fields.Integer(string="Calls (1 h)", group_operator="sum", readonly=True)
    errors_1h = fields.Integer(
        string="Errors (1 h)", group_operator="sum", readonly=True
    )
    error_rate_1h = fields.Float(
        string="Error Rate (1 h, %)", group_operator="avg", readonly=True
    )
    spec_mismatches = fields.Integer(
        string="Answers Off-Specification",
        group_operator="sum",
        readonly=True,
        help="Carrier answers that did not match the carrier's published "
        "specification, kept masked in the integration log.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                WITH now_utc AS (SELECT now() at time zone 'UTC' AS now),
                log AS (
                    SELECT l.account_id, count(*) AS calls,
                           count(*) FILTER (WHERE l.state = 'error') AS errors
                      FROM logistics_integration_log l, now_utc
                     WHERE l.create_date > now_utc.now - interval '1 hour'
                     GROUP BY l.account_id
                ),
                inbox AS (
                    SELECT m.account_id,
                           count(*) FILTER (WHERE m.state = 'pending') AS pending,
                           count(*) FILTER (WHERE m.state = 'failed') AS failed,
                           min(m.received_at) AS oldest
                      FROM logistics_inbound_message m
                     WHERE m.state IN ('pending', 'failed')
                     GROUP BY m.account_id
                ),
                waiting AS (
                    SELECT s.account_id, count(*) AS n
                      FROM logistics_shipment s
                     WHERE s.state IN ('queued', 'submitted')
                       AND s.carrier_shipment_id IS NULL
                     GROUP BY s.account_id
                ),
                jobs AS (
                    SELECT s.account_id,
                           count(*) FILTER (WHERE j.state IN
                               ('pending', 'enqueued', 'started')) AS pending,
                           count(*) FILTER (WHERE j.state = 'failed') AS failed
                      FROM queue_job j
                      JOIN logistics_shipment s
                        ON s.id = (j.records::jsonb -> 'ids' ->> 0)::int
                     WHERE j.channel = %s
                       AND j.model_name = 'logistics.shipment'
                       AND j.state IN ('pending', 'enqueued', 'started', 'failed')
                     GROUP BY s.account_id
                ),
                mismatch AS (
                    -- served by the partial index of logistics.integration.log
                    SELECT l.account_id, count(*) AS n
                      FROM logistics_integration_log l
                     WHERE l.operation LIKE '%%:spec_mismatch'
                     GROUP BY l.account_id
                ),
                exc AS (
                    SELECT s.account_id,
                           count(*) AS open,
                           count(*) FILTER (WHERE e.category IN
                               ('dispatch_failed', 'dead_letter')) AS dead
                      FROM logistics_exception e
                      JOIN logistics_shipment s ON s.id = e.shipment_id
                     WHERE e.state = 'open'
                     GROUP BY s.account_id
                )
                SELECT a.id, a.id AS account_id, a.company_id, a.carrier_code,
                       CASE WHEN a.breaker_open_until > now_utc.now THEN 'open'
                            WHEN a.breaker_open_until IS NOT NULL THEN 'half_open'
                            ELSE 'closed' END AS breaker_state,
                       a.breaker_failures,
                       COALESCE(waiting.n, 0) AS queue_depth,
                       COALESCE(jobs.pending, 0) AS jobs_pending,
                       COALESCE(inbox.pending, 0) AS inbox_pending,
                       COALESCE(inbox.failed, 0) AS inbox_failed,
                       GREATEST(COALESCE(EXTRACT(EPOCH FROM now_utc.now - inbox.oldest)
                                         / 60.0, 0), 0) AS oldest_unresolved_minutes,
                       COALESCE(exc.dead, 0) + COALESCE(jobs.failed, 0)
                           AS dead_letters,
                       COALESCE(exc.open, 0) AS open_exceptions,
                       COALESCE(log.calls, 0) AS calls_1h,
                       COALESCE(log.errors, 0) AS errors_1h,
                       CASE WHEN COALESCE(log.calls, 0) > 0
                            THEN 100.0 * log.errors / log.calls ELSE 0.0 END
                           AS error_rate_1h,
                       COALESCE(mismatch.n, 0) AS spec_mismatches
                  FROM logistics_carrier_account a
                  CROSS JOIN now_utc
                  LEFT JOIN log ON log.account_id = a.id
                  LEFT JOIN inbox ON inbox.account_id = a.id
                  LEFT JOIN waiting ON waiting.account_id = a.id
                  LEFT JOIN jobs ON jobs.account_id = a.id
                  LEFT JOIN exc ON exc.account_id = a.id
                  LEFT JOIN mismatch ON mismatch.account_id = a.id
                 WHERE a.active
            )
            """,
            (OUTBOUND_CHANNEL,),
        )
