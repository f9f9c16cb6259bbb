# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One UPS OAuth token for two workers with connections of their own.

The test leaves Odoo's test mode for a moment so that each worker has a
real PostgreSQL connection and transaction, as two queue_job worker
processes would; the shared account is committed and removed afterwards.
"""

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import UpsCase

NO_MAIL = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
}


@tagged("post_install", "-at_install")
class TestUpsTokenAcrossWorkers(UpsCase):
    def test_two_workers_share_one_token(self):
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
                            "name": "UPS shared token",
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
            token_b = (
                env_b["logistics.carrier.account"].browse(account_id)._get_adapter()
            ).get_token()
        # B's older snapshot does not see A's token: one more token request,
        # stored for everyone (documented cost of reading on the job's cursor)
        self.assertEqual(self.ups_sim.count("token"), 2)
        with registry.cursor() as cr:
            cr.execute(
                "SELECT access_token FROM logistics_carrier_account WHERE id = %s",
                (account_id,),
            )
            self.assertEqual(cr.fetchone()[0], token_b)
