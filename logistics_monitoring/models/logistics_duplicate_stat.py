# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

SCOPES = [
    ("ledger", "Idempotency ledger (replayed result)"),
    ("inbox", "Inbox (message received twice)"),
    ("event", "Tracking event (already recorded)"),
]


class LogisticsDuplicateStat(models.Model):
    """Duplicates absorbed per day, carrier account and layer.

    The ledger, the inbox and the event table drop duplicates silently (ON
    CONFLICT); this table is the only trace of them. It is insert-only on the
    hot path: each absorbed duplicate (or batch of them) adds a row, so
    concurrent webhooks and jobs never update one shared counter row (an
    UPSERT on it failed with serialization errors under identical pushes).
    Views and the overview sum ``count``; a daily cron folds the rows of past
    days into one per day, account and layer.
    """

    _name = "logistics.duplicate.stat"
    _description = "Logistics Duplicates Absorbed"
    _order = "date desc, id desc"

    date = fields.Date(required=True, index=True, readonly=True)
    account_id = fields.Many2one(
        "logistics.carrier.account", index=True, readonly=True, ondelete="cascade"
    )
    carrier_code = fields.Selection(related="account_id.carrier_code", store=True)
    scope = fields.Selection(SCOPES, required=True, readonly=True)
    count = fields.Integer(string="Duplicates", readonly=True)

    def init(self):
        # was one counter row per day, scope and account (UPSERT): insert-only now
        self.env.cr.execute("DROP INDEX IF EXISTS logistics_duplicate_stat_uniq")

    @api.model
    def _bump(self, scope, account_id=None, count=1, account_sql=None, params=()):
        """Count ``count`` duplicates today (UTC); ``account_sql`` may give the
        account as a sub-select instead of ``account_id``. A plain INSERT:
        it cannot conflict with a concurrent bump."""
        if count <= 0:
            return
        account = f"({account_sql})" if account_sql else "%s"
        args = tuple(params) if account_sql else (account_id or None,)
        self.env.cr.execute(
            f"""
            INSERT INTO logistics_duplicate_stat
                (date, account_id, scope, count, carrier_code,
                 create_date, write_date)
            SELECT d.date, d.account_id, d.scope, d.count, a.carrier_code,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM (SELECT (now() at time zone 'UTC')::date AS date,
                           {account}::int AS account_id, %s::varchar AS scope,
                           %s::int AS count) d
              LEFT JOIN logistics_carrier_account a ON a.id = d.account_id
            """,
            (*args, scope, count),
        )
        self.invalidate_model(["count"])

    @api.model
    def _compact(self):
        """Cron: fold the rows of past days into one per day, account, layer.

        Bumps only ever insert today's rows, so this never touches a row a
        concurrent transaction writes."""
        self.env.cr.execute(
            """
            WITH gone AS (
                DELETE FROM logistics_duplicate_stat
                 WHERE date < (now() at time zone 'UTC')::date
                   AND (date, scope, COALESCE(account_id, 0)) IN (
                        SELECT date, scope, COALESCE(account_id, 0)
                          FROM logistics_duplicate_stat
                         WHERE date < (now() at time zone 'UTC')::date
                         GROUP BY 1, 2, 3 HAVING count(*) > 1)
                RETURNING date, account_id, scope, count, carrier_code
            )
            INSERT INTO logistics_duplicate_stat
                (date, account_id, scope, count, carrier_code,
                 create_date, write_date)
            SELECT date, account_id, scope, sum(count), max(carrier_code),
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM gone
             GROUP BY date, account_id, scope
            """
        )
        self.invalidate_model()
        return self.env.cr.rowcount
