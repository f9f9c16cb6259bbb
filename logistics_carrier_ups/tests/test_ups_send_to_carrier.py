# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Send to carrier, void, rate and errors end to end with the UPS simulator."""

import base64
import re

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.ups.server import KG_PER_LB, NEGOTIATED_FACTOR, SERVICES

from .common import UpsCase

ONE_Z = re.compile(r"^1ZA1B2C303\d{7}\d$")


@tagged("post_install", "-at_install")
class TestUpsSendToCarrier(UpsCase):
    def _packed_picking(self, weights):
        """A delivery order packed in one stock.quant.package per weight."""
        picking = self._ups_picking(qty=len(weights))
        move = picking.move_ids
        move.move_line_ids.unlink()
        packages = self.env["stock.quant.package"]
        for weight in weights:
            package = packages.create({"shipping_weight": weight})
            packages |= package
            self.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "quantity": 1,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "result_package_id": package.id,
                }
            )
        return picking, packages

    def test_send_to_carrier_label_and_1z_tracking_on_picking(self):
        picking = self._ups_picking(qty=2)
        shipment = self._send(picking, user=self.user)  # a plain logistics user
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.health, "ok")
        self.assertRegex(shipment.tracking_ref, ONE_Z)
        self.assertEqual(picking.carrier_tracking_ref, shipment.tracking_ref)
        self.assertEqual(shipment.carrier_shipment_id, shipment.tracking_ref)
        label = shipment.label_attachment_id
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))
        self.assertEqual(label.mimetype, "image/gif")
        self.assertTrue(label.name.endswith(f"{shipment.tracking_ref}.gif"))
        self.assertTrue(base64.b64decode(label.datas).startswith(b"GIF89a"))
        self.assertEqual(shipment.event_ids.mapped("code"), ["label_created"])
        self.assertEqual(self._ledger(shipment).state, "succeeded")
        # negotiated charges (the account asks for them) land on the shipment
        record = self.ups_sim.shipments[shipment.carrier_shipment_id]
        listed = float(record["charges"]["amount"])
        self.assertAlmostEqual(
            shipment.charges_amount, round(listed * NEGOTIATED_FACTOR, 2), places=2
        )
        self.assertEqual(shipment.charges_currency_id.name, "USD")
        # what UPS received: its shapes, US units, our shipper number
        (sent,) = self._ups_requests("create_shipment")
        self.assertEqual(sent["path"], "/shipments/v2409/ship")
        body = sent["json"]["ShipmentRequest"]
        shipper = body["Shipment"]["Shipper"]
        self.assertEqual(shipper["ShipperNumber"], "A1B2C3")
        self.assertEqual(shipper["Address"]["StateProvinceCode"], "MD")
        ship_to = body["Shipment"]["ShipTo"]
        self.assertEqual(ship_to["Address"]["PostalCode"], "30328")
        self.assertEqual(ship_to["Phone"]["Number"], "4048286000")
        (package,) = body["Shipment"]["Package"]
        self.assertEqual(package["PackageWeight"]["UnitOfMeasurement"]["Code"], "LBS")
        self.assertEqual(package["PackageWeight"]["Weight"], "28.7")  # 13 kg
        self.assertEqual(body["LabelSpecification"]["LabelImageFormat"]["Code"], "GIF")
        self.assertIn(
            "NegotiatedRatesIndicator", body["Shipment"]["ShipmentRatingOptions"]
        )
        self.assertTrue(sent["headers"].get("transId"))
        # the OAuth token is kept on the account for every worker
        self.assertEqual(self.ups_sim.count("token"), 1)
        self.assertTrue(self.ups_account.sudo().access_token)

    def test_multi_package_picking_one_tracking_number_per_package(self):
        picking, packages = self._packed_picking([4.0, 2.5, 1.2])
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created", shipment.last_error)
        numbers = shipment.tracking_ref.split(",")
        self.assertEqual(len(numbers), 3)
        self.assertEqual(len(set(numbers)), 3)
        for number in numbers:
            self.assertRegex(number, ONE_Z)
        self.assertEqual(shipment.carrier_shipment_id, numbers[0])
        self.assertEqual(shipment.package_ids.mapped("tracking_number"), numbers)
        self.assertEqual(shipment.package_ids.package_id, packages)
        labels = shipment.package_ids.label_attachment_id
        self.assertEqual(len(labels), 3)
        for line in shipment.package_ids:
            self.assertIn(line.tracking_number, line.label_attachment_id.name)
        # one UPS package per Odoo package, weights in pounds, each package's
        # tracking number on its line
        (sent,) = self._ups_requests("create_shipment")
        sent_packages = sent["json"]["ShipmentRequest"]["Shipment"]["Package"]
        by_name = {
            p["ReferenceNumber"][0]["Value"]: p["PackageWeight"]["Weight"]
            for p in sent_packages
        }
        self.assertEqual(
            by_name,
            {
                packages[0].name: "8.8",  # 4.0 kg
                packages[1].name: "5.5",  # 2.5 kg
                packages[2].name: "2.6",  # 1.2 kg
            },
        )
        for index, line in enumerate(shipment.package_ids.sorted("sequence")):
            reference = sent_packages[index]["ReferenceNumber"][0]["Value"]
            self.assertEqual(line.package_id.name, reference)

    def test_cancel_voids_every_package_at_ups(self):
        picking, _packages = self._packed_picking([3.0, 2.0])
        shipment = self._send(picking)
        picking.with_user(self.supervisor).cancel_shipment()
        self.assertEqual(shipment.state, "cancelled")
        self.assertIn("cancelled", shipment.event_ids.mapped("code"))
        self.assertFalse(picking.carrier_tracking_ref)
        (void,) = self._ups_requests("cancel_shipment")  # one call, whole shipment
        self.assertEqual(
            void["path"], f"/shipments/v2409/void/cancel/{shipment.carrier_shipment_id}"
        )
        record = self.ups_sim.shipments[shipment.carrier_shipment_id]
        self.assertEqual(record["status"], "cancelled")
        self.assertEqual(set(record["packages"].values()), {"cancelled"})

    def test_void_after_pickup_is_refused_with_ups_message(self):
        shipment = self._send(self._ups_picking())
        # UPS scanned it, the suite has not heard about it yet
        self.ups_sim.advance(shipment.carrier_shipment_id, "picked_up", push=False)
        # the savepoint is the request's rollback: Odoo's side of the
        # cancellation is done before the void and undone with it
        with self.assertRaisesRegex(UserError, "picked up"), self.env.cr.savepoint():
            shipment.with_user(self.supervisor).action_cancel_at_carrier()
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(
            self.ups_sim.shipments[shipment.carrier_shipment_id]["status"],
            "picked_up",
        )

    def test_get_rate_on_sale_order(self):
        product = self.env["product.product"].create(
            {"name": "Grinder", "type": "consu", "weight": 2.0, "sale_ok": True}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.us_partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 3})
                ],
            }
        )
        wizard = Form(
            self.env["choose.delivery.carrier"].with_context(
                default_order_id=order.id, default_carrier_id=self.ups_carrier.id
            )
        ).save()
        wizard.update_price()  # the "Get rate" button
        (rate,) = self._ups_requests("rates")
        self.assertEqual(rate["path"], "/rating/v2409/Ratetimeintransit")
        shipment = rate["json"]["RateRequest"]["Shipment"]
        self.assertEqual(shipment["Service"]["Code"], "03")
        self.assertEqual(shipment["ShipTo"]["Address"]["PostalCode"], "30328")
        self.assertIn("NegotiatedRatesIndicator", shipment["ShipmentRatingOptions"])
        pounds = float(shipment["Package"][0]["PackageWeight"]["Weight"])
        self.assertAlmostEqual(pounds, 13.2)  # 6 kg
        _name, base, per_kg, _days = SERVICES["03"]
        listed = round(base + per_kg * pounds * KG_PER_LB, 2)
        self.assertAlmostEqual(
            wizard.delivery_price, round(listed * NEGOTIATED_FACTOR, 2), places=2
        )
        wizard.button_confirm()
        self.assertEqual(order.carrier_id, self.ups_carrier)

    def test_rate_error_is_a_message_not_a_crash(self):
        self.ups_sim.add_fault("rates", 503, times=None)
        order = self.env["sale.order"].create({"partner_id": self.us_partner.id})
        res = self.ups_carrier.rate_shipment(order)
        self.assertFalse(res["success"])
        self.assertEqual(res["error_message"], "Service Unavailable (10004)")

    def test_address_refused_by_ups_is_an_address_exception(self):
        partner = self.us_partner.copy({"zip": "ABCDE"})
        shipment = self._send(self._ups_picking(partner=partner))
        self.assertEqual(shipment.state, "queued")
        self.assertEqual(shipment.health, "exception")
        self.assertEqual(shipment.exception_category, "address")
        self.assertFalse(shipment.carrier_shipment_id)
        exception = shipment.exception_ids.filtered(lambda e: e.state == "open")
        self.assertEqual(exception.category, "address")
        self.assertIn("postal code", exception.message)
        self.assertEqual(self._ledger(shipment).state, "failed")
        self.assertFalse(self.ups_sim.shipments)

    def test_service_refused_by_ups_is_a_service_exception(self):
        next_day = self._make_carrier("UPS Next Day Air", self.ups_account, "01")
        next_day.delivery_type = "logistics_ups"
        germany = self.env["res.partner"].create(
            {
                "name": "Lena Hoffmann",
                "street": "Friedrichstraße 123",
                "city": "Berlin",
                "zip": "10117",
                "country_id": self.env.ref("base.de").id,
                "phone": "+49 30 12345678",
            }
        )
        shipment = self._send(self._ups_picking(partner=germany, carrier=next_day))
        self.assertEqual(shipment.exception_category, "service")
        self.assertIn("unavailable between", shipment.last_error)

    def test_expired_token_is_refreshed_once(self):
        self._send(self._ups_picking())
        self.ups_sim.expire_tokens()
        shipment = self._send(self._ups_picking())
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.ups_sim.count("token"), 2)
        self.assertEqual(self.ups_sim.count("create_shipment"), 3)  # one 401

    def _queued(self, picking):
        with trap_jobs():
            picking.action_send_to_carrier()
        return picking.logistics_shipment_id

    def test_token_shared_between_workers_through_the_account(self):
        first = self.ups_account._get_adapter()
        second = self.ups_account._get_adapter()  # another worker's adapter
        self.assertEqual(first.get_token(), second.get_token())
        self.assertEqual(self.ups_sim.count("token"), 1)
        self.ups_account.invalidate_recordset(["access_token"])  # raw SQL write
        self.assertEqual(
            self.ups_account.sudo().access_token, second.token_store.get()[0]
        )

    def test_503_and_429_are_retried_504_is_never_resent(self):
        shipment = self._queued(self._ups_picking())
        self.ups_sim.add_fault("create_shipment", 503)
        self._dispatch_retry(shipment)  # UPS answered "unavailable": not created
        self.assertEqual(shipment.dispatch_attempts, 1)
        self.ups_sim.add_fault("create_shipment", 429, headers={"Retry-After": "30"})
        retry = self._dispatch_retry(shipment)
        self.assertGreaterEqual(retry.seconds, 30)
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(len(self.ups_sim.shipments), 1)
        # a 504 may hide a created shipment and UPS cannot de-duplicate:
        # no retry, a supervisor verifies at UPS
        other = self._queued(self._ups_picking())
        self.ups_sim.add_fault("create_shipment", 504)
        self._dispatch(other)  # returns: no RetryableJobError
        self.assertEqual(other.exception_category, "unknown_outcome")
        self.assertEqual(self.ups_sim.count("create_shipment"), 4)
        with self.assertRaisesRegex(UserError, "unknown"):
            other.with_user(self.supervisor).action_replay()

    def test_tracking_link_is_the_ups_public_page(self):
        picking = self._ups_picking()
        shipment = self._send(picking)
        link = self.ups_carrier.get_tracking_link(picking)
        self.assertEqual(
            link,
            f"https://www.ups.com/track?loc=en_US&tracknum={shipment.tracking_ref}",
        )

    def test_plain_user_cannot_read_ups_credentials(self):
        account = self.ups_account.with_user(self.user)
        self.assertTrue(account.ups_negotiated_rates)  # settings are readable
        self.assertEqual(account.account_number, "A1B2C3")
        for name in ("client_id", "client_secret", "access_token", "webhook_secret"):
            with self.assertRaises(AccessError):
                account.read([name])
        arch = account.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="ups_negotiated_rates"', arch)
        self.assertNotIn('name="client_secret"', arch)
        self.assertNotIn("action_ups_test_connection", arch)
        admin_arch = self.ups_account.with_user(self.admin).get_views(
            [(False, "form")]
        )["views"]["form"]["arch"]
        self.assertIn('name="client_secret"', admin_arch)
        self.assertIn("action_ups_test_connection", admin_arch)

    def test_test_connection_button(self):
        action = self.ups_account.with_user(self.admin).action_ups_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.ups_sim.count("token"), 1)
        self.ups_account.client_secret = "wrong"
        self.ups_sim.credentials = {"ups-sim-client": "ups-sim-secret"}
        try:
            with self.assertRaisesRegex(UserError, "ClientId is Invalid"):
                self.ups_account.action_ups_test_connection()
        finally:
            self.ups_sim.credentials = None

    def test_account_settings_reach_the_adapter(self):
        self.ups_account.write(
            {
                "label_format": "ZPL",
                "ups_label_stock_size": "8",
                "ups_weight_unit": "KGS",
                "ups_negotiated_rates": False,
            }
        )
        shipment = self._send(self._ups_picking())
        self.assertEqual(shipment.label_attachment_id.mimetype, "text/plain")
        label = base64.b64decode(shipment.label_attachment_id.datas)
        self.assertTrue(label.startswith(b"^XA"))
        (sent,) = self._ups_requests("create_shipment")
        body = sent["json"]["ShipmentRequest"]
        self.assertEqual(
            body["LabelSpecification"]["LabelStockSize"], {"Height": "8", "Width": "4"}
        )
        package = body["Shipment"]["Package"][0]
        self.assertEqual(package["PackageWeight"]["UnitOfMeasurement"]["Code"], "KGS")
        self.assertNotIn("ShipmentRatingOptions", body["Shipment"])
        self.assertEqual(
            shipment.charges_amount,
            float(
                self.ups_sim.shipments[shipment.carrier_shipment_id]["charges"][
                    "amount"
                ]
            ),
        )

    def test_ups_service_selection_sets_the_service_code(self):
        self.ups_carrier.ups_service = "65"
        self.assertEqual(self.ups_carrier.logistics_service_code, "65")
        self.ups_carrier.logistics_service_code = "11"
        self.assertEqual(self.ups_carrier.ups_service, "11")
        self.ups_carrier.logistics_service_code = "XYZ"
        self.assertFalse(self.ups_carrier.ups_service)
