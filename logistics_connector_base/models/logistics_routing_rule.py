# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from logistics_carriers.rate_shopping import OK


class LogisticsRoutingRule(models.Model):
    """Which shipping method a delivery takes when nobody chose one.

    Rules are tried by sequence; the first rule whose conditions all match
    (empty condition = any) chooses among its shipping methods by its
    strategy. Used by Send to carrier without a shipping method, when the
    chosen carrier account is degraded (circuit breaker open), and by the
    "Let the rules choose" button of Compare rates.
    """

    _name = "logistics.routing.rule"
    _description = "Carrier Routing Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    warehouse_ids = fields.Many2many(
        "stock.warehouse",
        string="Warehouses",
        domain="[('company_id', '=', company_id)]",
        help="Empty: any warehouse.",
    )
    country_ids = fields.Many2many(
        "res.country", string="Destination Countries", help="Empty: any country."
    )
    country_group_ids = fields.Many2many(
        "res.country.group",
        string="Destination Zones",
        help="Country groups the destination may belong to (with the countries).",
    )
    weight_min = fields.Float(string="Min. Weight (kg)")
    weight_max = fields.Float(string="Max. Weight (kg)", help="0: no maximum.")
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Matches when a product of the delivery is in one of these categories "
        "(or their sub-categories). Empty: any product.",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Channels",
        help="Matches deliveries of sale orders of these sales teams. Empty: any.",
    )
    strategy = fields.Selection(
        [
            ("cheapest", "Cheapest"),
            ("fastest", "Fastest"),
            ("preferred", "Preferred carrier with fallback"),
        ],
        required=True,
        default="cheapest",
        help="Cheapest and fastest ask every method of the rule for a quote (in "
        "parallel); preferred takes the preferred method unless its carrier is "
        "degraded, then the fallback.",
    )
    carrier_ids = fields.Many2many(
        "delivery.carrier",
        string="Shipping Methods",
        domain="[('logistics_account_id', '!=', False)]",
        help="Methods compared by cheapest / fastest. Empty: every logistics method "
        "that delivers to the destination.",
    )
    preferred_carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Preferred Method",
        domain="[('logistics_account_id', '!=', False)]",
    )
    fallback_carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Fallback Method",
        domain="[('logistics_account_id', '!=', False)]",
    )

    _sql_constraints = [
        (
            "weight_range",
            "CHECK(weight_min >= 0 AND weight_max >= 0 "
            "AND (weight_max = 0 OR weight_max >= weight_min))",
            "The weight range is invalid: weights cannot be negative and the "
            "maximum must be at least the minimum.",
        )
    ]

    @api.constrains("strategy", "preferred_carrier_id", "fallback_carrier_id")
    def _check_preferred(self):
        for rule in self:
            if rule.strategy == "preferred" and not rule.preferred_carrier_id:
                raise ValidationError(
                    _("Rule %s: choose the preferred shipping method.", rule.name)
                )
            if (
                rule.fallback_carrier_id
                and rule.fallback_carrier_id == rule.preferred_carrier_id
            ):
                raise ValidationError(
                    _(
                        "Rule %s: the fallback must differ from the preferred method.",
                        rule.name,
                    )
                )

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------
    def _matches(self, ctx):
        """``ctx``: warehouse, partner, weight_kg, products, team (records)."""
        self.ensure_one()
        warehouse, partner = ctx["warehouse"], ctx["partner"]
        if self.warehouse_ids and warehouse not in self.warehouse_ids:
            return False
        if self.country_ids or self.country_group_ids:
            countries = self.country_ids | self.country_group_ids.country_ids
            if partner.country_id not in countries:
                return False
        weight = ctx["weight_kg"]
        if weight < self.weight_min or (self.weight_max and weight > self.weight_max):
            return False
        if self.product_category_ids and not ctx["products"].filtered_domain(
            [("categ_id", "child_of", self.product_category_ids.ids)]
        ):
            return False
        if self.team_ids and ctx["team"] not in self.team_ids:
            return False
        return True

    @api.model
    def _find(self, ctx, company):
        """The first active rule of ``company`` matching ``ctx`` (or empty)."""
        for rule in self.search([("company_id", "=", company.id)]):
            if rule._matches(ctx):
                return rule
        return self.browse()

    # ------------------------------------------------------------------
    # Choosing
    # ------------------------------------------------------------------
    def _candidates(self, partner, exclude_accounts=None):
        """Usable methods of the rule: deliver there, account up and allowed."""
        self.ensure_one()
        carriers = self.carrier_ids or self.env[
            "delivery.carrier"
        ]._logistics_eligible_carriers(partner, self.company_id)
        excluded = exclude_accounts or self.env["logistics.carrier.account"]
        return carriers.filtered(
            lambda c: (
                c.logistics_account_id
                and c.logistics_account_id.active
                and c.logistics_account_id not in excluded
                and c._match_address(partner)
            )
        )

    def _choose(self, partner, request_for, exclude_accounts=None, quotes=None):
        """(carrier, explanation) chosen by the rule's strategy, or (empty, why).

        ``request_for(carrier)`` builds a quote request; ``quotes`` are
        results of :meth:`delivery.carrier._logistics_compare_rates` already
        at hand (Compare rates), used instead of asking again.
        """
        self.ensure_one()
        carrier_model = self.env["delivery.carrier"]
        if self.strategy == "preferred":
            for method in (self.preferred_carrier_id, self.fallback_carrier_id):
                if not method:
                    continue
                usable = self._candidates(partner, exclude_accounts) & method
                if usable and usable.logistics_account_id._breaker_allows():
                    why = (
                        _("preferred method")
                        if method == self.preferred_carrier_id
                        else _("fallback: the preferred carrier is unavailable")
                    )
                    return usable, why
            return carrier_model, _("neither the preferred nor the fallback method "
                                    "is available")  # fmt: skip
        candidates = self._candidates(partner, exclude_accounts)
        if quotes is None:
            quotes = candidates._logistics_compare_rates(request_for)
        usable = [q for q in quotes if q["status"] == OK and q["carrier"] in candidates]
        if not usable:
            return carrier_model, _("no method of the rule could quote")
        if self.strategy == "fastest":
            best = min(
                usable,
                key=lambda q: (q["transit_days"] or 999, q["price"], q["carrier"].id),
            )
            why = _("fastest (%s days)", best["transit_days"] or "?")
        else:
            best = min(usable, key=lambda q: (q["price"], q["carrier"].id))
            why = _("cheapest (%.2f)", best["price"])
        return best["carrier"], why
