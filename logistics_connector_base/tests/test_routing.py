# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestRoutingRules(LogisticsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eco = cls._make_carrier("Sim Economy", cls.account, "SIM_ECO")
        cls.other_account = cls._make_account("Second simulator account")
        cls.standard = cls._make_carrier("Sim Standard", cls.other_account, "SIM_STD")
        cls.rules = cls.env["logistics.routing.rule"]
        cls.rules.search([]).write({"active": False})

    def _rule(self, **vals):
        return self.rules.create(dict({"name": "Rule", "strategy": "cheapest"}, **vals))

    def _unassigned_picking(self, **kw):
        picking = self._make_picking(**kw)
        picking.carrier_id = False
        return picking

    def test_cheapest_rule_chooses_when_send_has_no_method(self):
        picking = self._unassigned_picking()
        self.assertFalse(picking.logistics_can_route)
        self._rule(carrier_ids=[(6, 0, (self.carrier | self.eco).ids)])
        picking.invalidate_recordset(["logistics_can_route"])
        self.assertTrue(picking.logistics_can_route)  # Send to carrier is offered
        shipment = self._send(picking, user=self.user)
        self.assertEqual(picking.carrier_id, self.eco)
        self.assertEqual(shipment.carrier_id, self.eco)
        self.assertEqual(shipment.state, "label_created")
        sent = [r for r in self.sim.requests if r["operation"] == "create_shipment"]
        self.assertEqual(sent[0]["json"]["service"], "SIM_ECO")
        self.assertTrue(
            any("routing rule" in m.body for m in picking.message_ids),
            "the choice is explained in the chatter",
        )

    def test_compare_rates_apply_rule_names_the_rule_a_user_choice_the_user(self):
        self._rule(carrier_ids=[(6, 0, (self.carrier | self.eco).ids)])
        picking = self._make_picking()
        action = picking.with_user(self.user).action_logistics_compare_rates()
        wizard = self.env["logistics.rate.shopping.wizard"].browse(action["res_id"])
        wizard.with_user(self.user).action_apply_rule()
        self.assertEqual(picking.carrier_id, self.eco)
        self.assertIn("chosen by routing rule Rule", picking.message_ids[0].body)
        # a context key cannot make a user's choice look like a rule's
        line = wizard.line_ids.filtered(lambda rec: rec.carrier_id == self.carrier)
        line.with_user(self.user).with_context(
            logistics_rule_note="forged"
        ).action_select()
        self.assertEqual(picking.carrier_id, self.carrier)
        body = picking.message_ids[0].body
        self.assertIn(f"chosen by {self.user.name}", body)
        self.assertNotIn("forged", body)

    def test_fastest_rule(self):
        self._rule(
            strategy="fastest", carrier_ids=[(6, 0, (self.eco | self.standard).ids)]
        )
        picking = self._unassigned_picking()
        self._send(picking)
        self.assertEqual(picking.carrier_id, self.standard)  # 3 days vs 5

    def test_preferred_with_fallback_when_degraded(self):
        self._rule(
            strategy="preferred",
            preferred_carrier_id=self.carrier.id,
            fallback_carrier_id=self.standard.id,
        )
        picking = self._unassigned_picking()
        self.account.write(
            {"breaker_open_until": fields.Datetime.now() + timedelta(minutes=5)}
        )
        self.env.flush_all()
        self._send(picking)
        self.assertEqual(picking.carrier_id, self.standard)
        self.assertEqual(self.sim.count("rates"), 0, "preferred asks for no quotes")

    def test_conditions_select_the_rule(self):
        france = self.env.ref("base.fr")
        heavy = self._rule(
            name="Heavy",
            sequence=1,
            weight_min=10.0,
            carrier_ids=[(6, 0, self.eco.ids)],
        )
        to_france = self._rule(
            name="France",
            sequence=2,
            country_ids=[(6, 0, france.ids)],
            carrier_ids=[(6, 0, self.standard.ids)],
        )
        europe = self.env["res.country.group"].create(
            {"name": "Zone EU", "country_ids": [(6, 0, self.env.ref("base.de").ids)]}
        )
        zone = self._rule(
            name="Zone",
            sequence=3,
            country_group_ids=[(6, 0, europe.ids)],
            warehouse_ids=[(6, 0, self.warehouse.ids)],
            carrier_ids=[(6, 0, self.carrier.ids)],
        )
        light = self._unassigned_picking()  # 6.5 kg to Germany
        ctx = light._logistics_routing_context()
        self.assertEqual(self.rules._find(ctx, self.company), zone)
        two = self._unassigned_picking(qty=2)  # 13 kg
        self.assertEqual(
            self.rules._find(two._logistics_routing_context(), self.company), heavy
        )
        ctx["partner"] = self.partner.copy({"country_id": france.id})
        self.assertEqual(self.rules._find(ctx, self.company), to_france)
        category = self.env["product.category"].create({"name": "Fragile"})
        child = self.env["product.category"].create(
            {"name": "Glass", "parent_id": category.id}
        )
        zone.product_category_ids = category
        self.assertFalse(zone._matches(light._logistics_routing_context()))
        self.product.categ_id = child
        self.assertTrue(zone._matches(light._logistics_routing_context()))
        team = self.env["crm.team"].create({"name": "Web shop"})
        zone.team_ids = team
        self.assertFalse(zone._matches(light._logistics_routing_context()))
        ctx = light._logistics_routing_context()
        ctx["team"] = team
        self.assertTrue(zone._matches(ctx))

    def test_sales_channel_from_sale_order(self):
        team = self.env["crm.team"].create({"name": "Marketplace"})
        rule = self._rule(
            team_ids=[(6, 0, team.ids)], carrier_ids=[(6, 0, self.standard.ids)]
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "team_id": team.id,
                "order_line": [(0, 0, {"product_id": self.product.id})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(
            self.rules._find(picking._logistics_routing_context(), self.company), rule
        )
        self.assertEqual(
            self.rules._find(order._logistics_routing_context(), self.company), rule
        )

    def test_no_rule_no_method_is_a_clear_error(self):
        picking = self._unassigned_picking()
        with self.assertRaisesRegex(UserError, "no routing rule"):
            picking.action_send_to_carrier()
        self.assertFalse(picking.logistics_shipment_ids)

    def test_breaker_open_at_dispatch_routes_to_another_account(self):
        self._rule(carrier_ids=[(6, 0, (self.carrier | self.standard).ids)])
        picking = self._make_picking()  # Sim Express on the first account
        with trap_jobs():
            picking.action_send_to_carrier()
        shipment = picking.logistics_shipment_id
        self.account.write(
            {"breaker_open_until": fields.Datetime.now() + timedelta(minutes=5)}
        )
        with trap_jobs() as trap:
            result = self._dispatch(shipment)
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertIn("Rerouted", result)
        self.assertEqual(shipment.state, "cancelled")
        new = shipment.rerouted_to_id
        self.assertEqual(new.carrier_id, self.standard)
        self.assertEqual(new.state, "label_created")
        self.assertEqual(picking.carrier_id, self.standard)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_invalid_rules_are_refused(self):
        with self.assertRaises(ValidationError):
            self._rule(strategy="preferred")
        with self.assertRaises(ValidationError):
            self._rule(
                strategy="preferred",
                preferred_carrier_id=self.eco.id,
                fallback_carrier_id=self.eco.id,
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self._rule(weight_min=5.0, weight_max=2.0)

    def test_users_read_admins_edit(self):
        rule = self._rule()
        self.assertEqual(rule.with_user(self.user).name, "Rule")
        with self.assertRaises(AccessError):
            rule.with_user(self.user).write({"name": "Mine"})
        rule.with_user(self.admin).write({"name": "Admin's"})
        self.assertEqual(rule.name, "Admin's")
