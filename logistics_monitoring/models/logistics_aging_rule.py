# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Aging rules: a milestone not reached in time raises an exception.

Each rule is evaluated by ONE SQL statement (a CTE that finds the late
records, escalates the open exceptions they already have and inserts the
missing ones), whatever the number of shipments; the ORM only handles what
follows for the few exceptions raised or escalated (chatter, activities,
e-mail).
"""

import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.logistics_connector_base.caller import check_caller

from .logistics_exception import AGING_CATEGORIES, PRIORITIES

_logger = logging.getLogger(__name__)

MILESTONES = [
    ("no_acceptance", "No carrier acceptance after Send to carrier"),
    ("no_tracking", "No tracking update while in transit"),
    ("not_delivered_eod", "Out for delivery, not delivered by end of day"),
    ("no_pod", "Delivered without proof of delivery"),
    ("inbox_backlog", "Inbound messages unprocessed"),
    ("dead_letter", "Dead-letter jobs"),
]
MILESTONE_CATEGORY = {
    "no_acceptance": "no_acceptance",
    "no_tracking": "stale_tracking",
    "not_delivered_eod": "late_delivery",
    "no_pod": "missing_pod",
    "inbox_backlog": "inbox_backlog",
    "dead_letter": "dead_letter",
}
SHIPMENT_MILESTONES = ("no_acceptance", "no_tracking", "not_delivered_eod", "no_pod")
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}

# The late shipments of a milestone: columns (shipment_id, company_id,
# account_id, label). %(limit)s is the rule's threshold as a timestamp.
SHIPMENT_MATCH_SQL = {
    "no_acceptance": """
        s.state IN ('queued', 'submitted') AND s.label_at IS NULL
        AND s.queued_at IS NOT NULL AND s.queued_at <= %(limit)s
    """,
    "no_tracking": """
        s.state IN ('label_created', 'picked_up', 'in_transit', 'out_for_delivery')
        AND COALESCE(s.last_event_at, s.label_at) <= %(limit)s
    """,
    # end of the (company's local) day the shipment went out for delivery,
    # plus the threshold as grace
    "not_delivered_eod": """
        s.state = 'out_for_delivery' AND s.last_event_at IS NOT NULL
        AND ((date_trunc('day', (s.last_event_at AT TIME ZONE 'UTC')
                             AT TIME ZONE %(tz)s) + interval '1 day')
             AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
            <= %(now)s - %(threshold)s * interval '1 minute'
    """,
    "no_pod": """
        s.state = 'delivered' AND (s.pod_signatory IS NULL OR s.pod_signatory = '')
        AND COALESCE(s.delivered_at, s.last_event_at) <= %(limit)s
    """,
}

# Open aging exceptions whose condition no longer holds (one UPDATE each).
CLEARED_SQL = {
    "no_acceptance": """
        EXISTS (SELECT 1 FROM logistics_shipment s WHERE s.id = e.shipment_id
                AND (s.label_at IS NOT NULL OR s.state NOT IN ('queued', 'submitted')))
    """,
    "stale_tracking": """
        EXISTS (SELECT 1 FROM logistics_shipment s WHERE s.id = e.shipment_id
                AND (s.state IN ('delivered', 'cancelled', 'returned', 'lost')
                     OR s.last_tracked_at > e.create_date
                        AND s.last_event_at > e.create_date - interval '1 minute'))
    """,
    "late_delivery": """
        EXISTS (SELECT 1 FROM logistics_shipment s WHERE s.id = e.shipment_id
                AND s.state <> 'out_for_delivery')
    """,
    "missing_pod": """
        EXISTS (SELECT 1 FROM logistics_shipment s WHERE s.id = e.shipment_id
                AND (s.pod_signatory <> '' OR s.state <> 'delivered'))
    """,
    "inbox_backlog": """
        NOT EXISTS (SELECT 1 FROM logistics_inbound_message m
                    WHERE m.account_id = e.account_id AND m.state = 'pending')
    """,
    "dead_letter": """
        NOT EXISTS (SELECT 1 FROM queue_job j
                    WHERE j.uuid = e.job_uuid AND j.state = 'failed')
    """,
}


class LogisticsAgingRule(models.Model):
    _name = "logistics.aging.rule"
    _description = "Logistics Aging Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    milestone = fields.Selection(MILESTONES, required=True, tracking=True)
    category = fields.Selection(
        AGING_CATEGORIES,
        compute="_compute_category",
        store=True,
        string="Exception Category",
    )
    threshold = fields.Integer(
        required=True,
        default=60,
        tracking=True,
        help="How long the milestone may be late before the rule fires. For 'not "
        "delivered by end of day', the grace after midnight (company time zone).",
    )
    threshold_unit = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        required=True,
        default="minutes",
        tracking=True,
    )
    threshold_minutes = fields.Integer(compute="_compute_threshold_minutes")
    severity = fields.Selection(
        PRIORITIES,
        required=True,
        default="1",
        tracking=True,
        help="Priority of the exceptions raised. A more severe rule on the same "
        "milestone escalates the exceptions a milder one raised.",
    )
    action = fields.Selection(
        [
            ("exception", "Raise an exception"),
            ("activity", "Raise an exception and schedule an activity"),
            ("email", "Raise an exception, schedule an activity and e-mail"),
        ],
        required=True,
        default="activity",
        tracking=True,
    )
    carrier_ids = fields.Many2many(
        "delivery.carrier",
        string="Shipping Methods",
        help="Only shipments of these shipping methods (all when empty).",
    )
    warehouse_ids = fields.Many2many(
        "stock.warehouse",
        string="Warehouses",
        help="Only shipments leaving these warehouses (all when empty).",
    )
    account_ids = fields.Many2many(
        "logistics.carrier.account",
        string="Carrier Accounts",
        help="Only these carrier accounts (all when empty).",
    )
    team_id = fields.Many2one("logistics.exception.team", tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        help="Owner of the exceptions raised; default: the team leader, else the "
        "company's logistics responsible.",
    )
    deadline_hours = fields.Float(
        string="Deadline (hours)",
        default=4.0,
        help="Exceptions raised get a deadline this long after they are raised.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'logistics.aging.rule')]",
        default=lambda self: self.env.ref(
            "logistics_monitoring.mail_template_aging_alert", raise_if_not_found=False
        ),
    )
    last_run_at = fields.Datetime(readonly=True, copy=False)
    last_new_count = fields.Integer(
        string="Raised (last run)", readonly=True, copy=False
    )
    last_escalated_count = fields.Integer(
        string="Escalated (last run)", readonly=True, copy=False
    )
    open_exception_count = fields.Integer(compute="_compute_open_exception_count")

    _sql_constraints = [
        (
            "threshold_positive",
            "CHECK(threshold > 0)",
            "The threshold must be positive.",
        )
    ]

    @api.depends("milestone")
    def _compute_category(self):
        for rule in self:
            rule.category = MILESTONE_CATEGORY.get(rule.milestone)

    @api.depends("threshold", "threshold_unit")
    def _compute_threshold_minutes(self):
        for rule in self:
            rule.threshold_minutes = rule.threshold * UNIT_MINUTES.get(
                rule.threshold_unit, 1
            )

    def _compute_open_exception_count(self):
        counts = dict(
            self.env["logistics.exception"]._read_group(
                [("aging_rule_id", "in", self.ids), ("state", "=", "open")],
                ["aging_rule_id"],
                ["__count"],
            )
        )
        for rule in self:
            rule.open_exception_count = counts.get(rule, 0)

    @api.constrains("deadline_hours", "threshold")
    def _check_deadline(self):
        for rule in self:
            if rule.threshold <= 0:
                raise ValidationError(
                    _("The threshold of rule %s must be positive.", rule.name)
                )
            if rule.deadline_hours < 0:
                raise ValidationError(
                    _("The deadline of rule %s cannot be negative.", rule.name)
                )

    @api.constrains("milestone", "carrier_ids", "warehouse_ids")
    def _check_filters(self):
        for rule in self:
            if rule.milestone in ("inbox_backlog", "dead_letter") and (
                rule.carrier_ids or rule.warehouse_ids
            ):
                raise ValidationError(
                    _(
                        "Rule %s watches the integration, not shipments: filter it "
                        "by carrier account, not by shipping method or warehouse.",
                        rule.name,
                    )
                )

    def action_open_exceptions(self):
        self.ensure_one()
        check_caller(self, "supervisor")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_connector_base.action_logistics_exception"
        )
        action["domain"] = [("aging_rule_id", "=", self.id)]
        return action

    def action_run_now(self):
        """Evaluate these rules now: supervisors, rules of their companies only."""
        check_caller(self, "supervisor")
        self.env["logistics.exception"].check_access_rights("write")
        self.sudo()._evaluate()
        return True

    # ------------------------------------------------------------------
    # Evaluation
    # ------------------------------------------------------------------
    @api.model
    def _cron_evaluate(self):
        """Cron: refresh the age buckets, clear what recovered, run every rule."""
        now = fields.Datetime.now()
        exceptions = self.env["logistics.exception"]
        exceptions._refresh_age_buckets(now)
        self._clear_recovered(now)
        for rule in self.search([("active", "=", True)]):
            rule._evaluate_isolated(now)

    def _evaluate_isolated(self, now):
        """One rule on a savepoint: a rule that fails (its e-mail template, a
        user it assigns, the database) is logged at WARNING and noted in its
        chatter, and the other rules still run. A lost connection or a
        serialization failure is the transaction's: raised (the cron runs
        again)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return self._evaluate(now)
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            raise
        except Exception as err:
            self.env.invalidate_all()
            _logger.warning("Aging rule %s (id %s) failed: %r", self.name, self.id, err)
            try:
                with self.env.cr.savepoint():
                    self._message_log(
                        body=_("This rule failed when it last ran: %s", err)
                    )
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                raise
            except Exception as note_err:
                self.env.invalidate_all()
                _logger.warning(
                    "Failure of aging rule %s not recorded: %r", self.id, note_err
                )
            return {}

    def _evaluate(self, now=None):
        now = now or fields.Datetime.now()
        self.env["logistics.exception"].flush_model()
        self.env["logistics.shipment"].flush_model()
        result = {}
        for rule in self:
            new_ids, escalated_ids = rule._evaluate_one(now)
            rule._after_evaluate(new_ids, escalated_ids, now)
            result[rule.id] = (new_ids, escalated_ids)
        return result

    def _match_sql(self):
        """The SELECT of the late records: (shipment_id, account_id,
        company_id, job_uuid, label) rows."""
        self.ensure_one()
        if self.milestone in SHIPMENT_MILESTONES:
            filters = [SHIPMENT_MATCH_SQL[self.milestone]]
            if self.carrier_ids:
                filters.append("s.carrier_id = ANY(%(carriers)s)")
            if self.warehouse_ids:
                filters.append(
                    """EXISTS (SELECT 1 FROM stock_picking p
                    JOIN stock_picking_type pt ON pt.id = p.picking_type_id
                    WHERE p.id = s.picking_id
                      AND pt.warehouse_id = ANY(%(warehouses)s))"""
                )
            if self.account_ids:
                filters.append("s.account_id = ANY(%(accounts)s)")
            return f"""
                SELECT s.id AS shipment_id, s.account_id, s.company_id,
                       NULL::varchar AS job_uuid, s.name AS label
                  FROM logistics_shipment s
                 WHERE s.company_id = %(company)s AND {" AND ".join(filters)}
            """
        if self.milestone == "inbox_backlog":
            accounts = (
                "AND m.account_id = ANY(%(accounts)s)" if self.account_ids else ""
            )
            return f"""
                SELECT NULL::int AS shipment_id, a.id AS account_id,
                       %(company)s AS company_id, NULL::varchar AS job_uuid,
                       a.name AS label
                  FROM logistics_carrier_account a
                 WHERE (a.company_id = %(company)s OR a.company_id IS NULL)
                   AND EXISTS (SELECT 1 FROM logistics_inbound_message m
                                WHERE m.account_id = a.id AND m.state = 'pending'
                                  AND m.received_at <= %(limit)s {accounts})
            """
        # dead letters: failed logistics jobs; linked to their shipment if any
        accounts = "AND s.account_id = ANY(%(accounts)s)" if self.account_ids else ""
        return f"""
            SELECT s.id AS shipment_id, s.account_id,
                   COALESCE(s.company_id, j.company_id, %(company)s) AS company_id,
                   j.uuid AS job_uuid, COALESCE(s.name, j.name) AS label
              FROM queue_job j
              LEFT JOIN logistics_shipment s
                ON j.model_name = 'logistics.shipment'
               AND s.id = (j.records::jsonb -> 'ids' ->> 0)::int
             WHERE j.state = 'failed' AND j.channel LIKE 'root.logistics%%'
               AND COALESCE(j.date_done, j.date_started, j.date_enqueued,
                            j.date_created) <= %(limit)s
               AND COALESCE(s.company_id, j.company_id, %(company)s) = %(company)s
               {accounts}
        """

    def _responsible(self):
        self.ensure_one()
        user = self.user_id or (self.team_id and self.team_id._responsible())
        if not user:
            user = self.env["logistics.exception"]._default_responsible(
                "logistics_connector_base.group_logistics_supervisor", self.company_id
            )
        return user

    def _evaluate_one(self, now):
        """ONE statement: find, escalate, insert. Returns (new ids, escalated ids)."""
        self.ensure_one()
        stage = self.env["logistics.exception.stage"]._stage_for_state("open")
        category = MILESTONE_CATEGORY[self.milestone]
        label = dict(
            self.env["logistics.exception"]
            ._fields["category"]
            ._description_selection(self.env)
        )[category]
        # the same problem: same shipment, or same account (inbox), or same job
        same = (
            "e.job_uuid = m.job_uuid"
            if self.milestone == "dead_letter"
            else (
                "e.account_id = m.account_id AND e.shipment_id IS NULL"
                if self.milestone == "inbox_backlog"
                else "e.shipment_id = m.shipment_id"
            )
        )
        tz = self.company_id.partner_id.tz or self.env.user.tz or "UTC"
        params = {
            "now": now,
            "limit": now - timedelta(minutes=self.threshold_minutes),
            "threshold": self.threshold_minutes,
            "tz": tz,
            "company": self.company_id.id,
            "carriers": self.carrier_ids.ids,
            "warehouses": self.warehouse_ids.ids,
            "accounts": self.account_ids.ids,
            "category": category,
            "severity": self.severity,
            "rule": self.id,
            "user": self._responsible().id or None,
            "team": self.team_id.id or None,
            "stage": stage.id or None,
            "deadline": now + timedelta(hours=self.deadline_hours)
            if self.deadline_hours
            else None,
            "name_suffix": f": {label}",
            "message": _(
                "%(rule)s: the milestone is late by more than %(n)s %(unit)s.",
                rule=self.name,
                n=self.threshold,
                unit=dict(
                    self._fields["threshold_unit"]._description_selection(self.env)
                )[self.threshold_unit].lower(),
            ),
            "uid": self.env.uid,
        }
        query = f"""
            WITH matched AS ({self._match_sql()}),
            escalated AS (
                UPDATE logistics_exception e
                   SET priority = %(severity)s, aging_rule_id = %(rule)s,
                       last_seen_at = %(now)s,
                       date_deadline = LEAST(e.date_deadline, %(deadline)s),
                       write_date = %(now)s, write_uid = %(uid)s
                  FROM matched m
                 WHERE e.state = 'open' AND e.category = %(category)s AND {same}
                   AND e.priority < %(severity)s
             RETURNING e.id
            ),
            inserted AS (
                INSERT INTO logistics_exception
                    (name, shipment_id, account_id, company_id, category, message,
                     state, stage_id, priority, kanban_state, user_id, team_id,
                     occurrences, last_seen_at, date_deadline, age_bucket,
                     aging_rule_id, job_uuid, carrier_id, picking_id, warehouse_id,
                     sale_id, sales_team_id,
                     create_date, write_date, create_uid, write_uid)
                SELECT m.label || %(name_suffix)s, m.shipment_id, m.account_id,
                       m.company_id, %(category)s, %(message)s, 'open', %(stage)s,
                       %(severity)s, 'normal', %(user)s, %(team)s, 1, %(now)s,
                       %(deadline)s, 'lt_1h', %(rule)s, m.job_uuid,
                       s.carrier_id, s.picking_id, pt.warehouse_id, p.sale_id,
                       so.team_id, %(now)s, %(now)s, %(uid)s, %(uid)s
                  FROM matched m
                  LEFT JOIN logistics_shipment s ON s.id = m.shipment_id
                  LEFT JOIN stock_picking p ON p.id = s.picking_id
                  LEFT JOIN stock_picking_type pt ON pt.id = p.picking_type_id
                  LEFT JOIN sale_order so ON so.id = p.sale_id
                 WHERE NOT EXISTS (
                        SELECT 1 FROM logistics_exception e
                         WHERE e.state = 'open' AND e.category = %(category)s
                           AND {same})
             RETURNING id
            )
            SELECT 'new', id FROM inserted
            UNION ALL
            SELECT 'escalated', id FROM escalated
        """
        self.env.cr.execute(query, params)
        rows = self.env.cr.fetchall()
        new_ids = [row[1] for row in rows if row[0] == "new"]
        escalated_ids = [row[1] for row in rows if row[0] == "escalated"]
        if rows:
            self.env["logistics.exception"].invalidate_model()
        return new_ids, escalated_ids

    def _after_evaluate(self, new_ids, escalated_ids, now):
        """Chatter, activities and e-mail for what this rule raised."""
        self.ensure_one()
        exceptions = self.env["logistics.exception"].sudo()
        new = exceptions.browse(new_ids)
        escalated = exceptions.browse(escalated_ids)
        if new:
            new._message_log_batch(
                bodies={
                    e.id: _("Raised by aging rule %(rule)s.", rule=self.name)
                    for e in new
                }
            )
        if escalated:
            severity = dict(PRIORITIES)[self.severity]
            escalated._message_log_batch(
                bodies={
                    e.id: _(
                        "Escalated to %(severity)s by aging rule %(rule)s.",
                        severity=severity,
                        rule=self.name,
                    )
                    for e in escalated
                }
            )
        if self.action in ("activity", "email") and (new or escalated):
            self._schedule_activities(new | escalated, now)
        self.write(
            {
                "last_run_at": now,
                "last_new_count": len(new),
                "last_escalated_count": len(escalated),
            }
        )
        if self.action == "email" and (new or escalated) and self.mail_template_id:
            self.mail_template_id.send_mail(self.id)

    def _schedule_activities(self, exceptions, now):
        """One activity per exception that has none yet (batch create)."""
        activity_type = self.env.ref(
            "logistics_connector_base.mail_activity_logistics_exception"
        )
        model_id = self.env["ir.model"]._get_id("logistics.exception")
        pending = set(
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "logistics.exception"),
                    ("res_id", "in", exceptions.ids),
                ]
            )
            .mapped("res_id")
        )
        deadline = fields.Date.to_date(now)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": exception.id,
                "activity_type_id": activity_type.id,
                "summary": exception.name,
                "note": exception.message,
                "user_id": exception.user_id.id or self.env.uid,
                "date_deadline": fields.Date.to_date(exception.date_deadline)
                if exception.date_deadline
                else deadline,
            }
            for exception in exceptions
            if exception.id not in pending and exception.user_id
        ]
        if vals_list:
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(vals_list)

    @api.model
    def _clear_recovered(self, now=None):
        """Resolve the aging exceptions whose milestone was reached since.

        One UPDATE per category; the cards move to the first resolved stage.
        """
        now = now or fields.Datetime.now()
        self.env.flush_all()
        stage = self.env["logistics.exception.stage"]._stage_for_state("resolved")
        cleared = []
        for category, condition in CLEARED_SQL.items():
            self.env.cr.execute(
                f"""
                UPDATE logistics_exception e
                   SET state = 'resolved', stage_id = %(stage)s,
                       resolved_at = %(now)s, resolved_by_id = %(uid)s,
                       resolution = %(resolution)s, kanban_state = 'normal',
                       write_date = %(now)s, write_uid = %(uid)s
                 WHERE e.state = 'open' AND e.category = %(category)s
                   AND e.aging_rule_id IS NOT NULL AND {condition}
             RETURNING e.id
                """,
                {
                    "stage": stage.id or None,
                    "now": now,
                    "uid": self.env.uid,
                    "category": category,
                    "resolution": _("Cleared: the milestone was reached."),
                },
            )
            cleared += [row[0] for row in self.env.cr.fetchall()]
        if cleared:
            exceptions = self.env["logistics.exception"].sudo().browse(cleared)
            exceptions.invalidate_model()
            exceptions.activity_ids.action_done()
            exceptions._message_log_batch(
                bodies={
                    e.id: _("Cleared automatically: the milestone was reached.")
                    for e in exceptions
                }
            )
        return cleared
