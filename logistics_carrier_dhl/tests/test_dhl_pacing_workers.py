# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL tracking pace shared by two workers through the account row.

The test leaves Odoo's test mode for a moment so that each worker has a
real PostgreSQL connection and transaction of its own, as two queue_job
worker processes would; the account they share is committed and removed
afterwards.
"""

import threading

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import API_KEY, API_SECRET, BILLING, DhlCase

PACE = 0.5  # seconds between two Unified calls booked by the workers
# the simulator refuses (429) calls closer than this: PACE less network jitter
SIM_GAP = PACE * 0.8
NO_MAIL = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
}


@tagged("post_install", "-at_install")
class TestDhlPacingAcrossWorkers(DhlCase):
    @staticmethod
    def _as_own_process(adapter):
        """Give the adapter the memory of a process of its own (the threads
        of this test would otherwise share the in-process pace)."""
        adapter._track_state = {}
        adapter._track_lock = threading.Lock()
        return adapter

    def _committed_account(self):
        registry = self.registry
        registry.leave_test_mode()
        self.addCleanup(registry.enter_test_mode, self.cr)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, NO_MAIL)
            account = env["logistics.carrier.account"].create(
                {
                    "name": "DHL shared pace",
                    "carrier_code": "dhl",
                    "api_base_url": self.dhl_sim.url,
                    "client_id": API_KEY,
                    "client_secret": API_SECRET,
                    "username": "user-valid",
                    "password": "SandboxPasswort2023!",
                    "dhl_billing_number": BILLING,
                    "connect_timeout": 2.0,
                    "read_timeout": 5.0,
                }
            )
            account_id = account.id

        def drop():
            with registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, NO_MAIL)[
                    "logistics.carrier.account"
                ].browse(account_id).unlink()

        self.addCleanup(drop)  # runs before test mode is entered again
        return account_id

    def test_two_workers_keep_one_pace_on_the_account_row(self):
        self.dhl_sim.track_rate = 1.0 / SIM_GAP
        self.addCleanup(setattr, self.dhl_sim, "track_rate", None)
        account_id = self._committed_account()
        registry = self.registry
        barrier = threading.Barrier(2)
        errors = []

        def worker(numbers):
            try:
                with registry.cursor() as cr:  # a connection of its own
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    account = env["logistics.carrier.account"].browse(account_id)
                    adapter = self._as_own_process(account._get_adapter())
                    adapter.track_min_interval = PACE
                    barrier.wait(timeout=10)
                    adapter.track(numbers)
            except Exception as err:  # reported by the main thread
                errors.append(err)

        threads = [
            threading.Thread(
                target=worker,
                args=([f"0034043{i}0000{n}" for n in range(3)],),
            )
            for i in (1, 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse(errors, errors)
        calls = self._dhl_requests("tracking")
        # no 429: six calls, one per number, none repeated after a refusal
        self.assertEqual(len(calls), 6)
        stamps = sorted(call["ts"] for call in calls)
        gaps = [
            later - earlier
            for earlier, later in zip(stamps[:-1], stamps[1:], strict=True)
        ]
        self.assertGreaterEqual(min(gaps), SIM_GAP, gaps)
        with registry.cursor() as cr:
            cr.execute(
                "SELECT dhl_track_count, dhl_track_next_at FROM "
                "logistics_carrier_account WHERE id = %s",
                (account_id,),
            )
            count, next_at = cr.fetchone()
        self.assertEqual(count, 6)  # the shared daily quota counted both
        self.assertGreater(next_at, stamps[-1])

    def test_daily_quota_is_shared_by_the_workers(self):
        account_id = self._committed_account()
        registry = self.registry
        outcomes = []
        for _worker in range(2):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                adapter = self._as_own_process(
                    env["logistics.carrier.account"].browse(account_id)._get_adapter()
                )
                adapter.track_min_interval = 0.0
                adapter.track_daily_limit = 3
                try:
                    adapter.track(["00340434100001", "00340434100002"])
                    outcomes.append("tracked")
                except Exception as err:  # the quota error of the second worker
                    outcomes.append(getattr(err, "code", str(err)))
        self.assertEqual(outcomes, ["tracked", "daily_quota"])
        self.assertEqual(len(self._dhl_requests("tracking")), 3)
