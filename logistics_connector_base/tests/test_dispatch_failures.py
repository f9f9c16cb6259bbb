# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestDispatchFailures(LogisticsCase):
    def _queued(self, picking=None, account=None):
        picking = picking or self._make_picking()
        with trap_jobs():
            picking.action_send_to_carrier()
        return picking.logistics_shipment_id

    def test_503_then_success_retries_with_backoff(self):
        shipment = self._queued()
        self.sim.add_fault("create_shipment", 503)
        ctx_exception = self._dispatch_retry(shipment)
        self.assertGreaterEqual(ctx_exception.seconds, 5)  # base 10 s, equal jitter
        self.assertLessEqual(ctx_exception.seconds, 10)
        self.assertEqual(shipment.dispatch_attempts, 1)
        self.assertEqual(self._ledger(shipment).state, "failed")
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.sim.count("create_shipment"), 2)
        self.assertEqual(len(self.sim.shipments), 1)
        self.assertEqual(self._ledger(shipment).attempts, 2)

    def test_backoff_grows_exponentially(self):
        shipment = self._queued()
        delays = [shipment._retry_delay(n) for n in (1, 2, 3, 4)]
        bounds = [(5, 10), (10, 20), (20, 40), (40, 80)]
        for delay, (low, high) in zip(delays, bounds, strict=True):
            self.assertGreaterEqual(delay, low)
            self.assertLessEqual(delay, high)

    def test_429_retry_after_is_honoured(self):
        shipment = self._queued()
        self.sim.add_fault("create_shipment", 429, headers={"Retry-After": "120"})
        ctx_exception = self._dispatch_retry(shipment)
        self.assertGreaterEqual(ctx_exception.seconds, 120)
        self.assertLessEqual(ctx_exception.seconds, 126)
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")

    def test_timeout_then_lookup_finds_shipment_no_duplicate(self):
        shipment = self._queued()
        # the carrier does the work but the answer comes after our read timeout:
        # the outcome is known to be ambiguous at once, so the carrier is
        # asked at once (no retry, no lease to wait for)
        self.sim.add_fault("create_shipment", None, action="timeout", delay=3.0)
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.dispatch_attempts, 0)
        self.assertEqual(self.sim.count("lookup"), 1)
        self.assertEqual(self.sim.count("create_shipment"), 1)
        self.assertEqual(len(self.sim.shipments), 1)
        self.assertIn(shipment.carrier_shipment_id, self.sim.shipments)

    def test_connection_reset_then_success(self):
        shipment = self._queued()
        self.sim.add_fault("create_shipment", None, action="reset")
        self._dispatch_retry(shipment)
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(len(self.sim.shipments), 1)

    def test_expired_token_is_refreshed_once(self):
        first = self._send(self._make_picking())
        self.assertEqual(self.sim.count("token"), 1)
        self.sim.expire_tokens()
        second = self._send(self._make_picking())
        self.assertEqual(second.state, "label_created")
        self.assertEqual(self.sim.count("token"), 2)
        self.assertNotEqual(first, second)

    def test_token_is_shared_through_the_account(self):
        self._send(self._make_picking())
        self._send(self._make_picking())
        self.assertEqual(self.sim.count("token"), 1)
        self.account.invalidate_recordset()
        self.assertTrue(self.account.sudo().access_token)

    def test_refused_credentials_open_exception_for_admin(self):
        self.sim.add_fault("token", 401, times=None)
        shipment = self._queued()
        self._dispatch(shipment)
        self.assertEqual(shipment.health, "exception")
        self.assertEqual(shipment.exception_category, "authentication")
        exception = shipment.exception_ids
        self.assertEqual(exception.category, "authentication")
        self.assertTrue(
            exception.user_id.has_group(
                "logistics_connector_base.group_logistics_admin"
            )
        )
        self.assertEqual(self.sim.count("create_shipment"), 0)
        self.assertEqual(self._ledger(shipment).state, "failed")

    def test_validation_error_opens_exception_with_category(self):
        carrier = self._make_carrier("Bad service", self.account, service="NOPE")
        shipment = self._queued(self._make_picking(carrier=carrier))
        self._dispatch(shipment)
        self.assertEqual(shipment.health, "exception")
        self.assertEqual(shipment.exception_category, "service")
        self.assertIn("service", shipment.exception_ids.message.lower())
        self.assertEqual(self._ledger(shipment).state, "failed")
        # the user corrects the shipping method's service and sends again
        carrier.logistics_service_code = "SIM_STD"
        picking = shipment.picking_id
        with trap_jobs() as trap:
            picking.action_send_to_carrier()
            trap.perform_enqueued_jobs()
        shipment.invalidate_recordset()
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.exception_ids.state, "resolved")

    def test_retries_exhausted_dead_letter_then_replay(self):
        self.account.max_dispatch_attempts = 2
        shipment = self._queued()
        self.sim.add_fault("create_shipment", 503, times=2)
        self._dispatch_retry(shipment)
        result = self._dispatch(shipment)  # second failure: dead letter
        self.assertIn("Dead letter", result)
        self.assertEqual(shipment.health, "exception")
        self.assertEqual(shipment.exception_category, "dispatch_failed")
        exception = shipment.exception_ids
        self.assertEqual(exception.state, "open")
        self.assertEqual(exception.user_id, self.supervisor)
        self.assertTrue(exception.activity_ids)
        with self.assertRaises(UserError):
            shipment.with_user(self.user).action_replay()
        with trap_jobs() as trap:
            shipment.with_user(self.supervisor).action_replay()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        shipment.invalidate_recordset()
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(exception.state, "resolved")
        self.assertTrue(
            any(
                "Replayed by" in m.body and self.supervisor.name in m.body
                for m in shipment.message_ids
            )
        )
        # replaying again is refused: nothing to replay, never a second shipment
        with self.assertRaises(UserError):
            shipment.with_user(self.supervisor).action_replay()
        self.assertEqual(len(self.sim.shipments), 1)

    def test_replay_whose_label_cannot_be_fetched_is_an_exception(self):
        shipment = self._queued()
        request = shipment._get_request()
        created = self.account._get_adapter().create_shipment(request)
        # the carrier answered and the ledger recorded it, but the worker
        # died before its transaction committed: the rerun replays the result
        ledger = self.env["logistics.idempotency.record"]
        acquisition = ledger._acquire_committed(
            "outbound_dispatch",
            shipment.idempotency_key,
            shipment._request_fingerprint(request),
        )
        ledger._mark_succeeded(
            acquisition.record_id,
            result=created.to_dict(),  # stored without its labels
            result_ref=created.carrier_shipment_id,
        )
        self.sim.add_fault("label", 503)
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.carrier_shipment_id, created.carrier_shipment_id)
        self.assertFalse(shipment.label_attachment_id)
        self.assertEqual(
            (shipment.health, shipment.exception_category),
            ("exception", "label_missing"),
        )
        exception = shipment.exception_ids.filtered(lambda e: e.state == "open")
        self.assertEqual(exception.category, "label_missing")
        self.assertEqual(exception.user_id, self.supervisor)
        self.assertTrue(exception.activity_ids)
        self.assertIn(created.carrier_shipment_id, exception.message)
        self.assertIn("label could not be fetched", exception.message)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def _crash_in_flight(self, shipment, lease_expired=True):
        """Leave the ledger as a worker that died mid-call would."""
        request = shipment._get_request()
        ledger = self.env["logistics.idempotency.record"]
        acquisition = ledger._acquire_committed(
            "outbound_dispatch",
            shipment.idempotency_key,
            shipment._request_fingerprint(request),
        )
        offset = timedelta(minutes=-1 if lease_expired else 10)
        ledger.browse(acquisition.record_id).lease_until = (
            fields.Datetime.now() + offset
        )
        self.env.flush_all()
        return request

    def test_crash_in_flight_recovers_through_carrier_lookup(self):
        shipment = self._queued()
        request = self._crash_in_flight(shipment)
        # the dead worker's request did reach the carrier
        adapter = self.account._get_adapter()
        created = adapter.create_shipment(request)
        self._dispatch(shipment)
        self.assertEqual(shipment.carrier_shipment_id, created.carrier_shipment_id)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_crash_in_flight_resent_with_same_key_to_idempotent_carrier(self):
        shipment = self._queued()
        self._crash_in_flight(shipment)  # the dead worker's call never arrived
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.sim.count("lookup"), 1)
        creates = [r for r in self.sim.requests if r["operation"] == "create_shipment"]
        self.assertEqual(len(creates), 1)
        self.assertEqual(
            creates[0]["headers"].get("Idempotency-Key"), shipment.idempotency_key
        )

    def test_crash_in_flight_unknown_is_never_resent_blindly(self):
        shipment = self._queued()
        self._crash_in_flight(shipment)
        self.sim.add_fault("lookup", 503)  # cannot verify now
        self._dispatch_retry(shipment)
        self.assertEqual(self.sim.count("create_shipment"), 0)

    def test_crash_in_flight_not_found_asks_a_human(self):
        adapter_cls = type(self.account._get_adapter())
        self.patch(adapter_cls, "supports_lookup", False)
        self.patch(adapter_cls, "idempotent_create", False)
        shipment = self._queued()
        self._crash_in_flight(shipment)
        self._dispatch(shipment)
        self.assertEqual(self.sim.count("create_shipment"), 0)
        self.assertEqual(shipment.exception_category, "unknown_outcome")
        self.assertIn("NOT sent again", shipment.exception_ids.message)
        with self.assertRaises(UserError):
            shipment.with_user(self.supervisor).action_replay()
        with trap_jobs() as trap:
            shipment.with_user(self.supervisor).action_confirm_not_sent()
            self.env.flush_all()  # committed before the job runs, in real life
            trap.perform_enqueued_jobs()
        shipment.invalidate_recordset()
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_ambiguous_failure_at_non_idempotent_carrier_stays_in_flight(self):
        adapter_cls = type(self.account._get_adapter())
        self.patch(adapter_cls, "supports_lookup", False)
        self.patch(adapter_cls, "idempotent_create", False)
        shipment = self._queued()
        # the carrier did the work, the answer was lost (read timeout)
        self.sim.add_fault("create_shipment", None, action="timeout", delay=3.0)
        self._dispatch(shipment)
        self.assertEqual(shipment.exception_category, "unknown_outcome")
        self.assertEqual(self._ledger(shipment).state, "in_flight")
        # the runner requeues the job later: still no second call
        self._ledger(shipment).lease_until = "2000-01-01 00:00:00"
        self._dispatch(shipment)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_in_flight_with_live_lease_postpones(self):
        shipment = self._queued()
        self._crash_in_flight(shipment, lease_expired=False)
        ctx_exception = self._dispatch_retry(shipment)
        self.assertTrue(ctx_exception.ignore_retry)
        self.assertEqual(self.sim.count("create_shipment"), 0)
        self.assertEqual(self.sim.count("lookup"), 0)

    def test_breaker_opens_postpones_and_fallback_takes_over(self):
        self.account.write({"breaker_threshold": 2, "breaker_cooldown": 300})
        self.sim.add_fault("create_shipment", 503, times=2)
        first = self._queued()
        for _i in range(2):
            self._dispatch_retry(first)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.breaker_state, "open")
        self.assertEqual(self.account.health, "degraded")
        # open breaker, no fallback: the job postpones itself without a call
        calls = self.sim.count("create_shipment")
        ctx_exception = self._dispatch_retry(first)
        self.assertTrue(ctx_exception.ignore_retry)
        self.assertGreater(ctx_exception.seconds, 200)
        self.assertEqual(self.sim.count("create_shipment"), calls)
        # with a fallback shipping method on a healthy account: it takes over
        backup_account = self._make_account("Backup simulator")
        backup = self._make_carrier("Backup", backup_account, service="SIM_STD")
        self.carrier.logistics_fallback_carrier_id = backup
        with trap_jobs() as trap:
            self._dispatch(first)
            trap.perform_enqueued_jobs()
        self.assertEqual(first.state, "cancelled")
        new = first.rerouted_to_id
        self.assertEqual(new.carrier_id, backup)
        self.assertEqual(new.state, "label_created")
        self.assertEqual(first.picking_id.carrier_id, backup)
        self.assertEqual(first.picking_id.logistics_shipment_id, new)

    def test_breaker_closes_after_success(self):
        self.account.write({"breaker_threshold": 1, "breaker_cooldown": 1})
        self.sim.add_fault("create_shipment", 503)
        shipment = self._queued()
        self._dispatch_retry(shipment)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.breaker_state, "open")
        self.account.breaker_open_until = fields.Datetime.now() - timedelta(seconds=1)
        self._dispatch(shipment)  # half-open trial succeeds
        self.account.invalidate_recordset()
        self.assertEqual(self.account.breaker_state, "closed")
        self.assertEqual(self.account.breaker_failures, 0)
