# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared fixtures: a real carrier simulator on 127.0.0.1 and real records."""

from odoo.tests.common import TransactionCase, new_test_user

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.generic.server import SimulatorServer


class LogisticsCase(TransactionCase):
    """Account, shipping method, customer and users wired to a simulator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Cursors "of their own" (ledger, breaker, token cache) become
        # savepoints of the test transaction, as in HttpCase.
        if not cls.registry.in_test_mode():  # HttpCase entered it already
            cls.registry.enter_test_mode(cls.cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.sim = SimulatorServer().start()
        cls.addClassCleanup(cls.sim.stop)
        cls.company = cls.env.company
        cls.company.partner_id.write(
            {
                "street": "Hauptstraße 1",
                "city": "Hamburg",
                "zip": "20095",
                "country_id": cls.env.ref("base.de").id,
                "phone": "+49 40 1234567",
            }
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        warehouse.partner_id = cls.company.partner_id
        cls.warehouse = warehouse
        cls.account = cls._make_account("Test simulator")
        cls.carrier = cls._make_carrier("Sim Express", cls.account)
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Lena Hoffmann",
                "street": "Friedrichstraße 123",
                "city": "Berlin",
                "zip": "10117",
                "country_id": cls.env.ref("base.de").id,
                "phone": "030 12345678",
                "email": "lena.hoffmann@example.com",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Espresso machine", "type": "consu", "weight": 6.5}
        )
        stock_user = "stock.group_stock_user"
        cls.user = new_test_user(
            cls.env,
            "ls_user",
            groups=f"{stock_user},logistics_connector_base.group_logistics_user",
        )
        cls.supervisor = new_test_user(
            cls.env,
            "ls_supervisor",
            groups=f"{stock_user},logistics_connector_base.group_logistics_supervisor",
        )
        cls.admin = new_test_user(
            cls.env,
            "ls_admin",
            groups=f"{stock_user},logistics_connector_base.group_logistics_admin",
        )
        cls.outsider = new_test_user(cls.env, "ls_outsider", groups=stock_user)
        cls.company.logistics_responsible_id = cls.supervisor

    @classmethod
    def _make_account(cls, name, **vals):
        return cls.env["logistics.carrier.account"].create(
            dict(
                {
                    "name": name,
                    "carrier_code": "sim",
                    "api_base_url": cls.sim.url,
                    "client_id": "test-client",
                    "client_secret": "test-secret-123",
                    "account_number": "ACC001",
                    "connect_timeout": 2.0,
                    "read_timeout": 2.0,
                    "retry_base_delay": 10,
                    "max_dispatch_attempts": 4,
                    "breaker_threshold": 50,
                    "breaker_cooldown": 60,
                    "webhook_secret": "whsec-test",
                },
                **vals,
            )
        )

    @classmethod
    def _make_carrier(cls, name, account, service="SIM_EXP"):
        product = cls.env["product.product"].create(
            {"name": f"{name} shipping", "type": "service", "list_price": 0.0}
        )
        return cls.env["delivery.carrier"].create(
            {
                "name": name,
                "delivery_type": "logistics_sim",
                "product_id": product.id,
                "logistics_account_id": account.id,
                "logistics_service_code": service,
            }
        )

    def setUp(self):
        super().setUp()
        self.sim.reset()

    def _make_picking(
        self, partner=None, qty=1.0, carrier=None, product=None, user=None
    ):
        env = self.env(user=user) if user else self.env
        picking_type = self.warehouse.out_type_id
        picking = env["stock.picking"].create(
            {
                "partner_id": (partner or self.partner).id,
                "picking_type_id": picking_type.id,
                "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "carrier_id": (carrier or self.carrier).id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Espresso machine",
                            "product_id": (product or self.product).id,
                            "product_uom_qty": qty,
                            "product_uom": self.env.ref("uom.product_uom_unit").id,
                            "location_id": picking_type.default_location_src_id.id,
                            "location_dest_id": self.env.ref(
                                "stock.stock_location_customers"
                            ).id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _send(self, picking, user=None):
        """Click Send to carrier and run the queued job(s); returns the shipment."""
        target = picking.with_user(user) if user else picking
        with trap_jobs() as trap:
            target.action_send_to_carrier()
            trap.perform_enqueued_jobs()
        picking.invalidate_recordset()
        return picking.logistics_shipment_id

    def _dispatch(self, shipment):
        """What the queue_job runner does for one run of the dispatch job."""
        self.env.flush_all()
        self.env.invalidate_all()
        result = shipment._dispatch()
        self.env.invalidate_all()
        return result

    def _dispatch_retry(self, shipment):
        """Run the job, which must ask to be retried (RetryableJobError).

        The runner rolls the job's transaction back; what must survive is
        committed on cursors of their own. The job writes nothing on its
        own transaction before it raises, so no savepoint is used here: in
        test mode the "own" cursors are savepoints of this same transaction
        and a rollback would undo them too.
        """
        self.env.flush_all()
        self.env.invalidate_all()
        try:
            shipment._dispatch()
        except RetryableJobError as err:
            self.env.invalidate_all()
            return err
        self.fail("the dispatch job did not ask to be retried")

    def _ledger(self, shipment):
        return self.env["logistics.idempotency.record"].search(
            [
                ("scope", "=", "outbound_dispatch"),
                ("key", "=", shipment.idempotency_key),
            ]
        )
