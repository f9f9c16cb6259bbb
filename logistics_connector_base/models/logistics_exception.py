# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..caller import check_caller
from .logistics_shipment import EXCEPTION_CATEGORIES


class LogisticsException(models.Model):
    """One record per problem, so that every failure has an owner."""

    _name = "logistics.exception"
    _description = "Logistics Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, id desc"

    name = fields.Char(required=True, tracking=True)
    shipment_id = fields.Many2one("logistics.shipment", index=True, ondelete="cascade")
    picking_id = fields.Many2one(
        related="shipment_id.picking_id", store=True, string="Delivery Order"
    )
    account_id = fields.Many2one(related="shipment_id.account_id", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    category = fields.Selection(
        EXCEPTION_CATEGORIES, required=True, index=True, tracking=True
    )
    message = fields.Text(required=True)
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved"), ("cancelled", "Cancelled")],
        default="open",
        required=True,
        index=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", tracking=True, index=True
    )
    occurrences = fields.Integer(default=1, readonly=True)
    last_seen_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    resolution = fields.Text(tracking=True)
    resolved_at = fields.Datetime(readonly=True)
    resolved_by_id = fields.Many2one("res.users", readonly=True)

    @api.model
    def _default_responsible(self, group_xmlid, company):
        group = self.env.ref(group_xmlid, raise_if_not_found=False)
        responsible = company.logistics_responsible_id
        if responsible and (not group or group in responsible.groups_id):
            return responsible
        if group:
            users = group.users.filtered(
                lambda u: company in u.company_ids and not u.share and u.active
            )
            return users.sorted("id")[:1]
        return self.env["res.users"]

    @api.model
    def _open_for(self, shipment, category, message, responsible_group=None):
        """Open an exception, or update the open one for the same problem."""
        existing = self.search(
            [
                ("shipment_id", "=", shipment.id),
                ("category", "=", category),
                ("state", "=", "open"),
            ],
            limit=1,
        )
        if existing:
            existing.write(
                {
                    "message": message,
                    "occurrences": existing.occurrences + 1,
                    "last_seen_at": fields.Datetime.now(),
                }
            )
            existing.message_post(body=message)
            return existing
        group = (
            responsible_group or "logistics_connector_base.group_logistics_supervisor"
        )
        user = self._default_responsible(group, shipment.company_id)
        label = dict(self._fields["category"]._description_selection(self.env)).get(
            category, category
        )
        exception = self.create(
            {
                "name": _(
                    "%(shipment)s: %(category)s", shipment=shipment.name, category=label
                ),
                "shipment_id": shipment.id,
                "company_id": shipment.company_id.id,
                "category": category,
                "message": message,
                "user_id": user.id,
            }
        )
        if user:
            exception.activity_schedule(
                "logistics_connector_base.mail_activity_logistics_exception",
                user_id=user.id,
                summary=exception.name,
                note=message,
            )
        shipment.message_post(body=message)
        if shipment.picking_id:
            shipment.picking_id.message_post(body=message)
        return exception

    def action_resolve(self, resolution=None):
        check_caller(self, "supervisor", "write")
        now = fields.Datetime.now()
        for exception in self:
            exception.write(
                {
                    "state": "resolved",
                    "resolution": resolution or exception.resolution or _("Resolved"),
                    "resolved_at": now,
                    "resolved_by_id": self.env.user.id,
                }
            )
            exception.activity_ids.action_done()
        return True

    def action_mark_resolved(self):
        check_caller(self, "supervisor", "write")
        for exception in self:
            exception.message_post(body=_("Marked resolved by %s.", self.env.user.name))
        return self.action_resolve()

    def action_replay(self):
        check_caller(self, "supervisor")
        shipments = self.shipment_id
        if not shipments:
            raise UserError(_("There is no shipment to replay on these exceptions."))
        shipments.action_replay()
        for exception in self:
            exception.message_post(
                body=_("Replay requested by %s.", self.env.user.name)
            )
        return True

    def action_open_shipment(self):
        self.ensure_one()
        check_caller(self, "user")
        return {
            "type": "ir.actions.act_window",
            "res_model": "logistics.shipment",
            "res_id": self.shipment_id.id,
            "view_mode": "form",
        }
