# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 15: monitoring actions check the caller's group and companies."""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import GROUPS, MonitoringCase


@tagged("post_install", "-at_install")
class TestMonitoringCallerChecks(MonitoringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Monitoring other Co"})
        cls.foreign_supervisor = new_test_user(
            cls.env,
            "mon_t_foreign_supervisor",
            groups=GROUPS + "supervisor",
            company_id=cls.other.id,
            company_ids=[(6, 0, cls.other.ids)],
        )

    def _rule(self, company):
        return self.env["logistics.aging.rule"].create(
            {
                "name": f"No acceptance {company.name}",
                "company_id": company.id,
                "milestone": "no_acceptance",
                "threshold": 1,
            }
        )

    def test_run_now_only_for_supervisors_on_their_companies_rules(self):
        rule = self._rule(self.env.company)
        shipment = self._shipment(state="queued")
        self.env.cr.execute(
            "UPDATE logistics_shipment SET create_date = now() - interval '2 days' "
            "WHERE id = %s",
            (shipment.id,),
        )
        for user in (self.user, self.foreign_supervisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                rule.with_user(user).action_run_now()
        self.assertFalse(
            self.env["logistics.exception"].search([("aging_rule_id", "=", rule.id)])
        )
        rule.with_user(self.supervisor).action_run_now()

    def test_supervisor_acts_on_exceptions_of_his_companies_only(self):
        shipment = self._shipment(state="queued")
        exception = self.env["logistics.exception"].create(
            {
                "name": "Late",
                "shipment_id": shipment.id,
                "company_id": shipment.company_id.id,
                "category": "data",
                "message": "late",
            }
        )
        for method in ("action_assign_to_me", "action_open_resolve_wizard"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(exception.with_user(self.foreign_supervisor), method)()
        self.assertFalse(exception.user_id)
        exception.with_user(self.supervisor).action_assign_to_me()
        self.assertEqual(exception.user_id, self.supervisor)
