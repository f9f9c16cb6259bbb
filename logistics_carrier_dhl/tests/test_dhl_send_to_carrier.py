# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Send to carrier with DHL, end to end against the DHL contract simulator."""

import base64
from urllib.parse import parse_qs, urlsplit

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import API_KEY, BILLING, DhlCase, example


def _query(request):
    return parse_qs(urlsplit(request["path"]).query)


@tagged("post_install", "-at_install")
class TestDhlSendToCarrier(DhlCase):
    def test_send_to_carrier_pdf_label_and_tracking_on_picking(self):
        picking = self._dhl_picking(qty=2)
        with trap_jobs() as trap:
            picking.with_user(self.user).action_send_to_carrier()
            # queued, not sent: the click never waits on DHL
            self.assertEqual(self.dhl_sim.count("create_shipment"), 0)
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        picking.invalidate_recordset()
        shipment = picking.logistics_shipment_id
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.health, "ok")
        (number,) = self.dhl_sim.shipments
        self.assertEqual(shipment.carrier_shipment_id, number)
        self.assertEqual(picking.carrier_tracking_ref, number)
        self.assertEqual(shipment.package_ids.mapped("tracking_number"), [number])
        label = shipment.label_attachment_id
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))
        self.assertEqual(label.mimetype, "application/pdf")
        self.assertTrue(label.name.endswith(f"{number}.pdf"))
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        self.assertEqual(shipment.event_ids.mapped("code"), ["label_created"])
        self.assertEqual(self._ledger(shipment).state, "succeeded")
        # what DHL received
        (sent,) = self._dhl_requests("create_shipment")
        self.assertEqual(_query(sent)["docFormat"], ["PDF"])
        self.assertEqual(_query(sent)["includeDocs"], ["include"])
        self.assertEqual(sent["headers"]["dhl-api-key"], API_KEY)
        self.assertTrue(sent["headers"]["Authorization"].startswith("Basic "))
        body = sent["json"]
        self.assertEqual(body["profile"], "STANDARD_GRUPPENPROFIL")
        (dhl_shipment,) = body["shipments"]
        self.assertEqual(dhl_shipment["product"], "V01PAK")
        self.assertEqual(dhl_shipment["billingNumber"], BILLING)
        self.assertEqual(dhl_shipment["refNo"], picking.name)
        self.assertEqual(dhl_shipment["consignee"]["country"], "DEU")
        self.assertEqual(dhl_shipment["consignee"]["postalCode"], "10117")
        self.assertEqual(dhl_shipment["consignee"]["name1"], "Lena Hoffmann")
        self.assertEqual(dhl_shipment["shipper"]["city"], "Hamburg")
        self.assertEqual(
            dhl_shipment["details"]["weight"], {"uom": "g", "value": 13000}
        )
        # the tracking link of Odoo's delivery flow is DHL's
        self.assertIn(number, self.dhl_carrier.get_tracking_link(picking))

    def test_preflight_refuses_what_dhl_would_nothing_queued(self):
        heavy = self._dhl_picking()
        self._pack(heavy, [40.0])
        france = self.partner.copy(
            {"city": "Lyon", "zip": "69002", "country_id": self.env.ref("base.fr").id}
        )
        abroad = self._dhl_picking(partner=france)
        with trap_jobs() as trap:
            with self.assertRaisesRegex(UserError, "up to 31.5 kg"):
                heavy.action_send_to_carrier()
            with self.assertRaisesRegex(UserError, "ships within Germany only"):
                abroad.action_send_to_carrier()
            self.warehouse.partner_id.country_id = self.env.ref("base.at")
            with self.assertRaisesRegex(UserError, "ships from Germany"):
                self._dhl_picking().action_send_to_carrier()
            trap.assert_jobs_count(0)
        self.assertEqual(self.dhl_sim.requests, [])

    def test_zpl_label_when_the_account_prints_zpl(self):
        self.dhl_account.label_format = "ZPL"
        picking = self._dhl_picking()
        shipment = self._send(picking)
        (sent,) = self._dhl_requests("create_shipment")
        self.assertEqual(_query(sent)["docFormat"], ["ZPL2"])
        label = shipment.label_attachment_id
        self.assertTrue(label.name.endswith(".zpl"))
        self.assertTrue(base64.b64decode(label.datas).startswith(b"^XA"))

    def test_multi_package_one_tracking_number_per_package(self):
        picking = self._dhl_picking(qty=2)
        packages = self._pack(picking, [4.0, 9.5])
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created")
        (sent,) = self._dhl_requests("create_shipment")
        self.assertEqual(len(sent["json"]["shipments"]), 2)  # one order, 2 parcels
        refs = [s["refNo"] for s in sent["json"]["shipments"]]
        self.assertEqual(refs, [f"{picking.name} 1/2", f"{picking.name} 2/2"])
        numbers = shipment.package_ids.mapped("tracking_number")
        self.assertEqual(len(set(numbers)), 2)
        self.assertEqual(picking.carrier_tracking_ref, ",".join(numbers))
        self.assertEqual(shipment.package_ids.package_id, packages)
        stored = self.dhl_sim.shipments
        for package in shipment.package_ids:
            weight = stored[package.tracking_number]["request"]["details"]["weight"]
            self.assertEqual(
                weight["value"], int(package.package_id.shipping_weight * 1000)
            )
            label = package.label_attachment_id
            self.assertIn(package.tracking_number, label.name)
        self.assertEqual(len(shipment.package_ids.label_attachment_id), 2)

    def test_cancel_deletes_the_order_at_dhl(self):
        picking = self._dhl_picking(qty=2)
        self._pack(picking, [3.0, 3.0])
        shipment = self._send(picking)
        numbers = shipment.package_ids.mapped("tracking_number")
        picking.with_user(self.supervisor).cancel_shipment()
        self.assertEqual(shipment.state, "cancelled")
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertIn("cancelled", shipment.event_ids.mapped("code"))
        (cancel,) = self._dhl_requests("cancel_shipment")
        query = _query(cancel)
        self.assertEqual(query["profile"], ["STANDARD_GRUPPENPROFIL"])
        self.assertEqual(sorted(query["shipment"]), sorted(numbers))
        self.assertTrue(all(self.dhl_sim.shipments[n]["cancelled"] for n in numbers))

    def test_cancel_refused_by_dhl_is_explained(self):
        picking = self._dhl_picking()
        shipment = self._send(picking)
        # after DHL's daily closeout
        self.dhl_sim.close_out()
        with self.assertRaisesRegex(UserError, "closed out"), self.env.cr.savepoint():
            picking.with_user(self.supervisor).cancel_shipment()
        self.assertEqual(shipment.state, "label_created")

    def test_cancel_of_a_shipment_dhl_deleted_before_succeeds(self):
        """A cancel retried after a lost reply (or deleted in DHL's portal):
        DHL answers 400 UnknownShipmentNumber, which counts as cancelled."""
        picking = self._dhl_picking()
        shipment = self._send(picking)
        number = shipment.carrier_shipment_id
        self.dhl_sim._shipments[number]["cancelled"] = True
        picking.with_user(self.supervisor).cancel_shipment()
        self.assertEqual(shipment.state, "cancelled")

    def test_dhl_validation_error_becomes_an_address_exception(self):
        """DHL's verbatim 400 (validationMessages) -> warehouse exception."""
        self.dhl_sim.add_fault(
            "create_shipment", 400, body=example("dhl-parcel-de-validation-error")
        )
        picking = self._dhl_picking()
        shipment = self._send(picking)
        self.assertEqual(shipment.health, "exception")
        self.assertEqual(shipment.exception_category, "address")
        self.assertFalse(shipment.carrier_shipment_id)
        exception = shipment.exception_ids.filtered(lambda e: e.state == "open")
        self.assertEqual(exception.category, "address")
        self.assertIn(
            "The city entered does not match the postcode. The shipment is not "
            "codeable.",
            exception.message,
        )
        self.assertEqual(self._ledger(shipment).state, "failed")

    def test_postcode_dhl_refuses_and_resend_after_correction(self):
        self.partner.zip = "1011"  # not a German postcode
        picking = self._dhl_picking()
        shipment = self._send(picking)
        self.assertEqual(shipment.exception_category, "address")
        self.assertIn("The postcode entered is not valid.", shipment.last_error)
        self.assertFalse(self.dhl_sim.shipments)
        # the user corrects the address and clicks again: sent, exception closed
        self.partner.zip = "10117"
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.health, "ok")
        self.assertEqual(len(self.dhl_sim.shipments), 1)

    def test_wrong_portal_password_is_an_authentication_exception(self):
        self.dhl_account.password = "wrong"
        shipment = self._send(self._dhl_picking())
        self.assertEqual(shipment.exception_category, "authentication")
        exception = shipment.exception_ids.filtered(lambda e: e.state == "open")
        self.assertIn("Unauthorized for given resource.", exception.message)
        self.assertFalse(self.dhl_sim.shipments)

    def test_oauth_token_cached_on_account_and_refreshed_once(self):
        self.dhl_account.dhl_auth_mode = "oauth"
        self._send(self._dhl_picking())
        self.dhl_account.invalidate_recordset(["access_token"])  # stored by SQL
        self.assertTrue(self.dhl_account.access_token)
        self._send(self._dhl_picking())
        self.assertEqual(self.dhl_sim.count("token"), 1)
        (token_call,) = self._dhl_requests("token")
        self.assertNotIn("dhl-api-key", token_call["headers"])
        self.dhl_sim.expire_tokens()  # DHL forgets the token: 401, refresh, retry
        shipment = self._send(self._dhl_picking())
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.dhl_sim.count("token"), 2)
        self.assertEqual(len(self.dhl_sim.shipments), 3)
        self.dhl_account.invalidate_recordset(["access_token"])
        bearer = self._dhl_requests("create_shipment")[-1]["headers"]["Authorization"]
        self.assertEqual(bearer, f"Bearer {self.dhl_account.access_token}")

    def test_429_is_retried_later_never_an_unknown_outcome(self):
        picking = self._dhl_picking()
        with trap_jobs():
            picking.action_send_to_carrier()
        shipment = picking.logistics_shipment_id
        self.dhl_sim.add_fault("create_shipment", 429, headers={"Retry-After": "30"})
        err = self._dispatch_retry(shipment)
        self.assertGreaterEqual(err.seconds, 30)
        self.assertNotEqual(shipment.exception_category, "unknown_outcome")
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(len(self.dhl_sim.shipments), 1)

    def test_lost_answer_is_never_resent_blindly(self):
        """DHL cannot de-duplicate nor be searched: verify at the carrier."""
        picking = self._dhl_picking()
        with trap_jobs():
            picking.action_send_to_carrier()
        shipment = picking.logistics_shipment_id
        self.dhl_sim.add_fault("create_shipment", None, action="timeout", delay=3.0)
        self._dispatch(shipment)
        self.assertEqual(shipment.exception_category, "unknown_outcome")
        self.assertIn("NOT sent again", shipment.exception_ids.message)
        self.assertEqual(len(self.dhl_sim.shipments), 1)  # created at DHL
        self.assertEqual(self.dhl_sim.count("create_shipment"), 1)
        with self.assertRaises(UserError):  # verify at DHL first
            shipment.with_user(self.supervisor).action_replay()

    def test_partial_order_is_undone_and_retried_whole(self):
        picking = self._dhl_picking(qty=2)
        self._pack(picking, [2.0, 2.0])
        with trap_jobs():
            picking.action_send_to_carrier()
        shipment = picking.logistics_shipment_id
        self.dhl_sim.add_item_fault(position=1)  # 207: parcel 2 fails at DHL
        self._dispatch_retry(shipment)
        (first,) = self.dhl_sim.shipments.values()
        self.assertTrue(first["cancelled"])  # parcel 1's label was undone
        self._dispatch(shipment)
        self.assertEqual(shipment.state, "label_created")
        active = [s for s in self.dhl_sim.shipments.values() if not s["cancelled"]]
        self.assertEqual(
            sorted(s["shipmentNo"] for s in active),
            sorted(shipment.package_ids.mapped("tracking_number")),
        )

    def test_label_recovered_with_dhl_reprint_on_replay(self):
        picking = self._dhl_picking()
        shipment = self._send(picking)
        number = shipment.carrier_shipment_id
        # the job's transaction was lost after the ledger recorded DHL's answer
        shipment.label_attachment_id.unlink()
        shipment.package_ids.unlink()
        shipment.write({"carrier_shipment_id": False, "state": "queued"})
        self._dispatch(shipment)
        self.assertEqual(shipment.carrier_shipment_id, number)
        self.assertEqual(self.dhl_sim.count("create_shipment"), 1)
        (reprint,) = self._dhl_requests("label")
        self.assertEqual(_query(reprint)["shipment"], [number])
        label = shipment.label_attachment_id
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))

    def test_tracking_updates_until_delivered(self):
        account = self.dhl_account
        if not hasattr(account, "_poll_tracking"):
            self.skipTest("the base addon has no tracking poll yet")
        picking = self._dhl_picking()
        shipment = self._send(picking)
        number = shipment.carrier_shipment_id
        for step in ("picked_up", "in_transit", "delivered"):
            self.dhl_sim.advance(number, step, signatory="L. Hoffmann")
        account._poll_tracking()
        shipment.invalidate_recordset()
        self.assertEqual(shipment.state, "delivered")
        codes = shipment.event_ids.mapped("code")
        self.assertIn("in_transit", codes)
        self.assertIn("delivered", codes)
        (call,) = self._dhl_requests("tracking")
        self.assertEqual(call["headers"]["DHL-API-Key"], API_KEY)
        self.assertEqual(_query(call)["trackingNumber"], [number])
        # parcel-de answers the full data (signatory) with the postal code
        self.assertEqual(_query(call)["recipientPostalCode"], [self.partner.zip])
        delivered = shipment.event_ids.filtered(lambda e: e.code == "delivered")
        self.assertEqual(delivered.signatory, "L. Hoffmann")
        # polling again adds nothing (same events, same dedupe keys)
        before = len(shipment.event_ids)
        shipment.last_tracked_at = False
        account._poll_tracking()
        shipment.invalidate_recordset()
        self.assertEqual(len(shipment.event_ids), before)
