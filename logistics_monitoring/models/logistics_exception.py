# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.logistics_connector_base.caller import check_caller

SUPERVISOR = "logistics_connector_base.group_logistics_supervisor"

PRIORITIES = [
    ("0", "Normal"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Urgent"),
]
KANBAN_STATES = [
    ("normal", "In Progress"),
    ("done", "Ready for Next Stage"),
    ("blocked", "Blocked"),
]
# skip the stage <-> status synchronisation in the nested write it performs
SYNC_CONTEXT_KEY = "logistics_exception_stage_sync"

# categories raised by the aging rules (logistics.aging.rule)
AGING_CATEGORIES = [
    ("no_acceptance", "No carrier acceptance"),
    ("stale_tracking", "No tracking update"),
    ("late_delivery", "Not delivered by end of day"),
    ("missing_pod", "Delivered without proof of delivery"),
    ("inbox_backlog", "Inbound messages unprocessed"),
    ("dead_letter", "Dead-letter job"),
]
AGE_BUCKETS = [
    ("lt_1h", "< 1 hour"),
    ("h1_4", "1-4 hours"),
    ("h4_24", "4-24 hours"),
    ("d1_3", "1-3 days"),
    ("gt_3d", "> 3 days"),
]
# SQL expression of the age bucket of an exception (alias e) at %(now)s
AGE_BUCKET_SQL = """
    CASE
        WHEN e.create_date > %(now)s - interval '1 hour' THEN 'lt_1h'
        WHEN e.create_date > %(now)s - interval '4 hours' THEN 'h1_4'
        WHEN e.create_date > %(now)s - interval '24 hours' THEN 'h4_24'
        WHEN e.create_date > %(now)s - interval '3 days' THEN 'd1_3'
        ELSE 'gt_3d'
    END
"""


class LogisticsException(models.Model):
    """Exceptions on a kanban board.

    The stage and the status (``state`` of the base addon) are kept in step
    both ways: moving a card into a closing stage resolves or cancels the
    exception, and resolving, cancelling or reopening it by any other path
    (Mark resolved, Replay, a successful dispatch) moves the card.
    """

    _inherit = "logistics.exception"

    stage_id = fields.Many2one(
        "logistics.exception.stage",
        index=True,
        tracking=True,
        copy=False,
        ondelete="set null",
        group_expand="_read_group_expand_full",
        default=lambda self: self._default_stage_id(),
    )
    priority = fields.Selection(
        PRIORITIES, default="0", required=True, index=True, tracking=True
    )
    kanban_state = fields.Selection(
        KANBAN_STATES,
        default="normal",
        required=True,
        copy=False,
        help="In progress, ready for the next stage, or blocked. Reset to "
        "'In Progress' when the exception changes stage.",
    )
    age_hours = fields.Float(
        string="Age (hours)",
        compute="_compute_age",
        help="Hours since the exception was raised, until it was resolved.",
    )
    age_display = fields.Char(string="Age", compute="_compute_age")
    category = fields.Selection(
        selection_add=AGING_CATEGORIES,
        ondelete={key: "cascade" for key, _label in AGING_CATEGORIES},
    )
    age_bucket = fields.Selection(
        AGE_BUCKETS,
        default="lt_1h",
        index=True,
        readonly=True,
        copy=False,
        help="How long the exception has been open; refreshed by the aging cron "
        "(every few minutes), frozen once the exception is closed.",
    )
    aging_color = fields.Selection(
        [("ok", "On time"), ("warning", "Due soon"), ("danger", "Overdue")],
        compute="_compute_aging_color",
        help="Red: past its deadline (or older than 3 days without deadline); "
        "amber: less than 4 hours left (or older than a day).",
    )
    date_deadline = fields.Datetime(
        string="Deadline", tracking=True, index=True, copy=False
    )
    team_id = fields.Many2one(
        "logistics.exception.team", tracking=True, index=True, ondelete="set null"
    )
    carrier_id = fields.Many2one(
        related="shipment_id.carrier_id", store=True, index=True
    )
    warehouse_id = fields.Many2one(
        related="picking_id.picking_type_id.warehouse_id",
        store=True,
        index=True,
        string="Warehouse",
    )
    sale_id = fields.Many2one(
        related="picking_id.sale_id", store=True, string="Sale Order"
    )
    sales_team_id = fields.Many2one(
        related="sale_id.team_id", store=True, string="Sales Channel"
    )
    aging_rule_id = fields.Many2one(
        "logistics.aging.rule",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The aging rule that raised (or last escalated) this exception.",
    )
    job_uuid = fields.Char(
        string="Job UUID", readonly=True, copy=False, index=True,
        help="The dead-letter queue job this exception is about.",
    )  # fmt: skip
    event_count = fields.Integer(compute="_compute_link_counts")
    log_count = fields.Integer(compute="_compute_link_counts")
    inbound_count = fields.Integer(compute="_compute_link_counts")

    @api.model
    def _default_stage_id(self):
        return self.env["logistics.exception.stage"]._stage_for_state("open")

    @api.depends("create_date", "resolved_at", "state")
    def _compute_age(self):
        now = fields.Datetime.now()
        for exception in self:
            start = exception.create_date or now
            end = (
                exception.resolved_at
                if exception.state != "open" and exception.resolved_at
                else now
            )
            hours = max((end - start).total_seconds(), 0.0) / 3600.0
            exception.age_hours = round(hours, 2)
            if hours < 1:
                exception.age_display = _("%s min", int(hours * 60))
            elif hours < 48:
                exception.age_display = _("%s h", int(hours))
            else:
                exception.age_display = _("%s d", int(hours // 24))

    @api.depends("date_deadline", "age_hours", "state")
    def _compute_aging_color(self):
        now = fields.Datetime.now()
        for exception in self:
            color = "ok"
            if exception.state == "open":
                if exception.date_deadline:
                    left = (exception.date_deadline - now).total_seconds() / 3600.0
                    color = "danger" if left < 0 else ("warning" if left < 4 else "ok")
                elif exception.age_hours > 72:
                    color = "danger"
                elif exception.age_hours > 24:
                    color = "warning"
            exception.aging_color = color

    def _compute_link_counts(self):
        shipments = self.shipment_id
        events = dict(
            self.env["logistics.shipment.event"]._read_group(
                [("shipment_id", "in", shipments.ids)], ["shipment_id"], ["__count"]
            )
        )
        logs = {}
        inbound = {}
        if self.env.user.has_group(SUPERVISOR):
            logs = dict(
                self.env["logistics.integration.log"]._read_group(
                    [("shipment_id", "in", shipments.ids)],
                    ["shipment_id"],
                    ["__count"],
                )
            )
            inbound = dict(
                self.env["logistics.inbound.message"]._read_group(
                    [
                        ("account_id", "in", self.account_id.ids),
                        ("state", "in", ("pending", "failed")),
                    ],
                    ["account_id"],
                    ["__count"],
                )
            )
        for exception in self:
            exception.event_count = events.get(exception.shipment_id, 0)
            exception.log_count = logs.get(exception.shipment_id, 0)
            exception.inbound_count = (
                inbound.get(exception.account_id, 0)
                if exception.category == "inbox_backlog"
                else 0
            )

    @api.model
    def _refresh_age_buckets(self, now=None):
        """One UPDATE: the age bucket of every open exception (cron)."""
        self.flush_model(["create_date", "state", "age_bucket"])
        self.env.cr.execute(
            f"""
            UPDATE logistics_exception e
               SET age_bucket = {AGE_BUCKET_SQL}
             WHERE e.state = 'open'
               AND e.age_bucket IS DISTINCT FROM {AGE_BUCKET_SQL}
            """,
            {"now": now or fields.Datetime.now()},
        )
        count = self.env.cr.rowcount
        if count:
            self.invalidate_model(["age_bucket"])
        return count

    @api.model_create_multi
    def create(self, vals_list):
        stage_model = self.env["logistics.exception.stage"]
        for vals in vals_list:
            if vals.get("stage_id") and not vals.get("state"):
                vals["state"] = stage_model.browse(vals["stage_id"]).exception_state
            elif vals.get("state") and not vals.get("stage_id"):
                stage = stage_model._stage_for_state(vals["state"])
                if stage:
                    vals["stage_id"] = stage.id
        return super().create(vals_list)

    def write(self, vals):
        stage_changed = "stage_id" in vals
        state_changed = "state" in vals
        if stage_changed and "kanban_state" not in vals:
            vals = dict(vals, kanban_state="normal")
        res = super().write(vals)
        if self.env.context.get(SYNC_CONTEXT_KEY):
            return res
        if stage_changed and not state_changed:
            self._sync_state_from_stage()
        elif state_changed and not stage_changed:
            self._sync_stage_from_state()
        return res

    def _sync_state_from_stage(self):
        """Give each exception the status its stage stands for."""
        moved = self.filtered(
            lambda e: e.stage_id and e.state != e.stage_id.exception_state
        ).with_context(**{SYNC_CONTEXT_KEY: True})
        now = fields.Datetime.now()
        for state in set(moved.mapped("stage_id.exception_state")):
            records = moved.filtered(lambda e, s=state: e.stage_id.exception_state == s)
            vals = {"state": state}
            if state == "resolved":
                vals.update(resolved_at=now, resolved_by_id=self.env.uid)
            records.write(vals)
            if state != "open":
                # the card left the board: nothing is left to do on it
                records.activity_ids.action_done()
        return moved

    def _sync_stage_from_state(self):
        """Move each exception to the first stage of its status."""
        stage_model = self.env["logistics.exception.stage"]
        moved = self.filtered(
            lambda e: not e.stage_id or e.stage_id.exception_state != e.state
        ).with_context(**{SYNC_CONTEXT_KEY: True})
        for state in set(moved.mapped("state")):
            stage = stage_model._stage_for_state(state)
            if stage:
                moved.filtered(lambda e, s=state: e.state == s).write(
                    {"stage_id": stage.id, "kanban_state": "normal"}
                )
        closed = self.filtered(lambda e: e.state != "open")
        if closed.activity_ids:
            # closed by any path (reroute, replay...): nothing is left to do
            closed.activity_ids.action_done()
        return moved

    # ------------------------------------------------------------------
    # Actions from the card and in bulk (every one attributed in chatter)
    # ------------------------------------------------------------------
    def _check_supervisor(self):
        """The caller is a supervisor who may change these exceptions (companies)."""
        check_caller(self, "supervisor", "write")

    def _check_open(self):
        closed = self.filtered(lambda e: e.state != "open")
        if closed:
            raise UserError(
                _(
                    "These exceptions are already closed: %s. Reopen them (move "
                    "them to an open stage) first.",
                    ", ".join(closed.mapped("display_name")),
                )
            )

    def _log_action(self, body):
        """One chatter note per exception: who did what (the note is dated)."""
        for exception in self:
            exception.message_post(body=body, subtype_xmlid="mail.mt_note")

    def action_assign_to_me(self):
        self._check_supervisor()
        self.write({"user_id": self.env.uid})
        return True

    def action_replay(self):
        """Replay the dispatch (through the ledger), the inbound messages of
        an inbox backlog, or the dead-letter job the exception is about."""
        self._check_supervisor()
        self._check_open()
        # a dead-letter job is replayed as is (it goes through the ledger)
        jobs = self.filtered("job_uuid")
        with_shipment = (self - jobs).filtered("shipment_id")
        inbox = (self - jobs - with_shipment).filtered(
            lambda e: e.category == "inbox_backlog" and e.account_id
        )
        nothing = self - with_shipment - inbox - jobs
        if nothing:
            raise UserError(
                _(
                    "There is nothing to replay on: %s.",
                    ", ".join(nothing.mapped("display_name")),
                )
            )
        if with_shipment:
            super(LogisticsException, with_shipment).action_replay()
        if inbox:
            inbox._replay_inbound()
        if jobs:
            jobs._replay_jobs()
        return True

    def _replay_inbound(self):
        messages = (
            self.env["logistics.inbound.message"]
            .sudo()
            .search(
                [
                    ("account_id", "in", self.account_id.ids),
                    ("state", "in", ("pending", "failed")),
                ]
            )
        )
        failed = messages.filtered(lambda m: m.state == "failed")
        if failed:
            failed.with_user(self.env.user).action_reprocess()
        for account in messages.filtered(lambda m: m.state == "pending").account_id:
            self.env["logistics.inbound.message"].sudo()._ensure_drain_job(account.id)
        self._log_action(
            _(
                "Replay of %(n)s inbound message(s) requested by %(user)s.",
                n=len(messages),
                user=self.env.user.name,
            )
        )

    def _replay_jobs(self):
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("uuid", "in", self.mapped("job_uuid")), ("state", "=", "failed")])
        )
        jobs.requeue()
        self._log_action(_("Dead-letter job requeued by %s.", self.env.user.name))
        self.sudo().action_resolve(_("Job requeued"))

    def action_cancel_at_carrier(self):
        """Void the shipments of these exceptions at their carrier."""
        self._check_supervisor()
        self._check_open()
        missing = self.filtered(lambda e: not e.shipment_id)
        if missing:
            raise UserError(
                _(
                    "These exceptions have no shipment to cancel: %s.",
                    ", ".join(missing.mapped("display_name")),
                )
            )
        self.shipment_id.action_cancel_at_carrier()
        self._log_action(
            _("Shipment cancelled at the carrier by %s.", self.env.user.name)
        )
        self.action_resolve(_("Shipment cancelled at the carrier."))
        return True

    def action_open_resolve_wizard(self):
        self._check_supervisor()
        return self._open_wizard(
            "logistics_monitoring.action_logistics_exception_resolve_wizard"
        )

    def action_open_reroute_wizard(self):
        self._check_supervisor()
        return self._open_wizard(
            "logistics_monitoring.action_logistics_exception_reroute_wizard"
        )

    def _open_wizard(self, xmlid):
        action = self.env["ir.actions.actions"]._for_xml_id(xmlid)
        action["context"] = {
            "active_model": self._name,
            "active_ids": self.ids,
            "active_id": self[:1].id,
        }
        return action

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    def action_open_events(self):
        self.ensure_one()
        check_caller(self, "user")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_connector_base.action_logistics_shipment_event"
        )
        action["domain"] = [("shipment_id", "=", self.shipment_id.id)]
        action["context"] = {}
        return action

    def action_open_logs(self):
        self.ensure_one()
        check_caller(self, "supervisor")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_connector_base.action_logistics_integration_log"
        )
        action["domain"] = [("shipment_id", "=", self.shipment_id.id)]
        action["context"] = {}
        return action

    def action_open_inbound(self):
        self.ensure_one()
        check_caller(self, "supervisor")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_connector_base.action_logistics_inbound_message"
        )
        action["domain"] = [
            ("account_id", "=", self.account_id.id),
            ("state", "in", ("pending", "failed")),
        ]
        action["context"] = {}
        return action
