# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A DHL answer off its specification is logged, counted, never dropped."""

from odoo.tests import tagged

from .common import DhlCase


@tagged("post_install", "-at_install")
class TestDhlAnswers(DhlCase):
    def test_off_specification_event_is_counted_on_the_account(self):
        picking = self._dhl_picking()
        shipment = self._send(picking)
        number = shipment.carrier_shipment_id
        self.dhl_sim.add_fault(
            "tracking",
            200,
            body={
                "shipments": [
                    {
                        "id": number,
                        "service": "parcel-de",
                        "events": [
                            {
                                "timestamp": "2026-05-04T10:00:00",
                                "statusCode": "transit",
                                "description": "In transit",
                            },
                            {"timestamp": "soon", "statusCode": "delivered"},
                        ],
                    }
                ]
            },
        )
        self.assertEqual(self.dhl_account.spec_mismatch_count, 0)
        self.dhl_account._poll_tracking()
        self.dhl_account.invalidate_recordset(["spec_mismatch_count"])
        self.assertEqual(self.dhl_account.spec_mismatch_count, 1)
        logs = self.env["logistics.integration.log"].search(
            [
                ("account_id", "=", self.dhl_account.id),
                ("operation", "=", "tracking:spec_mismatch"),
            ]
        )
        self.assertEqual(len(logs), 1)
        self.assertIn("unreadable timestamp", logs.error)
        self.assertIn("soon", logs.response_body)
        # the readable event was applied, the other is not invented
        shipment.invalidate_recordset()
        self.assertIn("in_transit", shipment.event_ids.mapped("code"))
        self.assertNotEqual(shipment.state, "delivered")
