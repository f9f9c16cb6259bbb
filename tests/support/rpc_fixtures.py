# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Records of two companies for the RPC access tests, made as superuser.

Shipments, events and the like are written by the suite itself only (no
user may create them over RPC), so the tests build them here, in the test
process, on the server's database, and commit. Every name carries a tag so
that two runs on one database do not collide.
"""

import base64
import uuid

from odoo import SUPERUSER_ID, api, fields

# models of the suite that have a company: the record-rule sweep covers them all
CALLER_GROUPS = {
    "portal": ["base.group_portal"],
    # an internal user who may use Inventory and Sales, but no logistics group
    "internal": [
        "base.group_user",
        "stock.group_stock_user",
        "sales_team.group_sale_salesman",
    ],
    "user": [
        "base.group_user",
        "stock.group_stock_user",
        "sales_team.group_sale_salesman",
        "logistics_connector_base.group_logistics_user",
    ],
    # the record-rule sweep: everything the suite offers, in one company
    "admin_a": [
        "base.group_user",
        "stock.group_stock_user",
        "sales_team.group_sale_salesman",
        "logistics_connector_base.group_logistics_admin",
    ],
}


def _company_records(env, company, tag):
    """One record of each model the RPC tests call, in ``company``."""
    ref = env.ref
    suffix = f"{tag} {company.id}"
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", company.id)], limit=1
    )
    if not warehouse:
        warehouse = env["stock.warehouse"].create(
            {"name": f"WH {suffix}", "code": f"W{company.id}", "company_id": company.id}
        )
    partner = env["res.partner"].create(
        {
            "name": f"Customer {suffix}",
            "street": "Friedrichstraße 123",
            "city": "Berlin",
            "zip": "10117",
            "country_id": ref("base.de").id,
            "phone": "+49 30 12345678",
            "company_id": company.id,
        }
    )
    product = env["product.product"].create(
        {"name": f"Ship {suffix}", "type": "service", "company_id": company.id}
    )
    accounts = {}
    carriers = {}
    for code in ("sim", "ups", "dhl"):
        accounts[code] = env["logistics.carrier.account"].create(
            {
                "name": f"{code} {suffix}",
                "carrier_code": code,
                "api_base_url": "http://127.0.0.1:9",
                "company_id": company.id,
                "webhook_secret": "whsec-rpc",
            }
        )
        carriers[code] = env["delivery.carrier"].create(
            {
                "name": f"{code} method {suffix}",
                "delivery_type": f"logistics_{code}",
                "product_id": product.id,
                "logistics_account_id": accounts[code].id,
                "company_id": company.id,
            }
        )
    out_type = warehouse.out_type_id
    picking = env["stock.picking"].create(
        {
            "partner_id": partner.id,
            "picking_type_id": out_type.id,
            "location_id": out_type.default_location_src_id.id,
            "location_dest_id": ref("stock.stock_location_customers").id,
            "carrier_id": carriers["ups"].id,
            "company_id": company.id,
        }
    )
    batch = env["stock.picking.batch"].create(
        {"company_id": company.id, "picking_ids": [(6, 0, picking.ids)]}
    )
    order = env["sale.order"].create(
        {"partner_id": partner.id, "company_id": company.id}
    )
    shipment = env["logistics.shipment"].create(
        {
            "picking_id": picking.id,
            "company_id": company.id,
            "carrier_id": carriers["ups"].id,
            "account_id": accounts["ups"].id,
            "idempotency_key": f"rpc-{uuid.uuid4().hex}",
            "state": "label_created",
            "carrier_shipment_id": f"1Z{uuid.uuid4().hex[:10].upper()}",
            "tracking_ref": f"1Z{uuid.uuid4().hex[:10].upper()}",
            "health": "exception",
            "exception_category": "data",
        }
    )
    picking.write({"logistics_shipment_id": shipment.id})
    package = env["logistics.shipment.package"].create(
        {"shipment_id": shipment.id, "tracking_number": shipment.tracking_ref}
    )
    now = fields.Datetime.now()
    event = env["logistics.shipment.event"].create(
        {
            "shipment_id": shipment.id,
            "company_id": company.id,
            "code": "label_created",
            "occurred_at": now,
            "source": "manual",
            "dedupe_key": f"rpc-{uuid.uuid4().hex}",
        }
    )
    exception = env["logistics.exception"].create(
        {
            "name": f"Exception {suffix}",
            "shipment_id": shipment.id,
            "company_id": company.id,
            "category": "data",
            "message": "RPC access test",
        }
    )
    inbound = env["logistics.inbound.message"].create(
        {
            "account_id": accounts["sim"].id,
            "message_key": f"rpc-{uuid.uuid4().hex}",
            "body": "{}",
            "state": "failed",
            "error": "RPC access test",
        }
    )
    log = env["logistics.integration.log"].create(
        {"account_id": accounts["sim"].id, "company_id": company.id, "operation": "rpc"}
    )
    subscription = env["logistics.event.subscription"].create(
        {
            "name": f"Subscriber {suffix}",
            "url": "https://example.com/hooks",
            "company_ids": [(6, 0, company.ids)],
        }
    )
    delivery = env["logistics.event.delivery"].create(
        {
            "subscription_id": subscription.id,
            "message_id": f"rpc-{uuid.uuid4().hex}",
            "company_id": company.id,
            "state": "failed",
        }
    )
    routing = env["logistics.routing.rule"].create(
        {"name": f"Route {suffix}", "company_id": company.id}
    )
    aging = env["logistics.aging.rule"].create(
        {
            "name": f"Aging {suffix}",
            "company_id": company.id,
            "milestone": "no_acceptance",
            "threshold": 5,
        }
    )
    team = env["logistics.exception.team"].create(
        {"name": f"Team {suffix}", "company_id": company.id}
    )
    invoice = env["logistics.freight.invoice"].create(
        {
            "name": f"INV {suffix}",
            "account_id": accounts["ups"].id,
            "company_id": company.id,
            "invoice_date": fields.Date.today(),
        }
    )
    expense = env["account.account"].create(
        {
            "name": f"Freight {suffix}",
            "code": f"6{company.id:04d}{tag[:2]}".upper(),
            "account_type": "expense",
            "company_id": company.id,
        }
    )
    expense_rule = env["logistics.freight.expense.account"].create(
        {
            "carrier_account_id": accounts["ups"].id,
            "charge_type": "base",
            "expense_account_id": expense.id,
        }
    )
    line = env["logistics.freight.invoice.line"].create(
        {"invoice_id": invoice.id, "tracking_number": shipment.tracking_ref}
    )
    dispute = env["logistics.freight.dispute"].create(
        {
            "invoice_id": invoice.id,
            "reason": "overcharge",
            "line_ids": [(6, 0, line.ids)],
        }
    )
    resolve = env["logistics.exception.resolve.wizard"].create(
        {"exception_ids": [(6, 0, exception.ids)], "reason": "forged"}
    )
    reroute = env["logistics.exception.reroute.wizard"].create(
        {
            "exception_ids": [(6, 0, exception.ids)],
            "reason": "forged",
            "carrier_id": carriers["sim"].id,
        }
    )
    overview = env["logistics.overview"].create({})
    importer = env["logistics.freight.import.wizard"].create(
        {
            "account_id": accounts["ups"].id,
            "profile_id": env["logistics.freight.import.profile"]
            .search([], limit=1)
            .id,
            "data_file": base64.b64encode(b"a,b\n"),
        }
    )
    reconcile = env["logistics.freight.reconcile.wizard"].create(
        {"invoice_id": invoice.id}
    )
    suggestion = env["ups.address.suggestion"].create(
        {
            "picking_id": picking.id,
            "partner_id": partner.id,
            "line_ids": [
                (0, 0, {"street": "Forged 1", "city": "Nowhere", "zip": "99999"})
            ],
        }
    )
    rates = env["logistics.rate.shopping.wizard"].create(
        {
            "picking_id": picking.id,
            "company_id": company.id,
            "line_ids": [(0, 0, {"carrier_id": carriers["sim"].id, "status": "ok"})],
        }
    )
    return {
        "res.company": company.id,
        "res.partner": partner.id,
        "stock.picking": picking.id,
        "stock.picking.batch": batch.id,
        "sale.order": order.id,
        "delivery.carrier": carriers["ups"].id,
        "logistics.carrier.account": accounts["ups"].id,
        "logistics.shipment": shipment.id,
        "logistics.shipment.package": package.id,
        "logistics.shipment.event": event.id,
        "logistics.exception": exception.id,
        "logistics.inbound.message": inbound.id,
        "logistics.integration.log": log.id,
        "logistics.event.subscription": subscription.id,
        "logistics.event.delivery": delivery.id,
        "logistics.routing.rule": routing.id,
        "logistics.aging.rule": aging.id,
        "logistics.exception.team": team.id,
        "logistics.freight.invoice": invoice.id,
        "logistics.freight.invoice.line": line.id,
        "logistics.freight.expense.account": expense_rule.id,
        "logistics.freight.dispute": dispute.id,
        "ups.address.suggestion": suggestion.id,
        "ups.address.suggestion.line": suggestion.line_ids.id,
        "logistics.rate.shopping.wizard": rates.id,
        "logistics.rate.shopping.line": rates.line_ids.id,
        "logistics.exception.resolve.wizard": resolve.id,
        "logistics.exception.reroute.wizard": reroute.id,
        "logistics.overview": overview.id,
        "logistics.freight.import.wizard": importer.id,
        "logistics.freight.reconcile.wizard": reconcile.id,
    }


def build(dbname):
    """Company B, and records of the main company (A) and of B; committed."""
    tag = uuid.uuid4().hex[:6]
    registry = api.Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company_a = env.ref("base.main_company")
        company_b = env["res.company"].create(
            {"name": f"RPC other company {tag}", "country_id": env.ref("base.de").id}
        )
        env.ref("base.user_admin").write({"company_ids": [(4, company_b.id)]})
        records = {
            "A": _company_records(env, company_a, tag),
            "B": _company_records(
                env(context=dict(env.context, allowed_company_ids=[company_b.id])),
                company_b,
                tag,
            ),
        }
        # records of models without a company: the same record serves both
        ledger = env["logistics.idempotency.record"]._acquire_committed(
            "other", f"rpc-{tag}", "fp"
        )
        stage = env["logistics.exception.stage"].search([], limit=1)
        for key in ("A", "B"):
            records[key]["logistics.idempotency.record"] = ledger.record_id
            records[key]["logistics.exception.stage"] = stage.id
        cr.commit()
    return tag, company_a.id, company_b.id, records
