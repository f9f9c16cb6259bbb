# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.logistics_idempotency_record import (
    ACQUIRED,
    IN_FLIGHT,
    REPLAY,
    IdempotencyConflict,
)


@tagged("post_install", "-at_install")
class TestLedger(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def setUp(self):
        super().setUp()
        self.ledger = self.env["logistics.idempotency.record"]

    def test_first_acquisition_owns_the_key(self):
        acq = self.ledger._acquire_committed("other", "k1", "fp1")
        self.assertEqual(acq.status, ACQUIRED)
        record = self.ledger.browse(acq.record_id)
        self.assertEqual(record.state, "in_flight")
        self.assertTrue(record.expires_at > fields.Datetime.now())

    def test_second_caller_while_in_flight_does_not_run(self):
        self.ledger._acquire_committed("other", "k2", "fp")
        acq = self.ledger._acquire_committed("other", "k2", "fp")
        self.assertEqual(acq.status, IN_FLIGHT)
        self.assertFalse(acq.lease_expired)

    def test_succeeded_same_fingerprint_returns_stored_result(self):
        acq = self.ledger._acquire_committed("other", "k3", "fp")
        self.ledger._mark_succeeded(acq.record_id, result={"id": "X1"}, result_ref="X1")
        again = self.ledger._acquire_committed("other", "k3", "fp")
        self.assertEqual(again.status, REPLAY)
        self.assertEqual(again.result, {"id": "X1"})
        self.assertEqual(again.record_id, acq.record_id)

    def test_different_fingerprint_is_a_clear_conflict(self):
        acq = self.ledger._acquire_committed("other", "k4", "fp-a")
        self.ledger._mark_succeeded(acq.record_id, result={})
        with self.assertRaisesRegex(
            IdempotencyConflict, "already used for a different"
        ):
            self.ledger._acquire_committed("other", "k4", "fp-b")
        record = self.ledger.browse(acq.record_id)
        self.assertEqual(record.fingerprint, "fp-a")  # never silently overwritten

    def test_failed_entry_can_be_taken_again(self):
        acq = self.ledger._acquire_committed("other", "k5", "fp-a")
        self.ledger._mark_failed(acq.record_id, error="503")
        again = self.ledger._acquire_committed("other", "k5", "fp-b")
        self.assertEqual(again.status, ACQUIRED)
        record = self.ledger.browse(acq.record_id)
        record.invalidate_recordset()
        self.assertEqual(record.attempts, 2)
        self.assertEqual(record.fingerprint, "fp-b")

    def test_scope_separates_keys(self):
        self.assertEqual(
            self.ledger._acquire_committed("other", "k6", "fp").status, ACQUIRED
        )
        self.assertEqual(
            self.ledger._acquire_committed("invoice_line", "k6", "fp").status, ACQUIRED
        )

    def test_expired_lease_is_reported(self):
        acq = self.ledger._acquire_committed("other", "k7", "fp", lease_seconds=1)
        self.ledger.browse(acq.record_id).lease_until = (
            fields.Datetime.now() - timedelta(seconds=5)
        )
        self.env.flush_all()
        again = self.ledger._acquire_committed("other", "k7", "fp")
        self.assertEqual(again.status, IN_FLIGHT)
        self.assertTrue(again.lease_expired)

    def test_gc_removes_expired_finished_entries_only(self):
        past = fields.Datetime.now() - timedelta(days=1)
        done = self.ledger.browse(
            self.ledger._acquire_committed("other", "gc1", "fp").record_id
        )
        self.ledger._mark_succeeded(done.id, result={})
        flying = self.ledger.browse(
            self.ledger._acquire_committed("other", "gc2", "fp").record_id
        )
        fresh = self.ledger.browse(
            self.ledger._acquire_committed("other", "gc3", "fp").record_id
        )
        self.ledger._mark_succeeded(fresh.id, result={})
        (done | flying).write({"expires_at": past})
        self.ledger._gc_expired()
        self.assertFalse(done.exists())
        self.assertTrue(flying.exists())  # in flight: evidence of an unknown outcome
        self.assertTrue(fresh.exists())

    @mute_logger("odoo.sql_db")
    def test_unique_scope_key_in_the_database(self):
        self.ledger._acquire_committed("other", "k8", "fp")
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.ledger.create({"scope": "other", "key": "k8"})
