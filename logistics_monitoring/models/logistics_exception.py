# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

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
        return moved
