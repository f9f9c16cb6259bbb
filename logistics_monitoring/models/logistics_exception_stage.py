# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

EXCEPTION_STATES = [
    ("open", "Open"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]


class LogisticsExceptionStage(models.Model):
    """A column of the exception board.

    Each stage says which status (open, resolved, cancelled) an exception
    takes when it enters the stage; the first stage of a status is where an
    exception lands when its status changes elsewhere (Mark resolved, Replay,
    a later successful dispatch ...).
    """

    _name = "logistics.exception.stage"
    _description = "Logistics Exception Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="The column is folded on the exception board.",
    )
    exception_state = fields.Selection(
        EXCEPTION_STATES,
        string="Exception Status",
        required=True,
        default="open",
        help="The status an exception takes when it is moved into this stage.",
    )
    is_closed = fields.Boolean(
        string="Closing Stage",
        compute="_compute_is_closed",
        store=True,
        help="Exceptions in this stage are resolved or cancelled.",
    )

    @api.depends("exception_state")
    def _compute_is_closed(self):
        for stage in self:
            stage.is_closed = stage.exception_state != "open"

    @api.model
    def _stage_for_state(self, state):
        """The first stage (by sequence) for an exception status."""
        return self.search([("exception_state", "=", state)], limit=1)

    def _check_every_state_has_stage(self, new_state=None):
        """Refuse to leave a status without stage.

        ``self`` are the stages that are removed, or re-assigned to
        ``new_state``; checked before the change, so nothing half-done remains.
        """
        states = set(
            self.search([("id", "not in", self.ids)]).mapped("exception_state")
        )
        if new_state:
            states.add(new_state)
        missing = {state for state, _label in EXCEPTION_STATES} - states
        if missing:
            labels = dict(
                self._fields["exception_state"]._description_selection(self.env)
            )
            raise UserError(
                _(
                    "Every exception status needs at least one stage; none would be "
                    "left for: %(states)s.",
                    states=", ".join(sorted(labels[state] for state in missing)),
                )
            )

    def write(self, vals):
        if vals.get("exception_state"):
            self._check_every_state_has_stage(new_state=vals["exception_state"])
        res = super().write(vals)
        if "exception_state" in vals:
            # the exceptions already in these stages follow their new meaning
            self.env["logistics.exception"].sudo().search(
                [("stage_id", "in", self.ids)]
            )._sync_state_from_stage()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_last_stage_of_state(self):
        self._check_every_state_has_stage()
        # the cards of a removed column move to the first other stage of their
        # status, so no exception falls off the board
        exceptions = (
            self.env["logistics.exception"]
            .sudo()
            .search([("stage_id", "in", self.ids)])
        )
        for state in set(exceptions.mapped("stage_id.exception_state")):
            target = self.search(
                [("exception_state", "=", state), ("id", "not in", self.ids)], limit=1
            )
            exceptions.filtered(
                lambda e, s=state: e.stage_id.exception_state == s
            ).write({"stage_id": target.id})
