# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Light fixtures: real shipments without a carrier simulator."""

from odoo.tests.common import TransactionCase, new_test_user

GROUPS = "stock.group_stock_user,logistics_connector_base.group_logistics_"


class MonitoringCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.user = new_test_user(cls.env, "mon_t_user", groups=GROUPS + "user")
        cls.supervisor = new_test_user(
            cls.env, "mon_t_supervisor", groups=GROUPS + "supervisor",
            email="supervisor@example.com",
        )  # fmt: skip
        cls.finance = new_test_user(cls.env, "mon_t_finance", groups=GROUPS + "finance")
        cls.admin = new_test_user(cls.env, "mon_t_admin", groups=GROUPS + "admin")
        cls.env.company.logistics_responsible_id = cls.supervisor
        cls.account = cls.env["logistics.carrier.account"].create(
            {"name": "Monitoring KPI account", "carrier_code": "sim"}
        )
        product = cls.env["product.product"].create(
            {"name": "Monitoring KPI shipping", "type": "service"}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Monitoring KPI carrier",
                "delivery_type": "logistics_sim",
                "product_id": product.id,
                "logistics_account_id": cls.account.id,
            }
        )
        cls.partner = cls.env["res.partner"].create({"name": "Monitoring customer"})
        cls.warehouse = cls.env.ref("stock.warehouse0")

    @classmethod
    def _shipment(cls, **vals):
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.out_type_id.id,
                "location_id": cls.env.ref("stock.stock_location_stock").id,
                "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                "partner_id": cls.partner.id,
                "carrier_id": cls.carrier.id,
            }
        )
        return cls.env["logistics.shipment"].create(
            dict(
                {
                    "picking_id": picking.id,
                    "carrier_id": cls.carrier.id,
                    "account_id": cls.account.id,
                    "idempotency_key": f"monitoring-kpi-{picking.id}",
                },
                **vals,
            )
        )

    def _open_exceptions(self, shipments, category=None):
        domain = [("shipment_id", "in", shipments.ids), ("state", "=", "open")]
        if category:
            domain.append(("category", "=", category))
        return self.env["logistics.exception"].search(domain)
