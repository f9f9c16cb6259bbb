# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A click on many delivery orders queues batch jobs per account.

What needs real transactions (a refused call's attempt kept by its own
cursor while the batch rolls its savepoint back) is proven on a running
server: tests/server/test_dispatch_batch.py.
"""

from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestDispatchBatch(LogisticsCase):
    def _click(self, pickings):
        with trap_jobs() as trap:
            pickings.action_send_to_carrier()
        return trap

    def _jobs(self, trap, method):
        return [j for j in trap.enqueued_jobs if j.method_name == method]

    def test_one_order_keeps_its_own_job(self):
        picking = self._make_picking()
        trap = self._click(picking)
        (job,) = trap.enqueued_jobs
        shipment = picking.logistics_shipment_id
        self.assertEqual(job.method_name, "_dispatch")
        self.assertEqual(job.identity_key, shipment.idempotency_key)
        self.assertEqual(job.channel, "root.logistics.outbound.sim")

    def test_many_orders_are_batched_per_account_and_size(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "logistics.dispatch_batch_size", "2"
        )
        other = self._make_carrier("Other", self._make_account("Other account"))
        mine = self._make_picking() | self._make_picking() | self._make_picking()
        theirs = self._make_picking(carrier=other)
        trap = self._click(mine | theirs)
        (batch,) = self._jobs(trap, "_dispatch_batch")
        singles = self._jobs(trap, "_dispatch")
        self.assertEqual(len(trap.enqueued_jobs), 3)
        self.assertEqual(batch.recordset, mine[:2].logistics_shipment_id)
        self.assertEqual(batch.channel, "root.logistics.outbound.sim")
        self.assertIn("2 delivery orders", batch.description)
        self.assertEqual(
            {j.recordset for j in singles},
            {mine[2].logistics_shipment_id, theirs.logistics_shipment_id},
        )
        trap.perform_enqueued_jobs()
        shipments = (mine | theirs).logistics_shipment_id
        self.assertEqual(set(shipments.mapped("state")), {"label_created"})
        self.assertEqual(self.sim.count("create_shipment"), 4)

    def test_a_batch_sends_each_once_and_replays_a_second_run(self):
        pickings = self._make_picking() | self._make_picking() | self._make_picking()
        trap = self._click(pickings)
        (batch,) = trap.enqueued_jobs
        shipments = pickings.logistics_shipment_id
        result = shipments._dispatch_batch()
        for shipment in shipments:
            self.assertIn(shipment.name, result)
        self.assertEqual(set(shipments.mapped("state")), {"label_created"})
        # the runner starting the batch again (a lost commit) sends nothing
        shipments.write({"carrier_shipment_id": False})
        shipments._dispatch_batch()
        self.assertEqual(self.sim.count("create_shipment"), 3)
        self.assertEqual(len(self.sim.shipments), 3)
        self.assertEqual(batch.method_name, "_dispatch_batch")

    def test_a_shipment_that_must_wait_gets_its_own_job(self):
        pickings = self._make_picking() | self._make_picking() | self._make_picking()
        self._click(pickings)
        shipments = pickings.logistics_shipment_id
        self.sim.add_fault("create_shipment", 503)  # the first call only
        before = fields.Datetime.now()
        with trap_jobs() as trap:
            shipments._dispatch_batch()
        (own,) = trap.enqueued_jobs
        self.assertEqual(own.method_name, "_dispatch")
        self.assertEqual(own.recordset, shipments[0])
        self.assertEqual(own.identity_key, shipments[0].idempotency_key)
        self.assertGreaterEqual((own.eta - before).total_seconds(), 4)
        self.assertEqual(shipments[0].state, "queued")
        self.assertEqual(set(shipments[1:].mapped("state")), {"label_created"})
        trap.perform_enqueued_jobs()
        self.assertEqual(shipments[0].state, "label_created")
        self.assertEqual(len(self.sim.shipments), 3)

    def test_an_unforeseen_failure_is_isolated_in_its_own_job(self):
        pickings = self._make_picking() | self._make_picking()
        self._click(pickings)
        shipments = pickings.logistics_shipment_id
        broken = shipments[0]
        model = type(self.env["logistics.shipment"])
        original = model._get_request

        def get_request(record):
            if record.id == broken.id:
                raise KeyError("parcels")
            return original(record)

        with (
            trap_jobs() as trap,
            patch.object(model, "_get_request", get_request),
            self.assertLogs(
                "odoo.addons.logistics_connector_base.models.logistics_shipment_batch",
                level="WARNING",
            ) as logged,
        ):
            result = shipments._dispatch_batch()
        self.assertIn(broken.name, logged.output[0])
        self.assertIn("queued as its own job", result)
        (own,) = trap.enqueued_jobs
        self.assertEqual(own.recordset, broken)
        self.assertEqual(broken.state, "queued")
        self.assertEqual(shipments[1].state, "label_created")
        trap.perform_enqueued_jobs()
        self.assertEqual(broken.state, "label_created")
