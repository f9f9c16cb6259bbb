# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.logistics_connector_base.caller import check_caller

PERIODS = [
    ("today", "Today"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("custom", "Custom"),
]


class LogisticsOverview(models.TransientModel):
    """The supervisor's headline numbers for a period, a carrier, a
    warehouse and a sales channel; each tile opens its dashboard with the
    same filters. The numbers are the dashboards' own (same read_group)."""

    _name = "logistics.overview"
    _description = "Logistics Overview"

    period = fields.Selection(PERIODS, required=True, default="7d")
    date_from = fields.Date(
        default=lambda self: fields.Date.today() - timedelta(days=6)
    )
    date_to = fields.Date(default=fields.Date.today)
    carrier_id = fields.Many2one("delivery.carrier", string="Shipping Method")
    account_id = fields.Many2one("logistics.carrier.account", string="Carrier Account")
    warehouse_id = fields.Many2one("stock.warehouse")
    sales_team_id = fields.Many2one("crm.team", string="Sales Channel")

    shipment_count = fields.Integer(compute="_compute_kpis", string="Shipments")
    success_rate = fields.Float(compute="_compute_kpis", string="Creation Success (%)")
    failed_count = fields.Integer(compute="_compute_kpis", string="Creation Failures")
    release_p50 = fields.Float(
        compute="_compute_kpis", string="Release→Label Median (min)"
    )
    release_p95 = fields.Float(
        compute="_compute_kpis", string="Release→Label p95 (min)"
    )
    retry_success_rate = fields.Float(
        compute="_compute_kpis", string="Retry Success (%)"
    )
    event_count = fields.Integer(compute="_compute_kpis", string="Tracking Events")
    latency_p50 = fields.Float(
        compute="_compute_kpis", string="Event Latency Median (min)"
    )
    latency_p95 = fields.Float(
        compute="_compute_kpis", string="Event Latency p95 (min)"
    )
    exception_count = fields.Integer(
        compute="_compute_kpis", string="Exceptions Raised"
    )
    open_exception_count = fields.Integer(
        compute="_compute_kpis", string="Open Exceptions"
    )
    overdue_exception_count = fields.Integer(compute="_compute_kpis", string="Overdue")
    duplicate_count = fields.Integer(
        compute="_compute_kpis", string="Duplicates Absorbed"
    )
    dead_letter_count = fields.Integer(compute="_compute_kpis", string="Dead Letters")
    inbox_backlog = fields.Integer(compute="_compute_kpis")
    oldest_unresolved_minutes = fields.Float(
        compute="_compute_kpis", string="Oldest Unresolved Message (min)"
    )
    queue_depth = fields.Integer(compute="_compute_kpis", string="Waiting Dispatch")
    open_breaker_count = fields.Integer(compute="_compute_kpis", string="Open Breakers")
    error_rate_1h = fields.Float(compute="_compute_kpis", string="Error Rate 1 h (%)")

    @api.onchange("period")
    def _onchange_period(self):
        today = fields.Date.context_today(self)
        days = {"today": 0, "7d": 6, "30d": 29}.get(self.period)
        if days is not None:
            self.date_from = today - timedelta(days=days)
            self.date_to = today

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for overview in self:
            if (
                overview.date_from
                and overview.date_to
                and overview.date_from > overview.date_to
            ):
                raise ValidationError(
                    _("The period starts after it ends: swap the two dates.")
                )

    def _period_domain(self, date_field="date"):
        self.ensure_one()
        domain = []
        if self.date_from:
            domain.append(
                (date_field, ">=", datetime.combine(self.date_from, time.min))
            )
        if self.date_to:
            domain.append(
                (
                    date_field,
                    "<",
                    datetime.combine(self.date_to + timedelta(days=1), time.min),
                )
            )
        return domain

    def _filter_domain(self, carrier=True, warehouse=True, team=True, account=True):
        self.ensure_one()
        domain = []
        if carrier and self.carrier_id:
            domain.append(("carrier_id", "=", self.carrier_id.id))
        if account and self.account_id:
            domain.append(("account_id", "=", self.account_id.id))
        if warehouse and self.warehouse_id:
            domain.append(("warehouse_id", "=", self.warehouse_id.id))
        if team and self.sales_team_id:
            domain.append(("sales_team_id", "=", self.sales_team_id.id))
        return domain

    def _shipment_domain(self):
        return self._period_domain() + self._filter_domain()

    def _event_domain(self):
        return self._period_domain() + self._filter_domain()

    def _exception_domain(self):
        return self._period_domain("create_date") + self._filter_domain()

    @api.depends(
        "date_from", "date_to", "carrier_id", "account_id", "warehouse_id",
        "sales_team_id",
    )  # fmt: skip
    def _compute_kpis(self):
        for overview in self:
            overview.update(overview._kpis())

    def _kpis(self):
        self.ensure_one()
        env = self.env
        ship = env["logistics.shipment.report"]._read_group(
            self._shipment_domain(),
            [],
            [
                "__count",
                "success_rate:avg",
                "release_p50:avg",
                "release_p95:avg",
                "retry_success_rate:avg",
            ],
        )[0]
        failed = env["logistics.shipment.report"].search_count(
            self._shipment_domain() + [("is_failed", "=", True)]
        )
        event = env["logistics.event.report"]._read_group(
            self._event_domain(), [], ["__count", "latency_p50:avg", "latency_p95:avg"]
        )[0]
        exceptions = env["logistics.exception"]
        now = fields.Datetime.now()
        open_domain = [("state", "=", "open")] + self._filter_domain()
        health_domain = []
        if self.account_id:
            health_domain.append(("account_id", "=", self.account_id.id))
        elif self.carrier_id.logistics_account_id:
            health_domain.append(
                ("account_id", "=", self.carrier_id.logistics_account_id.id)
            )
        health = env["logistics.account.health"]._read_group(
            health_domain,
            [],
            [
                "dead_letters:sum",
                "inbox_pending:sum",
                "inbox_failed:sum",
                "oldest_unresolved_minutes:max",
                "queue_depth:sum",
                "calls_1h:sum",
                "errors_1h:sum",
            ],
        )[0]
        open_breakers = env["logistics.account.health"].search_count(
            health_domain + [("breaker_state", "!=", "closed")]
        )
        dup_domain = []
        if self.date_from:
            dup_domain.append(("date", ">=", self.date_from))
        if self.date_to:
            dup_domain.append(("date", "<=", self.date_to))
        if health_domain:
            dup_domain += health_domain
        duplicates = env["logistics.duplicate.stat"]._read_group(
            dup_domain, [], ["count:sum"]
        )[0][0]
        calls, errors = health[5] or 0, health[6] or 0
        return {
            "shipment_count": ship[0],
            "success_rate": ship[1] or 0.0,
            "failed_count": failed,
            "release_p50": ship[2] or 0.0,
            "release_p95": ship[3] or 0.0,
            "retry_success_rate": ship[4] or 0.0,
            "event_count": event[0],
            "latency_p50": event[1] or 0.0,
            "latency_p95": event[2] or 0.0,
            "exception_count": exceptions.search_count(self._exception_domain()),
            "open_exception_count": exceptions.search_count(open_domain),
            "overdue_exception_count": exceptions.search_count(
                open_domain + [("date_deadline", "<", now)]
            ),
            "duplicate_count": duplicates or 0,
            "dead_letter_count": health[0] or 0,
            "inbox_backlog": (health[1] or 0) + (health[2] or 0),
            "oldest_unresolved_minutes": health[3] or 0.0,
            "queue_depth": health[4] or 0,
            "open_breaker_count": open_breakers,
            "error_rate_1h": 100.0 * errors / calls if calls else 0.0,
        }

    # ------------------------------------------------------------------
    # Tiles open their dashboard with the same filters
    # ------------------------------------------------------------------
    def _open(self, xmlid, domain):
        action = self.env["ir.actions.actions"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = {}
        return action

    def action_open_shipments(self):
        check_caller(self, "supervisor")
        return self._open(
            "logistics_monitoring.action_logistics_shipment_report",
            self._shipment_domain(),
        )

    def action_open_events(self):
        check_caller(self, "supervisor")
        return self._open(
            "logistics_monitoring.action_logistics_event_report", self._event_domain()
        )

    def action_open_exceptions(self):
        check_caller(self, "supervisor")
        return self._open(
            "logistics_monitoring.action_logistics_exception_analysis",
            self._exception_domain(),
        )

    def action_open_board(self):
        check_caller(self, "supervisor")
        action = self._open(
            "logistics_connector_base.action_logistics_exception",
            [("state", "=", "open")] + self._filter_domain(),
        )
        return action

    def action_open_health(self):
        check_caller(self, "supervisor")
        return self._open("logistics_monitoring.action_logistics_account_health", [])

    def action_open_duplicates(self):
        check_caller(self, "supervisor")
        return self._open("logistics_monitoring.action_logistics_duplicate_stat", [])
