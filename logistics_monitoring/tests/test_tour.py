# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import GROUPS


@tagged("post_install", "-at_install")
class TestExceptionBoardTour(HttpCase):
    def test_work_cards_on_the_board(self):
        env = self.env
        supervisor = new_test_user(
            env, "mon_tour_supervisor", password="mon_tour_supervisor",
            groups=GROUPS + "supervisor,base.group_user",
        )  # fmt: skip
        account = env["logistics.carrier.account"].create(
            {"name": "Tour account", "carrier_code": "sim"}
        )
        carrier = env["delivery.carrier"].create(
            {
                "name": "Tour carrier",
                "delivery_type": "logistics_sim",
                "product_id": env["product.product"]
                .create({"name": "Tour shipping", "type": "service"})
                .id,
                "logistics_account_id": account.id,
            }
        )
        warehouse = env.ref("stock.warehouse0")
        partner = env["res.partner"].create({"name": "Tour customer"})
        shipments = env["logistics.shipment"]
        for _index in range(2):
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "location_id": env.ref("stock.stock_location_stock").id,
                    "location_dest_id": env.ref("stock.stock_location_customers").id,
                    "partner_id": partner.id,
                    "carrier_id": carrier.id,
                }
            )
            shipments |= env["logistics.shipment"].create(
                {
                    "picking_id": picking.id,
                    "carrier_id": carrier.id,
                    "account_id": account.id,
                    "idempotency_key": f"tour-{picking.id}",
                    "state": "queued",
                    "health": "exception",
                }
            )
        shipment, other = shipments
        exceptions = env["logistics.exception"].create(
            [
                {"name": "Tour dispatch failed", "category": "dispatch_failed",
                 "message": "503", "shipment_id": shipment.id, "priority": "3"},
                {"name": "Tour address refused", "category": "address",
                 "message": "Street missing", "shipment_id": other.id,
                 "priority": "3"},
            ]
        )  # fmt: skip
        # the replay only queues the dispatch job (no carrier is called here)
        self.start_tour(
            "/web", "logistics_monitoring_exception_board", login=supervisor.login
        )
        dispatch, address = exceptions
        self.assertEqual(dispatch.user_id, supervisor)
        self.assertEqual(dispatch.state, "resolved")
        self.assertEqual(address.state, "resolved")
        self.assertEqual(address.resolution, "Street corrected with the customer")
        self.assertEqual(shipment.state, "queued")
        self.assertTrue(
            env["queue.job"]
            .sudo()
            .search([("identity_key", "=", shipment.idempotency_key)])
        )
