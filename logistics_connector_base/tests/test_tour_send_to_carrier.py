# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Send to carrier in a real browser (headless Chromium, Odoo's web tours).

The first tour clicks the button as a warehouse user; the job it queued is then
loaded from the queue_job table and run as the runner would run it, against the
simulator; the second tour finds the tracking number on the delivery order and
opens the shipment with its label.
"""

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.job import Job

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestSendToCarrierTour(LogisticsCase, HttpCase):
    def test_send_to_carrier_through_to_the_label(self):
        self.user.password = "ls_user"  # start_tour logs in with login = password
        picking = self._make_picking()
        url = f"/web#id={picking.id}&model=stock.picking&view_type=form"
        self.start_tour(url, "logistics_send_to_carrier_tour", login="ls_user")
        self.env.invalidate_all()
        shipment = picking.logistics_shipment_id
        self.assertEqual(shipment.state, "queued")
        job_row = self.env["queue.job"].search(
            [
                ("model_name", "=", "logistics.shipment"),
                ("method_name", "=", "_dispatch"),
                ("state", "=", "pending"),
                ("records", "like", f"[{shipment.id}]"),
            ]
        )
        self.assertEqual(len(job_row), 1, "one dispatch job queued by the click")
        job = Job.load(self.env, job_row.uuid)
        job.set_started()
        job.perform()
        job.set_done()
        job.store()
        self.env.invalidate_all()
        self.assertEqual(shipment.state, "label_created")
        self.assertTrue(picking.carrier_tracking_ref.startswith("SIM"))
        self.start_tour(url, "logistics_label_arrived_tour", login="ls_user")
