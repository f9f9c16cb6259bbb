# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests.common import tagged

from .common import ReconciliationCase


@tagged("post_install", "-at_install")
class TestClassification(ReconciliationCase):
    """Every class on a hand-built invoice whose right answers are known.

    Account tolerances: 0.50 or 2 % on amounts, 0.5 kg or 5 % on weights (the
    larger one applies).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ship = cls._make_shipment
        cls.s_ok = ship(cls.carrier, "OK1", [("OK1", 2.0)], charges=10.0)
        cls.s_over = ship(cls.carrier, "OVER1", [("OVER1", 2.0)], charges=20.0)
        cls.s_under = ship(cls.carrier, "UNDER1", [("UNDER1", 2.0)], charges=20.0)
        cls.s_weight = ship(cls.carrier, "WGT1", [("WGT1", 2.0)], charges=10.0)
        cls.s_void = ship(cls.carrier, "VOID1", [], charges=10.0, state="cancelled")
        cls.s_sur = ship(cls.carrier, "SUR1", [("SUR1", 2.0)], charges=10.0)
        cls.s_noexp = ship(cls.carrier, "NOEXP1", [("NOEXP1", 2.0)])
        cls.s_twice = ship(cls.carrier, "TWICE1", [("TWICE1", 2.0)], charges=10.0)

    def test_each_class(self):
        invoice = self._make_invoice(
            [
                ("OK1", 9.0, {"charge_type": "base", "billed_weight": 2.2}),
                ("OK1", 1.0, {"charge_type": "fuel", "charge_code": "FSC"}),
                ("OVER1", 25.0, {}),
                ("UNDER1", 15.0, {}),
                ("WGT1", 10.0, {"billed_weight": 5.0}),
                ("NOPE1", 8.0, {}),
                ("VOID1", 10.0, {}),
                ("SUR1", 10.0, {}),
                ("SUR1", 4.5, {"charge_type": "surcharge", "charge_code": "RES"}),
                ("NOEXP1", 12.0, {}),
                ("TWICE1", 10.0, {"charge_code": "FRT"}),
                ("TWICE1", 10.0, {"charge_code": "FRT"}),
            ]
        )
        invoice.with_user(self.finance).action_match()
        got = [
            (line.tracking_number, line.charge_type, line.classification)
            for line in invoice.line_ids.sorted("id")
        ]
        self.assertEqual(
            got,
            [
                ("OK1", "base", "matched"),
                ("OK1", "fuel", "matched"),
                ("OVER1", "base", "overcharge"),
                ("UNDER1", "base", "undercharge"),
                ("WGT1", "base", "weight"),
                ("NOPE1", "base", "unknown"),
                ("VOID1", "base", "cancelled"),
                ("SUR1", "base", "matched"),
                ("SUR1", "surcharge", "surcharge_not_quoted"),
                ("NOEXP1", "base", "no_expected_cost"),
                ("TWICE1", "base", "matched"),
                ("TWICE1", "base", "duplicate"),
            ],
        )
        lines = invoice.line_ids.sorted("id")
        over = lines[2]
        self.assertEqual(
            (over.expected_amount, over.shipment_billed_amount, over.difference),
            (20.0, 25.0, 5.0),
        )
        self.assertEqual(lines[4].shipped_weight, 2.0)
        self.assertEqual(lines[11].duplicate_of_id, lines[10])
        # the total of a shipment leaves the duplicate out
        self.assertEqual(lines[10].shipment_billed_amount, 10.0)
        self.assertEqual(invoice.discrepancy_count, 8)

    def test_amount_tolerance_edges(self):
        cases = {
            # number: (expected, billed, class)
            "T100A": (100.0, 102.00, "matched"),  # 2 % of 100 = 2.00
            "T100B": (100.0, 102.01, "overcharge"),
            "T100C": (100.0, 98.00, "matched"),
            "T100D": (100.0, 97.99, "undercharge"),
            "T10A": (10.0, 10.50, "matched"),  # 0.50 beats 2 % of 10
            "T10B": (10.0, 10.51, "overcharge"),
            "T10C": (10.0, 9.50, "matched"),
            "T10D": (10.0, 9.49, "undercharge"),
        }
        for number, (expected, _billed, _klass) in cases.items():
            self._make_shipment(self.carrier, number, charges=expected)
        invoice = self._make_invoice(
            [(number, billed, {}) for number, (_e, billed, _k) in cases.items()]
        )
        invoice.action_match()
        got = {line.tracking_number: line.classification for line in invoice.line_ids}
        self.assertEqual(got, {number: case[2] for number, case in cases.items()})

    def test_tolerances_are_per_account(self):
        self.account.write(
            {"recon_tolerance_amount": 0.0, "recon_tolerance_percent": 0.0}
        )
        self._make_shipment(self.carrier, "STRICT1", charges=10.0)
        invoice = self._make_invoice([("STRICT1", 10.01, {})])
        invoice.action_match()
        self.assertEqual(invoice.line_ids.classification, "overcharge")
        # the other account keeps its own tolerances
        self._make_shipment(self.other_carrier, "LOOSE1", charges=10.0)
        other = self._make_invoice(
            [("LOOSE1", 10.01, {})], account_id=self.other_account.id, name="B-1"
        )
        other.action_match()
        self.assertEqual(other.line_ids.classification, "matched")

    def test_weight_tolerance_edges(self):
        cases = {
            "W10A": (10.0, 10.5, "matched"),  # 0.5 kg = 5 % of 10
            "W10B": (10.0, 10.51, "weight"),
            "W20A": (20.0, 21.0, "matched"),  # 5 % of 20 = 1.0 beats 0.5 kg
            "W20B": (20.0, 21.01, "weight"),
            "W20C": (20.0, 18.99, "weight"),
        }
        for number, (shipped, _billed, _klass) in cases.items():
            self._make_shipment(self.carrier, number, [(number, shipped)], charges=5.0)
        invoice = self._make_invoice(
            [
                (number, 5.0, {"billed_weight": billed})
                for number, (_s, billed, _k) in cases.items()
            ]
        )
        invoice.action_match()
        got = {line.tracking_number: line.classification for line in invoice.line_ids}
        self.assertEqual(got, {number: case[2] for number, case in cases.items()})

    def test_billed_twice_across_invoices(self):
        first = self._make_invoice(
            [("TWICE1", 10.0, {}), ("OK1", 10.0, {})],
            name="INV-1",
        )
        first.action_match()
        self.assertEqual(set(first.line_ids.mapped("classification")), {"matched"})
        second = self._make_invoice(
            [("twice 1", 10.0, {}), ("OK1", 1.0, {"charge_type": "fuel"})],
            name="INV-2",
        )
        second.action_match()
        again, fuel = second.line_ids.sorted("id")
        self.assertEqual(again.classification, "duplicate")
        self.assertEqual(again.duplicate_of_id, first.line_ids.sorted("id")[0])
        # another charge of the same shipment is not a duplicate, but the
        # shipment now costs 10.00 + 1.00 for 10.00 expected
        self.assertEqual(fuel.classification, "overcharge")
        self.assertEqual(fuel.shipment_billed_amount, 11.0)
        # the first invoice, matched again, still holds the original
        first.action_match()
        self.assertEqual(first.line_ids.sorted("id")[0].classification, "matched")

    def test_rerun_keeps_decisions(self):
        invoice = self._make_invoice([("OVER1", 25.0, {}), ("UNDER1", 15.0, {})])
        invoice.action_match()
        over, under = invoice.line_ids.sorted("id")
        over.with_user(self.finance).action_write_off()
        self.s_over.sudo().charges_amount = 25.0
        self.s_under.sudo().charges_amount = 15.0
        invoice.action_match()
        self.assertEqual(over.classification, "overcharge", "decided: kept as is")
        self.assertEqual(over.review_state, "written_off")
        self.assertEqual(under.classification, "matched", "still to review: redone")
