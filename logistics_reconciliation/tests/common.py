# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.tests.common import TransactionCase, new_test_user

GROUPS = "stock.group_stock_user,logistics_connector_base.group_logistics_"


def make_carrier(env, account):
    product = env["product.product"].create(
        {"name": f"{account.name} shipping", "type": "service"}
    )
    return env["delivery.carrier"].create(
        {
            "name": f"{account.name} method",
            "delivery_type": "logistics_sim",
            "product_id": product.id,
            "logistics_account_id": account.id,
        }
    )


def make_shipment(
    env,
    carrier,
    customer,
    tracking_ref=False,
    packages=(),
    charges=None,
    state="label_created",
    label_at=None,
):
    """``packages``: numbers, or (number, weight) pairs."""
    picking = env["stock.picking"].create(
        {
            "picking_type_id": env.ref("stock.picking_type_out").id,
            "location_id": env.ref("stock.stock_location_stock").id,
            "location_dest_id": env.ref("stock.stock_location_customers").id,
            "partner_id": customer.id,
            "carrier_id": carrier.id,
        }
    )
    package_vals = []
    for package in packages:
        number, weight = package if isinstance(package, tuple) else (package, 0.0)
        package_vals.append((0, 0, {"tracking_number": number, "weight": weight}))
    vals = {
        "picking_id": picking.id,
        "carrier_id": carrier.id,
        "account_id": carrier.logistics_account_id.id,
        "company_id": env.company.id,
        "idempotency_key": f"reconciliation-test-{picking.id}",
        "state": state,
        "tracking_ref": tracking_ref,
        "package_ids": package_vals,
    }
    if label_at:
        vals["label_at"] = label_at
    if charges is not None:
        vals["charges_amount"] = charges
        vals["charges_currency_id"] = env.company.currency_id.id
    return env["logistics.shipment"].sudo().create(vals)


class ReconciliationCase(TransactionCase):
    """Accounts, shipments and invoices whose right answers are known."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.finance = new_test_user(cls.env, "rec_finance", groups=GROUPS + "finance")
        cls.user = new_test_user(cls.env, "rec_user", groups=GROUPS + "user")
        cls.supervisor = new_test_user(
            cls.env, "rec_supervisor", groups=GROUPS + "supervisor"
        )
        cls.admin = new_test_user(cls.env, "rec_admin", groups=GROUPS + "admin")
        cls.vendor = cls.env["res.partner"].create({"name": "Carrier as vendor"})
        cls.account = cls._make_account("Reconciliation account A")
        cls.other_account = cls._make_account("Reconciliation account B")
        cls.carrier = cls._make_carrier(cls.account)
        cls.other_carrier = cls._make_carrier(cls.other_account)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Reconciliation customer"}
        )
        cls.currency = cls.env.company.currency_id

    @classmethod
    def _make_account(cls, name, **vals):
        return cls.env["logistics.carrier.account"].create(
            dict(
                {
                    "name": name,
                    "carrier_code": "sim",
                    "account_number": "A" + str(abs(hash(name)) % 10**6),
                    "vendor_partner_id": cls.vendor.id,
                    "recon_tolerance_amount": 0.5,
                    "recon_tolerance_percent": 2.0,
                    "recon_weight_tolerance": 0.5,
                    "recon_weight_tolerance_percent": 5.0,
                },
                **vals,
            )
        )

    @classmethod
    def _make_carrier(cls, account):
        return make_carrier(cls.env, account)

    @classmethod
    def _make_shipment(cls, carrier, tracking_ref=False, packages=(), **kwargs):
        return make_shipment(
            cls.env, carrier, cls.customer, tracking_ref, packages, **kwargs
        )

    def _make_invoice(self, lines=(), user=None, **vals):
        model = self.env["logistics.freight.invoice"]
        if user:
            model = model.with_user(user)
        return model.create(
            dict(
                {
                    "name": "INV-2026-001",
                    "account_id": self.account.id,
                    "line_ids": [
                        (0, 0, {"tracking_number": number, "amount": amount, **extra})
                        for number, amount, extra in lines
                    ],
                },
                **vals,
            )
        )

    def _import(self, content, profile, user=None, **vals):
        wizard = (
            self.env["logistics.freight.import.wizard"]
            .with_user(user or self.finance)
            .create(
                dict(
                    {
                        "account_id": self.account.id,
                        "profile_id": profile.id,
                        "data_file": base64.b64encode(content.encode()),
                        "filename": "invoice.csv",
                    },
                    **vals,
                )
            )
        )
        return wizard._import_file()

    @staticmethod
    def _by_number(invoice):
        result = {}
        for line in invoice.line_ids:
            result.setdefault(line.tracking_number, line)
        return result
