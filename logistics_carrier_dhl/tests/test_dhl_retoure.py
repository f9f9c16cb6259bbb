# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Retoure: a return label with every shipment, handed out on request."""

import base64

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import DhlCase


@tagged("post_install", "-at_install")
class TestDhlRetoure(DhlCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.retoure_account = cls._make_dhl_account(
            "DHL with Retoure", dhl_retoure=True
        )
        cls.retoure_carrier = cls._make_dhl_carrier(
            "DHL Paket with Retoure", cls.retoure_account
        )

    def _delivered(self, carrier):
        picking = self._dhl_picking(carrier=carrier)
        picking.action_assign()
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            picking.button_validate()
            trap.perform_enqueued_jobs()
        self.assertEqual(picking.state, "done")
        picking.invalidate_recordset()
        return picking

    def test_every_shipment_carries_its_retoure_label(self):
        picking = self._dhl_picking(carrier=self.retoure_carrier)
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created")
        (sent,) = self._dhl_requests("create_shipment")
        retoure = sent["json"]["shipments"][0]["services"]["dhlRetoure"]
        self.assertEqual(retoure["billingNumber"], "33333333330701")
        self.assertEqual(retoure["returnAddress"]["city"], "Hamburg")  # warehouse
        number = self.dhl_sim.shipments[shipment.tracking_ref]["returnShipmentNo"]
        self.assertTrue(number)
        self.assertEqual(shipment.dhl_retoure_number, number)
        label = shipment.dhl_retoure_label_ids
        self.assertEqual(len(label), 1)
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))
        self.assertEqual(label.name, f"Retoure-dhl-{number}.pdf")
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        self.assertNotEqual(label, shipment.label_attachment_id)

    def test_option_off_asks_for_no_retoure(self):
        shipment = self._send(self._dhl_picking())
        (sent,) = self._dhl_requests("create_shipment")
        self.assertNotIn("services", sent["json"]["shipments"][0])
        self.assertFalse(shipment.dhl_retoure_number)
        self.assertFalse(shipment.dhl_retoure_label_ids)

    def test_own_retoure_billing_number_is_checked(self):
        with self.assertRaisesRegex(ValidationError, "procedure 07"):
            self.retoure_account.dhl_retoure_billing_number = "33333333330101"
        self.retoure_account.dhl_retoure_billing_number = "33333333330702"
        shipment = self._send(self._dhl_picking(carrier=self.retoure_carrier))
        (sent,) = self._dhl_requests("create_shipment")
        retoure = sent["json"]["shipments"][0]["services"]["dhlRetoure"]
        self.assertEqual(retoure["billingNumber"], "33333333330702")
        self.assertTrue(shipment.dhl_retoure_number)

    def test_return_label_button_mails_the_retoure_label(self):
        delivery = self._delivered(self.retoure_carrier)
        outbound = delivery.logistics_shipment_id
        self.assertTrue(outbound.dhl_retoure_label_ids)
        mails_before = self.env["mail.mail"].search([])
        with trap_jobs() as trap:
            action = delivery.with_user(self.user).action_logistics_return_label()
            self.assertFalse(trap.enqueued_jobs)  # nothing asked of DHL
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(outbound.dhl_retoure_number, action["params"]["message"])
        self.assertEqual(self.dhl_sim.count("create_shipment"), 1)
        returned = delivery.return_ids
        self.assertEqual(len(returned), 1)
        self.assertFalse(returned.logistics_shipment_id)
        self.assertEqual(returned.carrier_tracking_ref, outbound.dhl_retoure_number)
        mail = (self.env["mail.mail"].search([]) - mails_before).filtered(
            lambda m: "return label" in (m.subject or "").lower()
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("lena.hoffmann@example.com", mail.email_to)
        self.assertEqual(mail.attachment_ids.name, outbound.dhl_retoure_label_ids.name)
        self.assertIn(outbound.dhl_retoure_number, mail.body_html)

    def test_without_retoure_the_return_label_is_still_refused(self):
        delivery = self._delivered(self.dhl_carrier)
        self.assertFalse(delivery.logistics_shipment_id.dhl_retoure_label_ids)
        with self.assertRaisesRegex(UserError, "offers no return labels"):
            delivery.action_logistics_return_label()
        self.assertEqual(self.dhl_sim.count("create_shipment"), 1)
