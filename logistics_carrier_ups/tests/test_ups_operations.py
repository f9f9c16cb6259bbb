# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Track Alert subscriptions, address validation in pre-flight, single-package
void and international basics, end to end with the UPS simulator."""

from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import UpsCase


@tagged("post_install", "-at_install")
class TestUpsOperations(UpsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ups_account.sudo().write({"ups_track_alert": "v1"})
        states = cls.env["res.country.state"]
        canada = cls.env.ref("base.ca")
        cls.ca_partner = cls.env["res.partner"].create(
            {
                "name": "Camille Tremblay",
                "street": "290 Bremner Blvd",
                "city": "Toronto",
                "zip": "M5V 3L9",
                "state_id": states.search(
                    [("country_id", "=", canada.id), ("code", "=", "ON")]
                ).id,
                "country_id": canada.id,
                "phone": "+1 416-868-6937",
            }
        )
        cls.ups_standard = cls._make_carrier("UPS Standard", cls.ups_account, "11")
        cls.ups_standard.delivery_type = "logistics_ups"
        cls.product.write(
            {"lst_price": 249.0, "default_code": "ESP-01", "hs_code": "8516.71"}
        )

    def _packed_picking(self, weights):
        picking = self._ups_picking(qty=len(weights))
        move = picking.move_ids
        move.move_line_ids.unlink()
        for weight in weights:
            package = self.env["stock.quant.package"].create(
                {"shipping_weight": weight}
            )
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
        return picking

    # ------------------------------------------------------------------
    # Track Alert subscriptions
    # ------------------------------------------------------------------
    def test_label_subscribes_its_packages_for_14_days(self):
        shipment = self._send(self._packed_picking([2.0, 3.0]))
        self.assertEqual(shipment.state, "label_created")
        packages = shipment.package_ids
        self.assertEqual(set(packages.mapped("ups_alert_state")), {"subscribed"})
        expected = fields.Datetime.now() + timedelta(days=14)
        for package in packages:
            delta = abs((package.ups_alert_expires_at - expected).total_seconds())
            self.assertLess(delta, 120)
        (call,) = self._ups_requests("subscription")  # both numbers in one call
        self.assertEqual(call["path"], "/track/v1/subscription/standard/package")
        body = call["json"]
        self.assertEqual(
            sorted(body["trackingNumberList"]),
            sorted(packages.mapped("tracking_number")),
        )
        self.assertEqual(body["destination"]["url"], self.ups_account.webhook_url)
        self.assertEqual(
            body["destination"]["credential"], self.ups_account.sudo().webhook_secret
        )
        subscribed = self.ups_sim.subscriptions
        for number in packages.mapped("tracking_number"):
            self.assertEqual(subscribed[number]["url"], self.ups_account.webhook_url)

    def test_failed_subscription_never_blocks_dispatch_and_is_retried(self):
        self.ups_sim.add_fault("subscription", 503)
        shipment = self._send(self._ups_picking())
        self.assertEqual(shipment.state, "label_created")  # dispatch unharmed
        self.assertEqual(shipment.health, "ok")
        package = shipment.package_ids
        self.assertEqual(package.ups_alert_state, "failed")
        self.assertEqual(package.ups_alert_attempts, 1)
        self.assertIn("unavailable", package.ups_alert_error)
        logged = self.env["logistics.integration.log"].search(
            [
                ("account_id", "=", self.ups_account.id),
                ("operation", "=", "subscription"),
            ]
        )
        self.assertTrue(logged)
        # the scheduled action retries it
        self.env["logistics.carrier.account"]._cron_ups_track_alerts()
        package.invalidate_recordset()
        self.assertEqual(package.ups_alert_state, "subscribed")
        self.assertEqual(package.ups_alert_attempts, 0)
        self.assertIn(package.tracking_number, self.ups_sim.subscriptions)

    def test_cron_renews_only_expiring_subscriptions_of_moving_shipments(self):
        moving = self._send(self._ups_picking())
        fresh = self._send(self._ups_picking())
        delivered = self._send(self._ups_picking())
        cancelled = self._send(self._ups_picking())
        cancelled.with_user(self.supervisor).action_cancel_at_carrier()
        delivered.sudo().write({"state": "delivered"})
        soon = fields.Datetime.now() + timedelta(days=1)
        (moving | delivered | cancelled).package_ids.write(
            {"ups_alert_expires_at": soon}
        )
        before = len(self._ups_requests("subscription"))
        renewed = self.env["logistics.carrier.account"]._cron_ups_track_alerts()
        self.assertEqual(renewed, 1)
        calls = self._ups_requests("subscription")[before:]
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]["json"]["trackingNumberList"], [moving.tracking_ref])
        self.assertGreater(
            moving.package_ids.ups_alert_expires_at,
            fields.Datetime.now() + timedelta(days=13),
        )
        self.assertEqual(delivered.package_ids.ups_alert_expires_at, soon)
        # nothing due: no call at all
        self.assertEqual(
            self.env["logistics.carrier.account"]._cron_ups_track_alerts(), 0
        )
        self.assertEqual(len(self._ups_requests("subscription")), before + 1)
        self.assertTrue(fresh.package_ids.ups_alert_expires_at > soon)

    def test_cron_goes_on_when_one_account_fails(self):
        """One account's failure (here PostgreSQL refusing its packages'
        update) is logged at WARNING with the account, recorded on its due
        packages and in its chatter, and the other accounts still run."""
        other = self._make_account(
            "UPS other",
            carrier_code="ups",
            label_format="GIF",
            ups_track_alert="v1",
            **{
                k: v
                for k, v in self.ups_sim.account_values().items()
                if k != "base_url"
            },
            api_base_url=self.ups_sim.url,
        )
        other_carrier = self._make_carrier("UPS other", other, "03")
        other_carrier.delivery_type = "logistics_ups"
        broken = self._send(self._ups_picking())
        fine = self._send(self._ups_picking(carrier=other_carrier))
        (broken | fine).package_ids.write({"ups_alert_state": "pending"})
        self.env.flush_all()
        # a real database fault for the first account's packages only
        self.env.cr.execute(
            """
            CREATE FUNCTION logistics_test_refuse() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'simulated storage fault'; END $$;
            CREATE TRIGGER logistics_refuse_subscribed
            BEFORE UPDATE ON logistics_shipment_package FOR EACH ROW
            WHEN (NEW.ups_alert_state = 'subscribed' AND NEW.shipment_id = %s)
            EXECUTE FUNCTION logistics_test_refuse();
            """,
            (broken.id,),
        )
        logger = "odoo.addons.logistics_carrier_ups.models.logistics_carrier_account"
        with self.assertLogs(logger, "WARNING") as logs, mute_logger("odoo.sql_db"):
            self.env["logistics.carrier.account"]._cron_ups_track_alerts()
        self.env.invalidate_all()
        self.assertEqual(fine.package_ids.ups_alert_state, "subscribed")
        package = broken.package_ids
        self.assertEqual(package.ups_alert_state, "failed")
        self.assertEqual(package.ups_alert_attempts, 1)
        self.assertIn("simulated storage fault", package.ups_alert_error)
        self.assertIn(f"id {self.ups_account.id}", logs.output[0])
        self.assertIn("simulated storage fault", logs.output[0])
        notes = self.ups_account.message_ids.mapped("body")
        self.assertTrue(any("simulated storage fault" in n for n in notes))

    def test_numbers_ups_refuses_are_not_retried(self):
        shipment = self._send(self._ups_picking())
        package = shipment.package_ids
        package.sudo().write(
            {"tracking_number": "NOT-A-1Z", "ups_alert_state": "pending"}
        )
        self.ups_account._ups_sync_track_alerts()
        self.assertEqual(package.ups_alert_state, "invalid")
        before = len(self._ups_requests("subscription"))
        self.ups_account._ups_sync_track_alerts()
        self.assertEqual(len(self._ups_requests("subscription")), before)

    def test_track_alert_off_subscribes_nothing(self):
        self.ups_account.sudo().ups_track_alert = "off"
        shipment = self._send(self._ups_picking())
        self.assertFalse(shipment.package_ids.ups_alert_state)
        self.assertFalse(self._ups_requests("subscription"))

    # ------------------------------------------------------------------
    # Address validation in pre-flight
    # ------------------------------------------------------------------
    def _validating(self):
        self.ups_account.sudo().ups_street_validation = True

    def test_confirmed_address_sends_without_question(self):
        self._validating()
        picking = self._ups_picking()
        with trap_jobs():
            action = picking.action_send_to_carrier()
        self.assertEqual(action["tag"], "display_notification")
        self.assertTrue(picking.logistics_shipment_id)
        self.assertEqual(len(self._ups_requests("validate_address")), 1)

    def test_suggested_address_is_offered_and_written_on_the_partner(self):
        self._validating()
        partner = self.us_partner.copy({"zip": "3032"})  # a digit missing
        picking = self._ups_picking(partner=partner)
        action = picking.with_user(self.user).action_send_to_carrier()
        self.assertEqual(action["res_model"], "ups.address.suggestion")
        self.assertFalse(picking.logistics_shipment_id)  # a warning waits
        wizard = self.env["ups.address.suggestion"].browse(action["res_id"])
        self.assertIn("ambiguous", wizard.message)
        self.assertEqual(len(wizard.line_ids), 2)
        first = wizard.line_ids[0]
        self.assertTrue(first.zip.startswith("30328-"))
        self.assertEqual(first.state_id.code, "GA")
        with trap_jobs():
            first.with_user(self.user).action_use()
        self.assertEqual(partner.zip, first.zip)
        note = partner.message_ids[:1]
        self.assertIn("corrected by", note.body)
        self.assertIn(self.user.name, note.body)
        shipment = picking.logistics_shipment_id
        self.assertEqual(shipment.state, "queued")
        # one XAV call: the resend does not ask UPS again
        self.assertEqual(len(self._ups_requests("validate_address")), 1)

    def test_second_click_on_a_queued_shipment_asks_ups_nothing(self):
        self._validating()
        picking = self._ups_picking()
        with trap_jobs():
            picking.action_send_to_carrier()
            picking.action_send_to_carrier()
        self.assertEqual(len(self._ups_requests("validate_address")), 1)
        self.assertEqual(len(picking.logistics_shipment_ids), 1)

    def test_void_and_resend_asks_ups_about_the_address_once(self):
        self._validating()
        picking = self._ups_picking()
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created")
        # a shipment in trouble: its address is not settled, UPS is asked
        # again when it is sent again, once (pre-flight runs once per click)
        shipment.sudo().write({"health": "exception", "exception_category": "address"})
        asked = len(self._ups_requests("validate_address"))
        with trap_jobs():
            picking.action_logistics_void_and_resend()
        self.assertEqual(len(self._ups_requests("validate_address")), asked + 1)
        self.assertEqual(shipment.state, "cancelled")
        self.assertEqual(len(self._ups_requests("cancel_shipment")), 1)
        new = picking.logistics_shipment_id
        self.assertNotEqual(new, shipment)
        self.assertEqual(new.state, "queued")

    def test_send_as_entered_keeps_the_address_and_says_so(self):
        self._validating()
        partner = self.us_partner.copy({"zip": "3032"})
        picking = self._ups_picking(partner=partner)
        action = picking.action_send_to_carrier()
        wizard = self.env["ups.address.suggestion"].browse(action["res_id"])
        with trap_jobs():
            wizard.action_send_as_entered()
        self.assertEqual(partner.zip, "3032")
        self.assertTrue(picking.logistics_shipment_id)
        bodies = " ".join(picking.message_ids.mapped("body"))
        self.assertIn("as entered although UPS did not confirm", bodies)

    def test_validation_down_or_slow_does_not_block(self):
        self._validating()
        for fault in ({"status": 503}, {"status": None, "delay": 3.0}):
            picking = self._ups_picking()
            self.ups_sim.add_fault("validate_address", **fault)
            with trap_jobs():
                action = picking.action_send_to_carrier()
            self.assertEqual(action["tag"], "display_notification", fault)
            self.assertTrue(picking.logistics_shipment_id, fault)
            bodies = " ".join(picking.message_ids.mapped("body"))
            self.assertIn("UPS address validation was skipped", bodies)

    def test_validation_of_the_picking_posts_the_warning(self):
        self._validating()
        partner = self.us_partner.copy({"zip": "3032"})
        picking = self._ups_picking(partner=partner)
        with trap_jobs():
            picking.send_to_shipper()  # what validating the picking calls
        self.assertTrue(picking.logistics_shipment_id)
        bodies = " ".join(picking.message_ids.mapped("body"))
        self.assertIn("UPS did not confirm the address", bodies)
        self.assertIn("30328-", bodies)

    # ------------------------------------------------------------------
    # Single-package void
    # ------------------------------------------------------------------
    def test_void_one_package_keeps_the_others_travelling(self):
        shipment = self._send(self._packed_picking([2.0, 3.0]))
        first, second = shipment.package_ids.sorted("sequence")
        self.assertTrue(first.ups_can_void)
        first.with_user(self.supervisor).action_ups_void_package()
        self.assertTrue(first.ups_voided)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.tracking_ref, second.tracking_number)
        self.assertEqual(
            shipment.picking_id.carrier_tracking_ref, second.tracking_number
        )
        event = shipment.event_ids.filtered(lambda e: e.code == "cancelled")
        self.assertEqual(event.tracking_number, first.tracking_number)
        (void,) = self._ups_requests("cancel_shipment")
        self.assertIn(f"trackingnumber={first.tracking_number}", void["path"])
        record = self.ups_sim.shipments[shipment.carrier_shipment_id]
        self.assertEqual(record["packages"][first.tracking_number], "cancelled")
        self.assertEqual(record["packages"][second.tracking_number], "label_created")
        # UPS's "voided" scan of that package, polled later, does not cancel
        # the shipment whose other package travels on
        adapter = self.ups_account._get_adapter()
        events = adapter.track([first.tracking_number])
        self.assertIn("cancelled", [e.code for e in events])
        self.env["logistics.shipment.event"]._apply_tracking_events(
            self.ups_account, events, "poll"
        )
        shipment.invalidate_recordset()
        self.assertEqual(shipment.state, "label_created")
        # the last package left: voiding it cancels the whole shipment
        second.with_user(self.supervisor).action_ups_void_package()
        self.assertEqual(shipment.state, "cancelled")

    def test_void_package_after_pickup_is_refused_with_ups_message(self):
        shipment = self._send(self._packed_picking([2.0, 3.0]))
        first = shipment.package_ids.sorted("sequence")[0]
        self.ups_sim.advance(first.tracking_number, "picked_up", push=False)
        # the savepoint is the request's rollback: Odoo's side of the void is
        # done before UPS is asked and undone with UPS's refusal
        with self.assertRaisesRegex(UserError, "Not Voided"), self.env.cr.savepoint():
            first.with_user(self.supervisor).action_ups_void_package()
        first.invalidate_recordset()
        self.assertFalse(first.ups_voided)
        self.assertFalse(shipment.event_ids.filtered(lambda e: e.code == "cancelled"))

    def test_void_package_whose_odoo_writes_fail_never_reaches_ups(self):
        """Odoo first, UPS last: a write that fails (here the void's own event,
        a row already in the way) rolls back before UPS was asked, so Odoo can
        never show a package live that UPS has voided."""
        shipment = self._send(self._packed_picking([2.0, 3.0]))
        first, second = shipment.package_ids.sorted("sequence")
        self.env["logistics.shipment.event"].create(
            {
                "shipment_id": shipment.id,
                "code": "in_transit",
                "occurred_at": fields.Datetime.now(),
                "source": "manual",
                "dedupe_key": f"void-{shipment.id}-{first.tracking_number}",
            }
        )
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            first.with_user(self.supervisor).action_ups_void_package()
        self.assertFalse(self._ups_requests("cancel_shipment"))
        record = self.ups_sim.shipments[shipment.carrier_shipment_id]
        self.assertEqual(record["packages"][first.tracking_number], "label_created")
        self.assertEqual(record["packages"][second.tracking_number], "label_created")
        first.invalidate_recordset()
        self.assertFalse(first.ups_voided)

    def test_plain_user_cannot_void_a_package(self):
        shipment = self._send(self._packed_picking([2.0, 3.0]))
        with self.assertRaisesRegex(UserError, "supervisors"):
            shipment.package_ids[0].with_user(self.user).action_ups_void_package()
        self.assertFalse(self._ups_requests("cancel_shipment"))

    # ------------------------------------------------------------------
    # International basics
    # ------------------------------------------------------------------
    def test_international_shipment_sends_invoice_lines(self):
        picking = self._ups_picking(
            partner=self.ca_partner, qty=2, carrier=self.ups_standard
        )
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created", shipment.last_error)
        (sent,) = self._ups_requests("create_shipment")
        body = sent["json"]["ShipmentRequest"]["Shipment"]
        self.assertEqual(body["Description"], "Espresso machine")
        # US -> Canada: the invoice line total at shipment level
        self.assertEqual(
            body["InvoiceLineTotal"], {"CurrencyCode": "USD", "MonetaryValue": "498"}
        )
        forms = body["ShipmentServiceOptions"]["InternationalForms"]
        self.assertEqual(forms["FormType"], ["01"])
        self.assertEqual(forms["InvoiceNumber"], picking.name)
        self.assertEqual(forms["ReasonForExport"], "SALE")
        self.assertRegex(forms["InvoiceDate"], r"^\d{8}$")
        self.assertEqual(forms["Contacts"]["SoldTo"]["Address"]["CountryCode"], "CA")
        (product,) = forms["Product"]
        self.assertEqual(product["Description"], ["Espresso machine"])
        self.assertEqual(product["Unit"]["Number"], "2")
        self.assertEqual(product["Unit"]["Value"], "249")
        self.assertEqual(product["PartNumber"], "ESP-01")
        self.assertEqual(product["CommodityCode"], "851671")
        self.assertEqual(product["OriginCountryCode"], "US")

    def test_domestic_shipment_has_no_customs(self):
        self._send(self._ups_picking())
        (sent,) = self._ups_requests("create_shipment")
        body = sent["json"]["ShipmentRequest"]["Shipment"]
        self.assertNotIn("ShipmentServiceOptions", body)
        self.assertNotIn("InvoiceLineTotal", body)

    def test_preflight_refuses_goods_without_value_abroad(self):
        free = self.env["product.product"].create(
            {"name": "Sample cup", "type": "consu", "weight": 0.3, "lst_price": 0.0}
        )
        picking = self._make_picking(
            partner=self.ca_partner, qty=1.5, carrier=self.ups_standard, product=free
        )
        with self.assertRaises(UserError) as caught:
            picking.action_send_to_carrier()
        message = str(caught.exception)
        self.assertIn("Sample cup has no value", message)
        self.assertIn("whole quantities", message)
        self.assertFalse(picking.logistics_shipment_id)
        self.assertFalse(self._ups_requests("create_shipment"))
        # at home the same goods need no value
        home = self._make_picking(
            partner=self.us_partner, qty=1, carrier=self.ups_carrier, product=free
        )
        with trap_jobs():
            home.action_send_to_carrier()
        self.assertTrue(home.logistics_shipment_id)

    def test_preflight_refuses_a_method_without_ups_service(self):
        """UPS would answer "Missing or invalid Service.Code" after a call:
        the pre-flight says it first, in words, and nothing is queued."""
        no_service = self._make_carrier("UPS (no service)", self.ups_account, "")
        no_service.delivery_type = "logistics_ups"
        picking = self._ups_picking(carrier=no_service)
        with trap_jobs() as trap:
            with self.assertRaisesRegex(UserError, "has no UPS service"):
                picking.action_send_to_carrier()
            trap.assert_jobs_count(0)
        self.assertFalse(picking.logistics_shipment_id)
        self.assertFalse(self._ups_requests("create_shipment"))

    def test_simulator_enforces_the_invoice_fields(self):
        picking = self._ups_picking(partner=self.ca_partner, carrier=self.ups_standard)
        with trap_jobs():
            picking.action_send_to_carrier()
        shipment = picking.logistics_shipment_id
        adapter = self.ups_account._get_adapter()
        body = adapter.build_ship_request(shipment._get_request())
        forms = body["ShipmentRequest"]["Shipment"]["ShipmentServiceOptions"][
            "InternationalForms"
        ]
        del forms["Product"][0]["PartNumber"]
        forms["Product"][0]["Unit"]["Value"] = "0"
        del forms["InvoiceNumber"]
        del body["ShipmentRequest"]["Shipment"]["InvoiceLineTotal"]
        response = adapter._call(
            "POST", "/shipments/v2409/ship", operation="create_shipment", json=body
        )
        self.assertEqual(response.status_code, 400)
        codes = {e["code"] for e in response.json()["response"]["errors"]}
        self.assertEqual(codes, {"120514", "120603", "120612", "120614"})
