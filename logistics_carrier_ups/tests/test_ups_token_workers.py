# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One UPS OAuth token for two workers with connections of their own.

The test leaves Odoo's test mode for a moment so that each worker has a
real PostgreSQL connection and transaction, as two queue_job worker
processes would; the shared account is committed and removed afterwards.
"""

import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from odoo.addons.logistics_connector_base.models import (
    logistics_carrier_account as account_module,
)
from odoo.addons.logistics_connector_base.models.logistics_carrier_account import (
    AccountTokenStore,
)

from .common import UpsCase

NO_MAIL = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
}


@tagged("post_install", "-at_install")
class TestUpsTokenAcrossWorkers(UpsCase):
    def _committed_account(self, name):
        """An account committed for real (test mode left), removed after."""
        registry = self.registry
        registry.leave_test_mode()
        self.addCleanup(registry.enter_test_mode, self.cr)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, NO_MAIL)
            account_id = (
                env["logistics.carrier.account"]
                .create(
                    dict(
                        {
                            "name": name,
                            "carrier_code": "ups",
                            "label_format": "GIF",
                        },
                        **{
                            k: v
                            for k, v in self.ups_sim.account_values().items()
                            if k != "base_url"
                        },
                        api_base_url=self.ups_sim.url,
                    )
                )
                .id
            )

        def drop():
            with registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, NO_MAIL)[
                    "logistics.carrier.account"
                ].browse(account_id).unlink()

        self.addCleanup(drop)
        return account_id

    def test_two_workers_share_one_token(self):
        registry = self.registry
        account_id = self._committed_account("UPS shared token")
        # worker B's transaction is open before worker A fetches the token
        with registry.cursor() as cr_b:
            cr_b.execute("SELECT 1")  # B's snapshot predates A's token
            with registry.cursor() as cr_a:
                env_a = api.Environment(cr_a, SUPERUSER_ID, {})
                adapter_a = env_a["logistics.carrier.account"].browse(account_id)
                token_a = adapter_a._get_adapter().get_token()
                cr_a.rollback()  # A's job fails: its token stays cached anyway
            with registry.cursor() as cr_c:  # a third worker starting later
                env_c = api.Environment(cr_c, SUPERUSER_ID, {})
                account_c = env_c["logistics.carrier.account"].browse(account_id)
                token_c = account_c._get_adapter().get_token()
            self.assertEqual(token_c, token_a)
            self.assertEqual(self.ups_sim.count("token"), 1)
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            account_b = env_b["logistics.carrier.account"].browse(account_id)
            # B's snapshot predates A's token, but B runs in the process that
            # stored it (a batch job's later shipments): no second request
            self.assertEqual(account_b._get_adapter().get_token(), token_a)
            self.assertEqual(self.ups_sim.count("token"), 1)
            # the same snapshot in another worker process (nothing in memory)
            account_module._RECENT_TOKENS.clear()
            token_b = account_b._get_adapter().get_token()
        # B's older snapshot does not see A's token: one more token request,
        # stored for everyone (documented cost of reading on the job's cursor)
        self.assertEqual(self.ups_sim.count("token"), 2)
        with registry.cursor() as cr:
            cr.execute(
                "SELECT access_token FROM logistics_carrier_account WHERE id = %s",
                (account_id,),
            )
            self.assertEqual(cr.fetchone()[0], token_b)

    def test_tokens_stored_at_once_collide_without_an_error_line(self):
        """Two workers storing a token at once: the later one's UPDATE fails
        to serialize, is retried on a fresh transaction and succeeds, and
        nothing is logged at ERROR (Odoo logs a failed query as "bad query"
        unless told it is expected)."""
        registry = self.registry
        account_id = self._committed_account("UPS tokens at once")
        stored = {}
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            with registry.cursor() as cr_x:  # worker X stores its token...
                cr_x.execute(
                    "UPDATE logistics_carrier_account SET access_token = 'x', "
                    "token_expires_at = 1 WHERE id = %s",
                    (account_id,),
                )

                def worker_a():
                    with registry.cursor() as cr_a:
                        env_a = api.Environment(cr_a, SUPERUSER_ID, {})
                        account = env_a["logistics.carrier.account"].browse(account_id)
                        AccountTokenStore(account).set("a", 2.0)
                        stored["done"] = True

                thread = threading.Thread(target=worker_a)
                thread.start()  # ... A's UPDATE waits for X's row lock
                self._wait_for_lock_wait(registry)
            # X committed: A's UPDATE cannot serialize, A tries again
            thread.join(10)
        self.assertTrue(stored.get("done"))
        with registry.cursor() as cr:
            cr.execute(
                "SELECT access_token FROM logistics_carrier_account WHERE id = %s",
                (account_id,),
            )
            self.assertEqual(cr.fetchone()[0], "a")

    @staticmethod
    def _wait_for_lock_wait(registry, timeout=10):
        """Until a token UPDATE waits for a row lock (the collision is set)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND query LIKE %s",
                    ("UPDATE logistics_carrier_account SET access_token%",),
                )
                if cr.fetchone()[0]:
                    return
            time.sleep(0.05)
        raise AssertionError("the second worker never waited for the row lock")
