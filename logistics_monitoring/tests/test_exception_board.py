# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import TransactionCase, new_test_user, tagged

from ..hooks import post_init_hook

GROUPS = "stock.group_stock_user,logistics_connector_base.group_logistics_"


@tagged("post_install", "-at_install")
class TestExceptionBoard(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.user = new_test_user(cls.env, "mon_user", groups=GROUPS + "user")
        cls.supervisor = new_test_user(
            cls.env, "mon_supervisor", groups=GROUPS + "supervisor"
        )
        cls.admin = new_test_user(cls.env, "mon_admin", groups=GROUPS + "admin")
        cls.env.company.logistics_responsible_id = cls.supervisor
        cls.stage_model = cls.env["logistics.exception.stage"]
        cls.stage_new = cls.env.ref("logistics_monitoring.stage_new")
        cls.stage_investigating = cls.env.ref(
            "logistics_monitoring.stage_investigating"
        )
        cls.stage_waiting_carrier = cls.env.ref(
            "logistics_monitoring.stage_waiting_carrier"
        )
        cls.stage_resolved = cls.env.ref("logistics_monitoring.stage_resolved")
        cls.stage_cancelled = cls.env.ref("logistics_monitoring.stage_cancelled")
        cls.shipment = cls._make_shipment()

    @classmethod
    def _make_shipment(cls):
        account = cls.env["logistics.carrier.account"].create(
            {"name": "Monitoring test account", "carrier_code": "sim"}
        )
        product = cls.env["product.product"].create(
            {"name": "Monitoring shipping", "type": "service"}
        )
        carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Monitoring carrier",
                "delivery_type": "logistics_sim",
                "product_id": product.id,
                "logistics_account_id": account.id,
            }
        )
        partner = cls.env["res.partner"].create({"name": "Monitoring customer"})
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.env.ref("stock.picking_type_out").id,
                "location_id": cls.env.ref("stock.stock_location_stock").id,
                "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                "partner_id": partner.id,
                "carrier_id": carrier.id,
            }
        )
        return cls.env["logistics.shipment"].create(
            {
                "picking_id": picking.id,
                "carrier_id": carrier.id,
                "account_id": account.id,
                "company_id": cls.env.company.id,
                "idempotency_key": f"monitoring-test-{picking.id}",
            }
        )

    def _make_exception(self, **vals):
        return self.env["logistics.exception"].create(
            dict(
                {
                    "name": "Address refused",
                    "category": "address",
                    "message": "The street is missing.",
                    "shipment_id": self.shipment.id,
                },
                **vals,
            )
        )

    # ------------------------------------------------------------------
    # Stages and status
    # ------------------------------------------------------------------
    def test_new_exception_lands_in_new_stage(self):
        exception = self.env["logistics.exception"]._open_for(
            self.shipment, "address", "Recipient street is missing."
        )
        self.assertEqual(exception.stage_id, self.stage_new)
        self.assertEqual(exception.state, "open")
        self.assertEqual(exception.kanban_state, "normal")
        self.assertEqual(exception.priority, "0")
        # a resolved one created directly goes to the resolved stage
        closed = self._make_exception(state="resolved")
        self.assertEqual(closed.stage_id, self.stage_resolved)

    def test_resolving_moves_the_card(self):
        exception = self._make_exception()
        exception.action_resolve("Street corrected with the customer.")
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(exception.stage_id, self.stage_resolved)
        exception.write({"state": "open"})
        self.assertEqual(exception.stage_id, self.stage_new)
        exception.write({"state": "cancelled"})
        self.assertEqual(exception.stage_id, self.stage_cancelled)

    def test_reopening_keeps_an_open_stage(self):
        exception = self._make_exception(stage_id=self.stage_waiting_carrier.id)
        self.assertEqual(exception.state, "open")
        exception.write({"state": "open", "message": "Still waiting."})
        self.assertEqual(exception.stage_id, self.stage_waiting_carrier)

    def test_moving_the_card_sets_the_status(self):
        exception = self.env["logistics.exception"]._open_for(
            self.shipment, "damage", "Parcel damaged at the hub."
        )
        self.assertTrue(exception.activity_ids, "the base schedules an activity")
        board = exception.with_user(self.supervisor)
        board.write(
            {"stage_id": self.stage_investigating.id, "kanban_state": "blocked"}
        )
        self.assertEqual(exception.state, "open")
        self.assertEqual(exception.kanban_state, "blocked")
        self.assertFalse(exception.resolved_at)
        board.write({"stage_id": self.stage_resolved.id})
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(exception.resolved_by_id, self.supervisor)
        self.assertTrue(exception.resolved_at)
        self.assertEqual(exception.kanban_state, "normal", "reset on stage change")
        self.assertFalse(exception.activity_ids, "closing the card closes its to-dos")
        board.write({"stage_id": self.stage_investigating.id})
        self.assertEqual(exception.state, "open")
        board.write({"stage_id": self.stage_cancelled.id})
        self.assertEqual(exception.state, "cancelled")

    def test_group_expand_shows_every_stage(self):
        exception = self._make_exception()
        groups = self.env["logistics.exception"].read_group(
            [("id", "=", exception.id)], ["stage_id"], ["stage_id"]
        )
        self.assertEqual(
            [group["stage_id"][0] for group in groups],
            self.stage_model.search([]).ids,
        )
        counts = {group["stage_id"][0]: group["stage_id_count"] for group in groups}
        self.assertEqual(counts[self.stage_new.id], 1)
        self.assertEqual(counts[self.stage_resolved.id], 0)

    def test_changing_a_stage_meaning_updates_its_exceptions(self):
        exception = self._make_exception(stage_id=self.stage_waiting_carrier.id)
        self.stage_waiting_carrier.exception_state = "cancelled"
        self.assertTrue(self.stage_waiting_carrier.is_closed)
        self.assertEqual(exception.state, "cancelled")

    def test_every_status_keeps_a_stage(self):
        with self.assertRaisesRegex(UserError, "Resolved"):
            self.stage_resolved.unlink()
        with self.assertRaisesRegex(UserError, "Cancelled"):
            self.stage_cancelled.exception_state = "open"
        exception = self._make_exception(stage_id=self.stage_investigating.id)
        self.stage_investigating.unlink()  # other open stages remain
        self.assertFalse(self.stage_investigating.exists())
        self.assertEqual(exception.stage_id, self.stage_new, "its cards move")
        self.assertEqual(exception.state, "open")

    def test_age(self):
        exception = self._make_exception()
        self.env.cr.execute(
            "UPDATE logistics_exception SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(hours=30), exception.id),
        )
        exception.invalidate_recordset(["create_date"])
        self.assertAlmostEqual(exception.age_hours, 30.0, delta=0.1)
        self.assertEqual(exception.age_display, "30 h")
        exception.action_resolve()
        exception.resolved_at = exception.create_date + timedelta(hours=50)
        self.assertAlmostEqual(exception.age_hours, 50.0, delta=0.01)
        self.assertEqual(exception.age_display, "2 d")

    def test_install_hook_places_existing_exceptions(self):
        open_one = self._make_exception()
        resolved = self._make_exception(state="resolved")
        self.env.cr.execute(
            "UPDATE logistics_exception SET stage_id = NULL WHERE id IN %s",
            ((open_one.id, resolved.id),),
        )
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.assertEqual(open_one.stage_id, self.stage_new)
        self.assertEqual(resolved.stage_id, self.stage_resolved)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_user_sees_the_board_but_only_supervisor_moves_cards(self):
        exception = self._make_exception()
        as_user = exception.with_user(self.user)
        self.assertEqual(as_user.stage_id.name, "New")
        with self.assertRaises(AccessError):
            as_user.write({"stage_id": self.stage_investigating.id})
        with self.assertRaises(AccessError):
            as_user.write({"priority": "3"})
        as_supervisor = exception.with_user(self.supervisor)
        as_supervisor.write({"stage_id": self.stage_investigating.id, "priority": "3"})
        self.assertEqual(exception.stage_id, self.stage_investigating)
        self.assertEqual(exception.priority, "3")

    def test_stages_configured_by_admins_only(self):
        stages = self.stage_model.with_user(self.user)
        self.assertIn(self.stage_new, stages.search([]))
        for user in (self.user, self.supervisor):
            with self.assertRaises(AccessError):
                self.stage_model.with_user(user).create({"name": "Claim filed"})
            with self.assertRaises(AccessError):
                self.stage_new.with_user(user).write({"name": "Fresh"})
        stage = self.stage_model.with_user(self.admin).create({"name": "Claim filed"})
        stage.with_user(self.admin).write({"sequence": 25})
        self.assertFalse(stage.is_closed)
