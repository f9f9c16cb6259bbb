# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestPreflight(LogisticsCase):
    def _assert_refused(self, picking, *fragments):
        with trap_jobs() as trap:
            with self.assertRaises(UserError) as ctx:
                picking.action_send_to_carrier()
            trap.assert_jobs_count(0)
        message = str(ctx.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertFalse(picking.logistics_shipment_ids)
        self.assertEqual(self.sim.requests, [])  # no carrier call at all
        return message

    def test_bad_phone_is_refused_in_words(self):
        partner = self.partner.copy({"phone": "12", "mobile": False})
        picking = self._make_picking(partner=partner)
        self._assert_refused(
            picking, "phone number 12", "not a valid number", "Germany"
        )

    def test_missing_phone_is_refused(self):
        partner = self.partner.copy({"phone": False, "mobile": False})
        self._assert_refused(self._make_picking(partner=partner), "Add a phone number")

    def test_missing_street_is_refused(self):
        partner = self.partner.copy({"street": False})
        self._assert_refused(self._make_picking(partner=partner), "Add the street")

    def test_zero_weight_is_refused(self):
        weightless = self.env["product.product"].create(
            {"name": "Gift card", "type": "consu", "weight": 0.0}
        )
        self._assert_refused(self._make_picking(product=weightless), "weighs nothing")

    def test_all_problems_listed_at_once(self):
        partner = self.partner.copy({"street": False, "city": False, "phone": "abc"})
        message = self._assert_refused(
            self._make_picking(partner=partner), "Add the street", "Add the city", "abc"
        )
        self.assertGreaterEqual(message.count("\n- "), 3)

    def test_destination_not_served_by_method(self):
        self.carrier.country_ids = self.env.ref("base.fr")
        self._assert_refused(self._make_picking(), "does not deliver to", "Berlin")

    def test_phone_normalised_to_e164(self):
        picking = self._make_picking()
        result = picking._logistics_preflight()
        self.assertEqual(result["recipient_phone"], "+493012345678")
        self.assertEqual(result["shipper_phone"], "+49401234567")

    def test_validation_with_bad_data_posts_reason_and_still_validates(self):
        partner = self.partner.copy({"phone": "12"})
        picking = self._make_picking(partner=partner)
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            picking.button_validate()
            trap.assert_jobs_count(0)
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.logistics_shipment_ids)
        self.assertTrue(
            any("not a valid number" in (m.body or "") for m in picking.message_ids)
        )
