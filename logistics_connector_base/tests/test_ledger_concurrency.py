# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Races proven with real, separate database transactions.

After the pattern of OCA connector's locker tests: the test opens cursors of
its own (not the test transaction), commits real rows, makes two
transactions collide, and cleans up what it committed.
"""
# Committing is the point of these tests: two real transactions must see
# each other's rows.
# pylint: disable=invalid-commit

import threading
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from logistics_simulators.generic.server import SimulatorServer

from ..models.logistics_idempotency_record import ACQUIRED, IN_FLIGHT


def _real_cursor(dbname):
    return odoo.sql_db.db_connect(dbname).cursor()


class RealCursorCase(BaseCase):
    """Tests that open real transactions of their own (no test transaction)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = odoo.tests.common.get_db_name()
        cls.registry = odoo.registry(cls.dbname)


@tagged("post_install", "-at_install")
class TestLedgerConcurrency(RealCursorCase):
    """Two workers acquire one key at once: exactly one runs the side effect."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    @mute_logger("odoo.sql_db")
    def test_concurrent_acquisition_one_winner(self):
        key = f"race-{uuid.uuid4().hex}"
        cr1, cr2 = _real_cursor(self.dbname), _real_cursor(self.dbname)
        results = {}
        try:
            ledger1 = self._env(cr1)["logistics.idempotency.record"]
            # worker 1 inserts and holds its transaction open
            first = ledger1._acquire("other", key, "fp")
            self.assertEqual(first.status, ACQUIRED)

            def worker2():
                ledger2 = self._env(cr2)["logistics.idempotency.record"]
                try:
                    results["second"] = ledger2._acquire("other", key, "fp")
                    cr2.commit()
                except Exception as err:  # the serialization failure Odoo retries
                    cr2.rollback()
                    results["error"] = err
                    results["second"] = ledger2._acquire("other", key, "fp")
                    cr2.commit()

            thread = threading.Thread(target=worker2)
            thread.start()
            thread.join(1.0)
            # worker 2 is blocked on the unique index, not past it
            self.assertTrue(
                thread.is_alive(), "second insert did not wait on the first"
            )
            cr1.commit()
            thread.join(10)
            self.assertFalse(thread.is_alive())
            self.assertEqual(results["second"].status, IN_FLIGHT)
            self.assertEqual(results["second"].record_id, first.record_id)
            cr1.execute(
                "SELECT count(*) FROM logistics_idempotency_record WHERE key = %s",
                (key,),
            )
            self.assertEqual(cr1.fetchone()[0], 1)
        finally:
            cr1.rollback()
            cr1.execute(
                "DELETE FROM logistics_idempotency_record WHERE key = %s", (key,)
            )
            cr1.commit()
            cr1.close()
            cr2.close()

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_many_threads_one_acquisition(self):
        key = f"race-many-{uuid.uuid4().hex}"
        barrier = threading.Barrier(4)
        statuses = []
        lock = threading.Lock()

        def worker():
            with self.registry.cursor() as cr:
                env = self._env(cr)
                barrier.wait()
                acq = env["logistics.idempotency.record"]._run_on_own_cursor(
                    "_acquire", "other", key, "fp", 300, None, None
                )
                with lock:
                    statuses.append(acq.status)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(20)
            self.assertEqual(sorted(statuses), [ACQUIRED] + [IN_FLIGHT] * 3)
        finally:
            with _real_cursor(self.dbname) as cr:
                cr.execute(
                    "DELETE FROM logistics_idempotency_record WHERE key = %s", (key,)
                )
                cr.commit()


@tagged("post_install", "-at_install")
class TestInboxConcurrency(RealCursorCase):
    """The same webhook delivered twice at once: one message, one 'duplicate'."""

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_concurrent_duplicate_deliveries(self):
        with _real_cursor(self.dbname) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["logistics.carrier.account"].create(
                {"name": "Inbox race", "carrier_code": "sim"}
            )
            cr.commit()
        key = f"race-{uuid.uuid4().hex}"
        cr1, cr2 = _real_cursor(self.dbname), _real_cursor(self.dbname)
        outcome = {}
        try:
            inbox1 = api.Environment(cr1, SUPERUSER_ID, {})["logistics.inbound.message"]
            first = inbox1._store(account.id, key, "{}", "{}")
            self.assertTrue(first)

            def second_delivery():
                env2 = api.Environment(cr2, SUPERUSER_ID, {})

                def store():
                    outcome["second"] = env2["logistics.inbound.message"]._store(
                        account.id, key, "{}", "{}"
                    )

                # what Odoo's HTTP layer does: retry on serialization failure
                retrying(store, env2)
                cr2.commit()

            thread = threading.Thread(target=second_delivery)
            thread.start()
            thread.join(1.0)
            self.assertTrue(thread.is_alive(), "the duplicate did not wait")
            cr1.commit()
            thread.join(30)
            self.assertIsNone(outcome["second"])  # answered as a duplicate
            cr1.execute(
                "SELECT count(*) FROM logistics_inbound_message WHERE message_key = %s",
                (key,),
            )
            self.assertEqual(cr1.fetchone()[0], 1)
        finally:
            cr1.rollback()
            cr1.execute(
                "DELETE FROM queue_job WHERE identity_key = %s",
                (f"logistics-inbox-{account.id}",),
            )
            cr1.execute(
                "DELETE FROM logistics_inbound_message WHERE account_id = %s",
                (account.id,),
            )
            cr1.execute(
                "DELETE FROM logistics_carrier_account WHERE id = %s", (account.id,)
            )
            cr1.commit()
            cr1.close()
            cr2.close()


@tagged("post_install", "-at_install")
class TestConcurrentSendToCarrier(RealCursorCase):
    """Two users click Send to carrier on one picking at the same moment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = SimulatorServer().start()
        cls.addClassCleanup(cls.sim.stop)

    def setUp(self):
        super().setUp()
        self.created = {}
        with _real_cursor(self.dbname) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            account = env["logistics.carrier.account"].create(
                {
                    "name": "Race simulator",
                    "carrier_code": "sim",
                    "api_base_url": self.sim.url,
                    "client_id": "c",
                    "client_secret": "s",
                }
            )
            product = env["product.product"].create(
                {"name": "Race shipping", "type": "service"}
            )
            carrier = env["delivery.carrier"].create(
                {
                    "name": "Race carrier",
                    "delivery_type": "logistics_sim",
                    "product_id": product.id,
                    "logistics_account_id": account.id,
                    "logistics_service_code": "SIM_STD",
                }
            )
            partner = env["res.partner"].create(
                {
                    "name": "Race Customer",
                    "street": "Rue 1",
                    "city": "Lyon",
                    "zip": "69002",
                    "country_id": env.ref("base.fr").id,
                    "phone": "+33 4 72 00 00 00",
                }
            )
            item = env["product.product"].create(
                {"name": "Race item", "type": "consu", "weight": 1.0}
            )
            warehouse = env["stock.warehouse"].search([], limit=1)
            company_partner = warehouse.partner_id or env.company.partner_id
            company_partner.write(
                {
                    "street": "Hauptstraße 1",
                    "city": "Hamburg",
                    "zip": "20095",
                    "country_id": env.ref("base.de").id,
                    "phone": "+49 40 1234567",
                }
            )
            picking_type = warehouse.out_type_id
            picking = env["stock.picking"].create(
                {
                    "partner_id": partner.id,
                    "picking_type_id": picking_type.id,
                    "location_id": picking_type.default_location_src_id.id,
                    "location_dest_id": env.ref("stock.stock_location_customers").id,
                    "carrier_id": carrier.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Race item",
                                "product_id": item.id,
                                "product_uom_qty": 1,
                                "product_uom": env.ref("uom.product_uom_unit").id,
                                "location_id": picking_type.default_location_src_id.id,
                                "location_dest_id": env.ref(
                                    "stock.stock_location_customers"
                                ).id,
                            },
                        )
                    ],
                }
            )
            picking.action_confirm()
            cr.commit()
            self.created = {
                "picking": picking.id,
                "carrier": carrier.id,
                "account": account.id,
                "partner": partner.id,
                "products": (product | item).ids,
            }

    def tearDown(self):
        ids = self.created
        with _real_cursor(self.dbname) as cr:
            cr.execute(
                "SELECT id, idempotency_key FROM "
                "logistics_shipment WHERE picking_id = %s",
                (ids["picking"],),
            )
            rows = cr.fetchall()
            keys = [r[1] for r in rows] or [""]
            cr.execute("DELETE FROM queue_job WHERE identity_key = ANY(%s)", (keys,))
            cr.execute(
                "DELETE FROM logistics_idempotency_record WHERE key = ANY(%s)", (keys,)
            )
            cr.execute(
                "DELETE FROM logistics_shipment WHERE picking_id = %s",
                (ids["picking"],),
            )
            cr.execute(
                "DELETE FROM stock_move_line WHERE picking_id = %s", (ids["picking"],)
            )
            cr.execute(
                "DELETE FROM stock_move WHERE picking_id = %s", (ids["picking"],)
            )
            cr.execute("DELETE FROM stock_picking WHERE id = %s", (ids["picking"],))
            cr.execute("DELETE FROM delivery_carrier WHERE id = %s", (ids["carrier"],))
            cr.execute(
                "DELETE FROM logistics_carrier_account WHERE id = %s", (ids["account"],)
            )
            cr.commit()
        super().tearDown()

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_two_users_at_once_create_one_shipment(self):
        barrier = threading.Barrier(2)
        errors = []

        def click():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                    barrier.wait()

                    def send():
                        picking = env["stock.picking"].browse(self.created["picking"])
                        picking.action_send_to_carrier()

                    # Odoo's own retry loop for concurrency errors (as for RPC)
                    retrying(send, env)
            except Exception as err:
                errors.append(err)

        threads = [threading.Thread(target=click) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        with _real_cursor(self.dbname) as cr:
            cr.execute(
                "SELECT count(*) FROM logistics_shipment WHERE picking_id = %s",
                (self.created["picking"],),
            )
            self.assertEqual(cr.fetchone()[0], 1)
