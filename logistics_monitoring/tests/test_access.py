# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MonitoringCase

DASHBOARDS = (
    "logistics.shipment.report",
    "logistics.event.report",
    "logistics.account.health",
    "logistics.duplicate.stat",
    "logistics.aging.rule",
)


@tagged("post_install", "-at_install")
class TestAccess(MonitoringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shipment = cls._shipment(state="queued")
        cls.exception = cls.env["logistics.exception"]._open_for(
            cls.shipment, "carrier_error", "Refused."
        )

    def test_supervisors_act(self):
        board = self.exception.with_user(self.supervisor)
        board.write({"priority": "3", "user_id": self.supervisor.id})
        board.action_assign_to_me()
        for model in DASHBOARDS:
            self.env[model].with_user(self.supervisor).search([], limit=1)
        with self.assertRaises(AccessError):
            self.env["logistics.aging.rule"].with_user(self.supervisor).create(
                {"name": "Mine", "milestone": "no_pod"}
            )

    def test_users_see_the_board_only(self):
        board = self.exception.with_user(self.user)
        self.assertEqual(board.category, "carrier_error")
        self.assertTrue(board.age_display)
        with self.assertRaises(AccessError):
            board.write({"priority": "3"})
        with self.assertRaisesRegex(UserError, "supervisors"):
            board.action_replay()
        for model in DASHBOARDS:
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.user).search([], limit=1)
        with self.assertRaises(AccessError):
            self.env["logistics.exception.resolve.wizard"].with_user(self.user).create(
                {"reason": "x"}
            )

    def test_finance_sees_nothing_it_should_not(self):
        for model in DASHBOARDS + ("logistics.overview",):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.finance).search([], limit=1)
        board = self.exception.with_user(self.finance)
        with self.assertRaises(AccessError):
            board.write(
                {"stage_id": self.env.ref("logistics_monitoring.stage_resolved").id}
            )
        with self.assertRaisesRegex(UserError, "supervisors"):
            board.action_cancel_at_carrier()
        # and nothing of the integration behind the card
        self.assertEqual(board.log_count, 0)

    def test_admins_configure_rules(self):
        rule = self.env["logistics.aging.rule"].with_user(self.admin).create(
            {"name": "POD after a day", "milestone": "no_pod", "threshold": 1,
             "threshold_unit": "days"}
        )  # fmt: skip
        self.assertEqual(rule.threshold_minutes, 1440)
        self.assertEqual(rule.category, "missing_pod")
