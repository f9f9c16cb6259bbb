# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class LogisticsExceptionTeam(models.Model):
    """A group of people working exceptions together (e.g. per carrier)."""

    _name = "logistics.exception.team"
    _description = "Logistics Exception Team"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        help="Responsible of the exceptions the aging rules raise for this team "
        "when the rule names nobody.",
    )
    member_ids = fields.Many2many("res.users", string="Members")
    open_exception_count = fields.Integer(compute="_compute_open_exception_count")

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "Team names are unique.")
    ]

    def _compute_open_exception_count(self):
        counts = dict(
            self.env["logistics.exception"]._read_group(
                [("team_id", "in", self.ids), ("state", "=", "open")],
                ["team_id"],
                ["__count"],
            )
        )
        for team in self:
            team.open_exception_count = counts.get(team, 0)

    @api.model
    def _responsible(self):
        """Leader, else the first member."""
        self.ensure_one()
        return self.leader_id or self.member_ids[:1]
