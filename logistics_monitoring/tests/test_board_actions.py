# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.logistics_connector_base.tests.common import LogisticsCase
from odoo.addons.queue_job.tests.common import trap_jobs


@tagged("post_install", "-at_install")
class TestBoardActions(LogisticsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.max_dispatch_attempts = 1
        cls.other_carrier = cls._make_carrier("Sim Economy", cls.account, "SIM_STD")
        cls.resolved_stage = cls.env.ref("logistics_monitoring.stage_resolved")

    def _dead_letter(self):
        """A shipment whose only dispatch attempt failed (503): dead letter."""
        picking = self._make_picking()
        self.sim.add_fault("create_shipment", 503)
        with trap_jobs() as trap:
            picking.action_send_to_carrier()
            trap.perform_enqueued_jobs()
        shipment = picking.logistics_shipment_id
        self.assertEqual(shipment.health, "exception")
        exception = shipment.exception_ids.filtered(lambda e: e.state == "open")
        self.assertEqual(exception.category, "dispatch_failed")
        return shipment, exception

    def _notes(self, exception):
        return exception.message_ids.filtered(
            lambda m: m.author_id == self.supervisor.partner_id
        ).mapped("body")

    def test_replay_twice_ships_once(self):
        shipment, exception = self._dead_letter()
        board = exception.with_user(self.supervisor)
        with trap_jobs() as trap:
            board.action_replay()
            # a second click before the job ran: the exception is closed
            with self.assertRaisesRegex(UserError, "already closed"):
                board.action_replay()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.sim.count("create_shipment"), 2)  # failed + replay
        self.assertEqual(len(self.sim.shipments), 1)
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(exception.stage_id, self.resolved_stage)
        self.assertTrue(any("Replay requested by" in b for b in self._notes(exception)))
        # the job runs again (a requeued duplicate): the ledger answers, the
        # carrier is not called, and the absorbed duplicate is counted
        ledger = self._ledger(shipment)
        self.assertEqual(ledger.state, "succeeded")
        acquisition = (
            self.env["logistics.idempotency.record"]
            .sudo()
            ._acquire(
                "outbound_dispatch",
                shipment.idempotency_key,
                ledger.fingerprint,
                res_model="logistics.shipment",
                res_id=shipment.id,
            )
        )
        self.assertEqual(acquisition.status, "replay")
        self.assertEqual(self.sim.count("create_shipment"), 2)
        stat = self.env["logistics.duplicate.stat"].search(
            [("scope", "=", "ledger"), ("account_id", "=", self.account.id)]
        )
        self.assertEqual(stat.count, 1)

    def test_bulk_replay_of_two_problems_of_one_shipment_queues_one_job(self):
        shipment, exception = self._dead_letter()
        other = self.env["logistics.exception"]._open_for(
            shipment, "carrier_error", "Carrier said no."
        )
        with trap_jobs() as trap:
            (exception | other).with_user(self.supervisor).action_replay()
            trap.assert_jobs_count(1)

    def test_resolve_wizard_bulk_with_reason(self):
        _shipment, first = self._dead_letter()
        _shipment2, second = self._dead_letter()
        wizard_model = self.env["logistics.exception.resolve.wizard"].with_user(
            self.supervisor
        )
        ctx = {
            "active_model": "logistics.exception",
            "active_ids": (first | second).ids,
        }
        empty = wizard_model.with_context(**ctx).create({"reason": "   "})
        with self.assertRaisesRegex(UserError, "why"):
            empty.action_confirm()
        self.assertEqual(first.state, "open", "nothing half-applied")
        wizard = wizard_model.with_context(**ctx).create(
            {"reason": "Carrier confirmed the outage is over."}
        )
        self.assertEqual(wizard.exception_count, 2)
        wizard.action_confirm()
        for exception in first | second:
            self.assertEqual(exception.state, "resolved")
            self.assertEqual(exception.stage_id, self.resolved_stage)
            self.assertEqual(exception.resolved_by_id, self.supervisor)
            self.assertEqual(
                exception.resolution, "Carrier confirmed the outage is over."
            )
            self.assertTrue(
                any("Carrier confirmed the outage" in b for b in self._notes(exception))
            )
            self.assertFalse(exception.activity_ids)

    def test_reroute_wizard(self):
        shipment, exception = self._dead_letter()
        wizard = (
            self.env["logistics.exception.reroute.wizard"]
            .with_user(self.supervisor)
            .with_context(active_model="logistics.exception", active_ids=exception.ids)
            .create({"carrier_id": self.other_carrier.id, "reason": "Outage"})
        )
        with trap_jobs() as trap:
            wizard.action_confirm()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(shipment.state, "cancelled")
        new = shipment.rerouted_to_id
        self.assertEqual(new.carrier_id, self.other_carrier)
        self.assertEqual(new.state, "label_created")
        self.assertEqual(exception.state, "resolved")
        self.assertIn("Outage", exception.resolution)
        self.assertTrue(any("rerouted by" in b for b in self._notes(exception)))
        # the same shipment cannot be rerouted again (it is closed)
        with self.assertRaisesRegex(UserError, "already closed"):
            wizard.action_confirm()

    def test_reroute_refuses_a_shipment_at_the_carrier(self):
        shipment = self._send(self._make_picking())
        exception = self.env["logistics.exception"]._open_for(
            shipment, "damage", "Parcel damaged."
        )
        wizard = (
            self.env["logistics.exception.reroute.wizard"]
            .with_user(self.supervisor)
            .with_context(active_model="logistics.exception", active_ids=exception.ids)
            .create({"carrier_id": self.other_carrier.id, "reason": "Damage"})
        )
        with self.assertRaisesRegex(UserError, "cancel it there first"):
            wizard.action_confirm()
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(exception.state, "open")

    def test_cancel_at_carrier_from_the_board(self):
        shipment = self._send(self._make_picking())
        exception = self.env["logistics.exception"]._open_for(
            shipment, "address", "Wrong address."
        )
        exception.with_user(self.supervisor).action_cancel_at_carrier()
        self.assertEqual(shipment.state, "cancelled")
        self.assertEqual(self.sim.count("cancel_shipment"), 1)
        self.assertEqual(exception.state, "resolved")
        self.assertTrue(
            any("cancelled at the carrier by" in b for b in self._notes(exception))
        )

    def test_users_cannot_act(self):
        _shipment, exception = self._dead_letter()
        for action in (
            "action_replay",
            "action_cancel_at_carrier",
            "action_assign_to_me",
        ):
            with self.assertRaisesRegex(UserError, "supervisors"):
                getattr(exception.with_user(self.user), action)()
        self.assertEqual(exception.state, "open")

    def test_assign_to_me_is_tracked(self):
        _shipment, exception = self._dead_letter()
        exception.with_user(self.admin).action_assign_to_me()
        self.assertEqual(exception.user_id, self.admin)

    def test_duplicate_problem_updates_one_exception(self):
        shipment, exception = self._dead_letter()
        again = self.env["logistics.exception"]._open_for(
            shipment, "dispatch_failed", "Failed again."
        )
        self.assertEqual(again, exception)
        self.assertEqual(exception.occurrences, 2)
        board = self.env["logistics.exception"].read_group(
            [("shipment_id", "=", shipment.id)], ["stage_id"], ["stage_id"]
        )
        self.assertEqual(sum(g["stage_id_count"] for g in board), 1)

    def test_inbox_duplicates_are_counted(self):
        model = self.env["logistics.inbound.message"].sudo()
        with trap_jobs():
            first = model._store(self.account.id, "msg-1", "{}", "{}")
            second = model._store(self.account.id, "msg-1", "{}", "{}")
        self.assertTrue(first)
        self.assertIsNone(second)
        stat = self.env["logistics.duplicate.stat"].search(
            [("scope", "=", "inbox"), ("account_id", "=", self.account.id)]
        )
        self.assertEqual(stat.count, 1)
