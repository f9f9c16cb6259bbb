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
    CONFLICT); this counter is the only trace of them. One row per day,
    account and scope, bumped with an UPSERT only when a duplicate occurs.
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
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS logistics_duplicate_stat_uniq
                ON logistics_duplicate_stat (date, scope, COALESCE(account_id, 0))
            """
        )

    @api.model
    def _bump(self, scope, account_id=None, count=1, account_sql=None, params=()):
        """Count ``count`` duplicates today (UTC); ``account_sql`` may give the
        account as a sub-select instead of ``account_id``."""
        if count <= 0:
            return
        account = f"({account_sql})" if account_sql else "%s"
        args = tuple(params) if account_sql else (account_id or None,)
        self.env.cr.execute(
            f"""
            INSERT INTO logistics_duplicate_stat
                (date, account_id, scope, count, create_date, write_date)
            VALUES ((now() at time zone 'UTC')::date, {account}, %s, %s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (date, scope, (COALESCE(account_id, 0)))
            DO UPDATE SET count = logistics_duplicate_stat.count + EXCLUDED.count,
                          write_date = EXCLUDED.write_date
            """,
            (*args, scope, count),
        )
        self.invalidate_model(["count"])
