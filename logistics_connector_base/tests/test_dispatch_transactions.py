# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the dispatch job writes on cursors of its own, with real transactions.

The registry is not in test mode here: a cursor of its own is a separate
PostgreSQL transaction, committed, and the "job" transaction is a real one
whose snapshot (REPEATABLE READ, as Odoo's) predates that commit.
"""
# Committing is the point of these tests.
# pylint: disable=invalid-commit

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, tagged


def _real_cursor(dbname):
    return odoo.sql_db.db_connect(dbname).cursor()


@tagged("post_install", "-at_install")
class TestDispatchTransactions(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = odoo.tests.common.get_db_name()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        with _real_cursor(self.dbname) as cr:
            account = self._env(cr)["logistics.carrier.account"].create(
                {"name": "Breaker vs log", "carrier_code": "sim"}
            )
            cr.commit()
        self.account_id = account.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with _real_cursor(self.dbname) as cr:
            cr.execute(
                "DELETE FROM logistics_integration_log WHERE account_id = %s",
                (self.account_id,),
            )
            cr.execute(
                "DELETE FROM logistics_carrier_account WHERE id = %s",
                (self.account_id,),
            )
            cr.commit()

    def test_breaker_update_does_not_fail_the_jobs_log_insert(self):
        """The breaker's row lock must not break the job's foreign-key check.

        The job's transaction has begun (snapshot taken) when the breaker
        records the failure on a cursor of its own and commits; the job then
        logs the call with a row referencing the account. Locked FOR UPDATE,
        that commit made the log insert fail with "could not serialize access
        due to concurrent update" (the dead letter was never reached).
        """
        job_cr = _real_cursor(self.dbname)
        try:
            env = self._env(job_cr)
            account = env["logistics.carrier.account"].browse(self.account_id)
            job_cr.execute("SELECT 1")  # the job's snapshot
            account._breaker_record(success=False)
            env["logistics.integration.log"].create(
                {"account_id": account.id, "operation": "probe", "status_code": 503}
            )
            env.flush_all()  # the INSERT and its foreign-key check
            job_cr.commit()
        finally:
            job_cr.close()
        with _real_cursor(self.dbname) as cr:
            cr.execute(
                "SELECT breaker_failures FROM logistics_carrier_account WHERE id = %s",
                (self.account_id,),
            )
            self.assertEqual(cr.fetchone()[0], 1)  # committed on its own
            cr.execute(
                "SELECT count(*) FROM logistics_integration_log WHERE account_id = %s",
                (self.account_id,),
            )
            self.assertEqual(cr.fetchone()[0], 1)

    def test_log_rows_flushed_on_their_own_cursor_survive_the_rollback(self):
        """A job about to be retried stores its call's log rows on a cursor of
        its own: they outlive the job's rolled-back transaction."""
        job_cr = _real_cursor(self.dbname)
        try:
            env = self._env(job_cr)
            account = env["logistics.carrier.account"].browse(self.account_id)
            job_cr.execute("SELECT 1")
            sink = env["logistics.integration.log"]._make_sink(account=account)
            sink({"operation": "create_shipment", "status_code": 503})
            account._breaker_record(success=False)
            sink.flush(own_cursor=True)
            job_cr.rollback()  # what the runner does before the retry
        finally:
            job_cr.close()
        with _real_cursor(self.dbname) as cr:
            cr.execute(
                "SELECT status_code FROM logistics_integration_log "
                "WHERE account_id = %s",
                (self.account_id,),
            )
            self.assertEqual(cr.fetchall(), [(503,)])
