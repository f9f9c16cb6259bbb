# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 15: UPS's address suggestion writes only on the delivery's recipient."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import UpsCase


@tagged("post_install", "-at_install")
class TestUpsAddressSecurity(UpsCase):
    def _suggestion_for(self, picking, partner):
        return self.env["ups.address.suggestion"].create(
            {
                "picking_id": picking.id,
                "partner_id": partner.id,
                "line_ids": [(0, 0, {"street": "Forged 1", "city": "X", "zip": "1"})],
            }
        )

    def test_suggestion_cannot_target_another_partner(self):
        picking = self._ups_picking()
        victim = self.company.partner_id
        street = victim.street
        wizard = self._suggestion_for(picking, victim)
        with self.assertRaisesRegex(AccessError, "not for the recipient"):
            wizard.line_ids.with_user(self.user).action_use()
        self.assertEqual(victim.street, street)
        self.assertFalse(picking.logistics_shipment_id)

    def test_suggestion_needs_a_logistics_user_who_may_write_the_delivery(self):
        picking = self._ups_picking()
        partner = picking.partner_id
        street = partner.street
        wizard = self._suggestion_for(picking, partner)
        for user in (self.outsider,):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                wizard.line_ids.with_user(user).action_use()
        other = self.env["res.company"].create({"name": "UPS other company"})
        self.user.write({"company_ids": [(4, other.id)], "company_id": other.id})
        foreign = wizard.line_ids.with_user(self.user).with_context(
            allowed_company_ids=other.ids
        )
        with self.assertRaises(AccessError):
            foreign.action_use()
        self.assertEqual(partner.street, street)
