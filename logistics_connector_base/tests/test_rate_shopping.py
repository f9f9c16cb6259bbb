# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from logistics_simulators.generic.server import SimulatorServer

from .common import LogisticsCase

SLOW_ANSWER = 3.0  # seconds the slow carrier takes; its limit is 1.5 s


@tagged("post_install", "-at_install")
class TestRateShopping(LogisticsCase):
    """Compare rates: every eligible method quoted at once, through simulators."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slow_sim = SimulatorServer().start()
        cls.addClassCleanup(cls.slow_sim.stop)
        cls.broken_sim = SimulatorServer().start()
        cls.addClassCleanup(cls.broken_sim.stop)
        cls.eco = cls._make_carrier("Sim Economy", cls.account, "SIM_ECO")
        cls.slow_account = cls._make_account(
            "Slow carrier",
            api_base_url=cls.slow_sim.url,
            connect_timeout=0.5,
            read_timeout=1.0,
        )
        cls.slow = cls._make_carrier("Slow Standard", cls.slow_account, "SIM_STD")
        cls.broken_account = cls._make_account(
            "Broken carrier", api_base_url=cls.broken_sim.url
        )
        cls.broken = cls._make_carrier("Broken Standard", cls.broken_account, "SIM_STD")
        cls.mine = cls.carrier | cls.eco | cls.slow | cls.broken

    def setUp(self):
        super().setUp()
        self.slow_sim.reset()
        self.broken_sim.reset()
        self.slow_sim.add_fault("rates", status=None, delay=SLOW_ANSWER, times=None)
        self.broken_sim.add_fault(
            "rates",
            status=422,
            body={"errors": [{"field": "parcels", "code": "x", "message": "No way"}]},
            times=None,
        )

    def _wizard(self, action):
        self.assertEqual(action["res_model"], "logistics.rate.shopping.wizard")
        return self.env["logistics.rate.shopping.wizard"].browse(action["res_id"])

    def _line(self, wizard, carrier):
        line = wizard.line_ids.filtered(lambda rec: rec.carrier_id == carrier)
        self.assertEqual(len(line), 1, carrier.name)
        return line

    def test_compare_rates_on_delivery_order(self):
        picking = self._make_picking()  # 6.5 kg, Hamburg -> Berlin
        wizard = self._wizard(
            picking.with_user(self.user).action_logistics_compare_rates()
        )
        express, eco = self._line(wizard, self.carrier), self._line(wizard, self.eco)
        # the simulator's tariff: base + per kg x weight
        self.assertEqual(express.status, "ok")
        self.assertAlmostEqual(express.price, 12.50 + 1.50 * 6.5)
        self.assertEqual(express.transit_days, 1)
        self.assertEqual(express.service_name, "Simulator Express")
        self.assertEqual(eco.status, "ok")
        self.assertAlmostEqual(eco.price, 4.20 + 0.50 * 6.5)
        self.assertEqual(eco.transit_days, 5)
        self.assertEqual(eco.currency_name, self.company.currency_id.name)
        # (demo data may add methods: compare with every usable quote)
        usable = wizard.line_ids.filtered(lambda rec: rec.status == "ok")
        cheapest = wizard.line_ids.filtered("is_cheapest")
        self.assertEqual(len(cheapest), 1)
        self.assertEqual(cheapest.price, min(usable.mapped("price")))
        self.assertLessEqual(cheapest.price, eco.price)
        self.assertFalse(express.is_cheapest)
        fastest = wizard.line_ids.filtered("is_fastest")
        self.assertEqual(len(fastest), 1)
        self.assertEqual(fastest.transit_days, 1)
        self.assertFalse(eco.is_fastest)
        # a carrier failing is shown with its reason
        broken = self._line(wizard, self.broken)
        self.assertEqual(broken.status, "error")
        self.assertIn("No way", broken.message)
        # a slow carrier is shown as such and did not hold the others back
        slow = self._line(wizard, self.slow)
        self.assertEqual(slow.status, "too_slow")
        self.assertAlmostEqual(slow.time_limit, 1.5)
        self.assertIn("1.5 s", slow.message)
        self.assertEqual(self.slow_sim.count("rates"), 1)
        self.assertLess(wizard.elapsed, SLOW_ANSWER)
        # one call per method, in the integration log of the account
        self.assertEqual(self.sim.count("rates"), 2)
        logs = self.env["logistics.integration.log"].search(
            [("account_id", "=", self.account.id), ("operation", "=", "rates")]
        )
        self.assertEqual(len(logs), 2)
        # the user picks the cheapest
        eco.with_user(self.user).action_select()
        self.assertEqual(picking.carrier_id, self.eco)
        self.assertIn("Sim Economy", picking.message_ids[0].body)

    def test_compare_rates_on_sale_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "order_line": [
                    (0, 0, {"product_id": self.product.id, "product_uom_qty": 2})
                ],
            }
        )
        wizard = self._wizard(order.action_logistics_compare_rates())
        eco = self._line(wizard, self.eco)
        self.assertEqual(eco.status, "ok")
        self.assertAlmostEqual(eco.price, 4.20 + 0.50 * 13.0)
        slow = self._line(wizard, self.slow)
        self.assertEqual(slow.status, "too_slow", slow.message)
        eco.action_select()
        self.assertEqual(order.carrier_id, self.eco)
        delivery = order.order_line.filtered("is_delivery")
        self.assertEqual(len(delivery), 1)
        self.assertAlmostEqual(delivery.price_unit, eco.price)
        # the confirmed order's delivery takes the chosen method
        order.action_confirm()
        self.assertEqual(order.picking_ids.carrier_id, self.eco)

    def test_degraded_carrier_is_not_asked(self):
        self.broken_account.sudo().write(
            {"breaker_open_until": fields.Datetime.now() + timedelta(minutes=5)}
        )
        self.env.flush_all()
        wizard = self._wizard(self._make_picking().action_logistics_compare_rates())
        line = self._line(wizard, self.broken)
        self.assertEqual(line.status, "unavailable")
        self.assertEqual(self.broken_sim.count("rates"), 0)
        with self.assertRaisesRegex(UserError, "no usable quote"):
            line.action_select()

    def test_destination_not_served_by_a_method(self):
        self.broken.country_ids = self.env.ref("base.fr")
        wizard = self._wizard(self._make_picking().action_logistics_compare_rates())
        self.assertNotIn(self.broken, wizard.line_ids.carrier_id)
        self.assertIn(self.eco, wizard.line_ids.carrier_id)

    def test_no_method_for_destination_is_a_clear_error(self):
        self.mine.write({"country_ids": [(6, 0, self.env.ref("base.fr").ids)]})
        others = self.env["delivery.carrier"].search(
            [("logistics_account_id", "!=", False), ("id", "not in", self.mine.ids)]
        )
        others.write({"active": False})
        with self.assertRaisesRegex(UserError, "No logistics shipping method"):
            self._make_picking().action_logistics_compare_rates()

    def test_changing_method_of_a_picking_at_the_carrier_is_refused(self):
        picking = self._make_picking()
        wizard = self._wizard(picking.action_logistics_compare_rates())
        self._send(picking)
        with self.assertRaisesRegex(UserError, "already at the carrier"):
            self._line(wizard, self.eco).action_select()
        self.assertEqual(picking.carrier_id, self.carrier)
