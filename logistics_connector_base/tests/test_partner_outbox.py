# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound event subscriptions: outbox, signed delivery, backoff, ordering."""

import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_carriers import GenericPartnerAdapter, TrackingEvent
from logistics_carriers import generic_signature as sw
from logistics_carriers.base import AccountConfig

from .common import LogisticsCase
from .partner_receiver import EventReceiver

SECRET = sw.new_secret()


@tagged("post_install", "-at_install")
class TestPartnerOutbox(LogisticsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = EventReceiver().start()
        cls.addClassCleanup(cls.receiver.stop)
        cls.canonical = GenericPartnerAdapter(AccountConfig(carrier_code="generic"))

    def setUp(self):
        super().setUp()
        self.receiver.requests.clear()
        self.receiver.status = 200
        self.shipments = [self._send(self._make_picking()) for _i in range(2)]
        self.sub = self.env["logistics.event.subscription"].create(
            {
                "name": "Portal",
                "url": self.receiver.url,
                "environment": "sandbox",
                "secret": SECRET,
                "event_codes": "picked_up, in_transit ,delivered",
            }
        )

    def _events(self, shipment, codes, start=None, prefix="ev"):
        start = start or datetime(2026, 11, 20, 8, 0)
        number = shipment.tracking_ref.split(",")[0]
        return [
            TrackingEvent(
                tracking_number=number,
                code=code,
                raw_code=code.upper(),
                description=code,
                occurred_at=start + timedelta(hours=i),
                carrier_event_id=f"{prefix}-{shipment.id}-{i}",
            )
            for i, code in enumerate(codes)
        ]

    def _apply(self, events):
        return self.env["logistics.shipment.event"]._apply_tracking_events(
            self.account, events
        )

    def _deliveries(self, sub=None):
        return self.env["logistics.event.delivery"].search(
            [("subscription_id", "=", (sub or self.sub).id)], order="id"
        )

    def _check_signed(self, request):
        hdrs = request["headers"]
        sw.verify(hdrs, request["body"], [SECRET])

    def test_outbox_written_with_the_events_filtered_and_sequenced(self):
        a, b = self.shipments
        with trap_jobs() as trap:
            self._apply(
                self._events(a, ["picked_up", "in_transit", "info", "delivered"])
                + self._events(b, ["picked_up"])
            )
            # the outbox is in the same transaction as the events, not yet sent
            deliveries = self._deliveries()
            self.assertEqual(len(deliveries), 4)  # "info" is not wanted
            self.assertEqual(set(deliveries.mapped("state")), {"pending"})
            self.assertEqual(self.receiver.requests, [])
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.channel, "root.logistics.outbound_events")
            self.assertEqual(job.method_name, "_send_due")
        by_shipment = {
            s: deliveries.filtered(lambda d, s=s: d.shipment_id == s).sorted("id")
            for s in (a, b)
        }
        self.assertEqual(by_shipment[a].mapped("sequence"), [1, 2, 3])
        self.assertEqual(
            by_shipment[a].mapped("event_code"),
            ["picked_up", "in_transit", "delivered"],
        )
        self.assertEqual(by_shipment[b].mapped("sequence"), [1])
        payload = json.loads(by_shipment[a][2].payload)
        self.assertEqual(payload["type"], "logistics.shipment.event")
        self.assertEqual(payload["data"]["shipment_reference"], a.name)
        self.assertEqual(payload["data"]["picking"], a.picking_id.name)
        self.assertEqual(payload["data"]["occurred_at"], "2026-11-20T11:00:00Z")
        self.assertEqual(payload["data"]["sequence"], 3)
        # the payload is itself a canonical event a partner channel accepts
        body = by_shipment[a][2].payload.encode()
        self.assertIsNone(self.canonical.check_webhook_shape({}, body))
        # a later batch continues the shipment's sequence
        self._apply(self._events(a, ["delivered"], prefix="late"))
        self.assertEqual(self._deliveries()[-1].sequence, 4)

    def test_rolled_back_apply_leaves_no_delivery(self):
        a = self.shipments[0]
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            with trap_jobs():
                self._apply(self._events(a, ["picked_up"]))
                self.assertEqual(len(self._deliveries()), 1)
                raise ZeroDivisionError
        self.assertFalse(self._deliveries())
        self.assertFalse(a.event_ids.filtered(lambda e: e.code == "picked_up"))

    def test_company_filter_and_inactive_subscription(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        elsewhere = self.env["logistics.event.subscription"].create(
            {
                "name": "Other",
                "url": self.receiver.url,
                "environment": "sandbox",
                "company_ids": other_company.ids,
            }
        )
        off = self.env["logistics.event.subscription"].create(
            {
                "name": "Off",
                "url": self.receiver.url,
                "environment": "sandbox",
                "active": False,
            }
        )
        with trap_jobs():
            self._apply(self._events(self.shipments[0], ["picked_up"]))
        self.assertEqual(len(self._deliveries()), 1)
        self.assertFalse(self._deliveries(elsewhere))
        self.assertFalse(self._deliveries(off))

    def test_no_event_delivered_twice_to_a_healthy_receiver(self):
        a, b = self.shipments
        events = self._events(
            a, ["picked_up", "in_transit", "delivered"]
        ) + self._events(b, ["picked_up", "in_transit"])
        with trap_jobs() as trap:
            self._apply(events)
            self._apply(events)  # the carrier repeats itself: no new events
            trap.perform_enqueued_jobs()
            # more runs (a duplicate job, the runner retrying) send nothing again
            self.sub._send_due()
            self.sub._send_due()
        deliveries = self._deliveries()
        self.assertEqual(set(deliveries.mapped("state")), {"done"})
        self.assertEqual(set(deliveries.mapped("attempts")), {1})
        self.assertEqual(set(deliveries.mapped("last_status")), {200})
        ids = self.receiver.message_ids()
        self.assertEqual(len(ids), 5)
        self.assertEqual(len(set(ids)), 5)
        self.assertEqual(sorted(ids), sorted(deliveries.mapped("message_id")))
        for request in self.receiver.requests:
            self._check_signed(request)
        # oldest first: each shipment's sequence arrives in order
        for shipment in (a, b):
            seqs = [
                p["data"]["sequence"]
                for p in self.receiver.payloads()
                if p["data"]["shipment_reference"] == shipment.name
            ]
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)))

    def test_real_stored_job_is_performed(self):
        """Without the trap, the job is a real queue_job record on its channel."""
        self._apply(self._events(self.shipments[0], ["picked_up"]))
        job_record = self.env["queue.job"].search(
            [("model_name", "=", "logistics.event.subscription"),
             ("method_name", "=", "_send_due")]
        )  # fmt: skip
        self.assertEqual(len(job_record), 1)
        self.assertEqual(job_record.channel, "root.logistics.outbound_events")
        self.assertEqual(job_record.records, self.sub)
        # a second batch while the job is pending does not queue another one
        self._apply(self._events(self.shipments[1], ["picked_up"]))
        self.assertEqual(
            self.env["queue.job"].search_count([("method_name", "=", "_send_due")]),
            1,
        )
        job = Job.load(self.env, job_record.uuid)
        job.perform()
        self.assertEqual(len(self.receiver.requests), 2)
        self.assertEqual(set(self._deliveries().mapped("state")), {"done"})

    def test_outbox_survives_a_receiver_down_for_an_hour(self):
        a, b = self.shipments
        self.receiver.stop()  # connection refused
        start = datetime(2026, 11, 23, 9, 0, 0)
        try:
            with freeze_time(start) as frozen, trap_jobs() as trap:
                # one batch: a second job with the same identity would escape
                # the trap (queue_job stores it for real)
                self._apply(
                    self._events(a, ["picked_up", "in_transit"])
                    + self._events(b, ["picked_up"])
                )
                runs = 0
                while datetime.now() < start + timedelta(hours=1):
                    trap.perform_enqueued_jobs()
                    runs += 1
                    self.sub.invalidate_recordset()
                    jobs = trap.enqueued_jobs
                    self.assertEqual(
                        len(jobs),
                        1,
                        f"one job waits for the backoff (run {runs}, "
                        f"{datetime.now()}, {self.sub.paused_until}, "
                        f"{self._deliveries().mapped('next_attempt_at')}, "
                        f"{self._deliveries().mapped('state')})",
                    )
                    self.assertEqual(jobs[0].eta, self.sub.paused_until)
                    frozen.move_to(jobs[0].eta)
                deliveries = self._deliveries()
                self.assertEqual(set(deliveries.mapped("state")), {"pending"})
                self.assertEqual(set(deliveries.mapped("last_status")), {0})
                self.assertGreaterEqual(deliveries[0].attempts, runs - 1)
                self.assertGreater(runs, 6)  # exponential: 10 s, 20 s, ... 1 h
                self.assertTrue(self.sub.active)
                self.assertIn("ConnectionError", deliveries[0].last_error)
                # back up: the next run delivers everything once, in order
                self.receiver.start()
                trap.perform_enqueued_jobs()
        finally:
            if not self.receiver._server:
                self.receiver.start()
        deliveries.invalidate_recordset()
        self.sub.invalidate_recordset()
        self.assertEqual(set(deliveries.mapped("state")), {"done"})
        self.assertEqual(self.receiver.message_ids(), deliveries.mapped("message_id"))
        self.assertEqual(self.sub.consecutive_failures, 0)
        self.assertFalse(self.sub.paused_until)

    def test_expired_deliveries_fail_subscription_disabled_with_activity(self):
        self.receiver.status = 503
        self.sub.retry_period = 1
        start = datetime(2026, 11, 23, 9, 0, 0)
        with freeze_time(start) as frozen, trap_jobs() as trap:
            self._apply(self._events(self.shipments[0], ["picked_up"]))
            runs = 0
            while trap.enqueued_jobs and datetime.now() < start + timedelta(hours=3):
                eta = trap.enqueued_jobs[0].eta
                if eta:
                    frozen.move_to(eta)
                trap.perform_enqueued_jobs()
                runs += 1
                self.assertLess(runs, 40, f"no progress at {datetime.now()}")
        delivery = self._deliveries()
        self.sub.invalidate_recordset()
        self.assertEqual(delivery.state, "failed")
        self.assertEqual(delivery.last_status, 503)
        self.assertIn('"ok": false', delivery.last_response)
        self.assertFalse(self.sub.active)
        activity = self.sub.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.sub.responsible_id)
        # while disabled, new events are not queued; failed ones can be resent
        self.receiver.status = 200
        self.receiver.requests.clear()
        with trap_jobs() as trap:
            self.sub.active = True
            delivery.with_user(self.supervisor).action_resend()
            self.assertEqual(delivery.state, "pending")
            trap.perform_enqueued_jobs()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(self.receiver.message_ids(), [delivery.message_id])
        self.assertIn("resent", self.sub.message_ids[0].body)

    def test_rejected_delivery_does_not_block_the_others(self):
        a, b = self.shipments
        self._apply(self._events(a, ["picked_up"]))  # queued first
        self.receiver.status = 400
        with trap_jobs():
            self.sub._send_due()
        first = self._deliveries()
        self.assertEqual(first.state, "pending")
        self.assertEqual(first.attempts, 1)
        self.assertGreater(first.next_attempt_at, first.last_attempt_at)
        self.assertFalse(self.sub.paused_until)  # not the receiver's health
        self.receiver.status = 200
        with trap_jobs():
            self._apply(self._events(b, ["picked_up"]))
            self.sub._send_due()
        second = self._deliveries() - first
        self.assertEqual(second.state, "done")
        self.assertEqual(first.state, "pending")

    def test_rotation_signs_with_both_secrets(self):
        self.sub.action_rotate_secret()
        new = self.sub.secret
        self.assertNotEqual(new, SECRET)
        with trap_jobs() as trap:
            self._apply(self._events(self.shipments[0], ["picked_up"]))
            trap.perform_enqueued_jobs()
        (request,) = self.receiver.requests
        self.assertEqual(len(request["headers"]["webhook-signature"].split()), 2)
        sw.verify(request["headers"], request["body"], [SECRET])
        sw.verify(request["headers"], request["body"], [new])

    def test_configuration_errors_and_access(self):
        with self.assertRaises(ValidationError):
            self.sub.event_codes = "picked_up,teleported"
        with self.assertRaises(ValidationError):
            self.sub.url = "ftp://example.com/x"
        with trap_jobs():
            self._apply(self._events(self.shipments[0], ["picked_up"]))
        delivery = self._deliveries()
        with self.assertRaises(UserError):
            delivery.with_user(self.user).action_resend()
        # supervisors see deliveries, administrators configure subscriptions
        self.assertEqual(
            self.env["logistics.event.delivery"]
            .with_user(self.supervisor)
            .search([("id", "=", delivery.id)]),
            delivery,
        )
        self.assertFalse(
            self.env["logistics.event.subscription"].with_user(self.supervisor)
            .check_access_rights("create", raise_exception=False)
        )  # fmt: skip
        self.assertTrue(
            self.env["logistics.event.subscription"].with_user(self.admin)
            .check_access_rights("create", raise_exception=False)
        )  # fmt: skip
