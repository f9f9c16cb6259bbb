# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A US warehouse, a UPS account and shipping method on a UPS simulator."""

from odoo.addons.logistics_connector_base.tests.common import LogisticsCase
from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.ups.server import UpsSimulatorServer


class UpsCase(LogisticsCase):
    """The base fixtures (users, registry in test mode) plus UPS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ups_sim = UpsSimulatorServer().start()
        cls.addClassCleanup(cls.ups_sim.stop)
        us = cls.env.ref("base.us")
        states = cls.env["res.country.state"]
        cls.company.partner_id.write(
            {
                "street": "2311 York Rd",
                "street2": False,
                "city": "Timonium",
                "zip": "21093",
                "state_id": states.search(
                    [("country_id", "=", us.id), ("code", "=", "MD")]
                ).id,
                "country_id": us.id,
                "phone": "+1 410-308-1234",
            }
        )
        cls.ups_account = cls._make_account(
            "UPS test",
            carrier_code="ups",
            label_format="GIF",
            ups_negotiated_rates=True,
            **{
                k: v for k, v in cls.ups_sim.account_values().items() if k != "base_url"
            },
            api_base_url=cls.ups_sim.url,
        )
        cls.ups_carrier = cls._make_carrier("UPS Ground", cls.ups_account, "03")
        cls.ups_carrier.delivery_type = "logistics_ups"
        cls.us_partner = cls.env["res.partner"].create(
            {
                "name": "Jordan Miller",
                "street": "55 Glenlake Pkwy NE",
                "city": "Atlanta",
                "zip": "30328",
                "state_id": states.search(
                    [("country_id", "=", us.id), ("code", "=", "GA")]
                ).id,
                "country_id": us.id,
                "phone": "+1 404-828-6000",
                "email": "jordan.miller@example.com",
            }
        )

    def setUp(self):
        super().setUp()
        self.ups_sim.reset()

    def _send(self, picking, user=None):
        """Send to carrier, then run the jobs the dispatch queued in turn
        (Track Alert subscriptions)."""
        target = picking.with_user(user) if user else picking
        with trap_jobs() as trap:
            target.action_send_to_carrier()
            for _round in range(3):
                if not trap.enqueued_jobs:
                    break
                trap.perform_enqueued_jobs()
        picking.invalidate_recordset()
        return picking.logistics_shipment_id

    def _ups_picking(self, partner=None, qty=1.0, carrier=None):
        return self._make_picking(
            partner=partner or self.us_partner,
            qty=qty,
            carrier=carrier or self.ups_carrier,
        )

    def _ups_requests(self, operation):
        return [r for r in self.ups_sim.requests if r["operation"] == operation]
