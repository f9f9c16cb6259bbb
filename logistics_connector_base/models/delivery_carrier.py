# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from logistics_carriers import CarrierError, get_adapter_class
from logistics_carriers.rate_shopping import (
    ERROR,
    NOT_OFFERED,
    OK,
    QuoteJob,
    quote_in_parallel,
)

from ..caller import check_caller
from ..params import number_param
from .logistics_carrier_account import AccountTokenStore

DEFAULT_RATE_TIME_LIMIT = 10.0  # seconds; ir.config_parameter overrides it

_logger = logging.getLogger(__name__)


class DeliveryCarrier(models.Model):
    """Odoo's delivery flow (rate, send, cancel, tracking link) through the suite.

    Each carrier addon adds its provider type ``logistics_<code>`` and binds
    the four ``<type>_*`` hooks to the generic ``_logistics_*`` methods below,
    so there is one path to the carrier whatever button the user presses.
    """

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("logistics_sim", "Logistics: Simulator")],
        ondelete={"logistics_sim": "set default"},
    )
    logistics_account_id = fields.Many2one(
        "logistics.carrier.account",
        string="Carrier Account",
        domain="[('company_id', 'in', (company_id, False))]",
        help="Send to carrier uses this account. Leave empty for shipping methods "
        "that are not sent through the logistics suite.",
    )
    logistics_service_code = fields.Char(
        string="Carrier Service Code",
        help="The carrier's product / service code for this shipping method.",
    )
    logistics_fallback_carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Fallback Shipping Method",
        domain="[('logistics_account_id', '!=', False), ('id', '!=', id)]",
        help="Takes over when this method's carrier account is degraded "
        "(circuit breaker open).",
    )
    is_logistics = fields.Boolean(compute="_compute_is_logistics")

    def _compute_is_logistics(self):
        for carrier in self:
            carrier.is_logistics = bool(carrier.logistics_account_id)

    # ------------------------------------------------------------------
    # Generic provider hooks
    # ------------------------------------------------------------------
    def _logistics_check_account(self):
        self.ensure_one()
        if not self.logistics_account_id:
            raise UserError(
                _(
                    "Shipping method %s has no carrier account: set one on it first.",
                    self.name,
                )
            )
        return self.logistics_account_id

    def _logistics_order_request(self, order):
        """A ShipmentRequest for a quote on a sale order (the request mapper)."""
        return self.env["logistics.shipment"]._request_for_order(order, self)

    def _logistics_rate_shipment(self, order):
        self.ensure_one()
        try:
            account = self._logistics_check_account()
            adapter = account._get_adapter()
            quotes = adapter.get_rates(self._logistics_order_request(order))
            adapter.log_sink.flush()
        except (UserError, CarrierError) as err:
            return {
                "success": False,
                "price": 0.0,
                "error_message": getattr(err, "carrier_message", None) or str(err),
                "warning_message": False,
            }
        quote = next(
            (q for q in quotes if q.service_code == self.logistics_service_code),
            quotes[0] if quotes else None,
        )
        if not quote:
            return {
                "success": False,
                "price": 0.0,
                "error_message": _("The carrier returned no rate for this order."),
                "warning_message": False,
            }
        price = quote.amount
        currency = self.env["res.currency"].search(
            [("name", "=", quote.currency)], limit=1
        )
        company = order.company_id
        if currency and currency != company.currency_id:
            price = currency._convert(
                price, company.currency_id, company, fields.Date.today()
            )
        return {
            "success": True,
            "price": price,
            "error_message": False,
            "warning_message": False,
        }

    def _logistics_caller_records(self, model, records, group, mode="read"):
        """The records of a delivery hook, once its caller is checked.

        Odoo's delivery flow passes records (sudo ones from the website's
        checkout); an RPC caller passes ids: both are checked the same way.
        """
        if not isinstance(records, models.BaseModel):
            records = self.env[model].browse(records)
        return check_caller(records, group, mode)

    def _logistics_send_shipping(self, pickings):
        """Never waits on the carrier: queues the dispatch and returns."""
        self.ensure_one()
        res = []
        with self.env["logistics.shipment"]._collect_dispatches():
            for picking in pickings:
                shipment = picking._logistics_send(from_validation=True)
                res.append(
                    {
                        "exact_price": shipment.charges_amount if shipment else 0.0,
                        "tracking_number": (
                            shipment.tracking_ref if shipment else False
                        )
                        or False,
                    }
                )
        return res

    def _logistics_cancel_shipment(self, pickings):
        for picking in pickings:
            picking.logistics_shipment_id._cancel_at_carrier()

    def _logistics_get_tracking_link(self, picking):
        return picking.logistics_shipment_id.tracking_url or False

    # ------------------------------------------------------------------
    # Rate shopping: every eligible method quoted at once
    # ------------------------------------------------------------------
    @api.model
    def _logistics_rate_time_limit_cap(self):
        return number_param(
            self.env,
            "logistics.rate_shopping_time_limit",
            DEFAULT_RATE_TIME_LIMIT,
            minimum=0.5,
        )

    def _logistics_rate_time_limit(self):
        """Seconds this method's carrier may take to quote (account timeouts,
        capped by ``logistics.rate_shopping_time_limit``)."""
        self.ensure_one()
        account = self.logistics_account_id.sudo()
        own = (account.connect_timeout or 0.0) + (account.read_timeout or 0.0)
        cap = self._logistics_rate_time_limit_cap()
        return min(own, cap) if own > 0 else cap

    @api.model
    def _logistics_eligible_carriers(self, partner, company):
        """Logistics shipping methods that may ship to ``partner``."""
        carriers = self.search(
            [
                ("logistics_account_id", "!=", False),
                ("logistics_account_id.active", "=", True),
                ("company_id", "in", (company.id, False)),
            ]
        )
        return carriers.filtered(
            lambda c: (
                c.logistics_account_id.company_id == company
                and (not partner or c._match_address(partner))
            )
        )

    def _logistics_compare_rates(self, request_for):
        """Quote every method of ``self`` in parallel.

        ``request_for(carrier)`` builds the :class:`ShipmentRequest` of a
        method. Returns one dict per method, in the order of ``self``:
        ``carrier``, ``status`` (ok, too_slow, error, unavailable,
        not_offered), ``price`` (company currency), ``amount`` and
        ``currency`` (the carrier's), ``service_code``, ``service_name``,
        ``transit_days``, ``message``, ``elapsed``, ``time_limit``.
        A method whose account's circuit breaker is open is not called.
        """
        results = {}
        jobs = []
        for carrier in self:
            limit = carrier._logistics_rate_time_limit()
            base = {
                "carrier": carrier,
                "status": ERROR,
                "price": 0.0,
                "amount": 0.0,
                "currency": "",
                "service_code": carrier.logistics_service_code or "",
                "service_name": "",
                "transit_days": 0,
                "message": "",
                "elapsed": 0.0,
                "time_limit": limit,
            }
            results[carrier.id] = base
            account = carrier.logistics_account_id
            if not account:
                base["message"] = _("No carrier account.")
                continue
            if not account._breaker_allows():
                base["status"] = "unavailable"
                base["message"] = _(
                    "Carrier account %s is degraded (circuit breaker open).",
                    account.display_name,
                )
                continue
            try:
                adapter_cls = get_adapter_class(account.carrier_code)
                request = request_for(carrier)
            except (KeyError, UserError) as err:
                base["message"] = str(err.args[0] if err.args else err)
                continue
            jobs.append(
                QuoteJob(
                    key=carrier.id,
                    adapter_cls=adapter_cls,
                    config=account._get_adapter_config(),
                    request=request,
                    time_limit=limit,
                    token=AccountTokenStore(account.sudo()).get(),
                )
            )
        for outcome in quote_in_parallel(jobs):
            carrier = self.browse(outcome.key)
            results[carrier.id].update(carrier._logistics_quote_values(outcome))
            account = carrier.logistics_account_id.sudo()
            if outcome.log_entries:
                sink = self.env["logistics.integration.log"]._make_sink(account=account)
                for entry in outcome.log_entries:
                    sink(entry)
                sink.flush()
            if outcome.new_token:
                AccountTokenStore(account).set(*outcome.new_token)
        return [results[carrier.id] for carrier in self]

    def _logistics_quote_values(self, outcome):
        """The result dict values of one method from a quote outcome."""
        self.ensure_one()
        vals = {
            "status": outcome.status,
            "message": outcome.message,
            "elapsed": outcome.elapsed,
        }
        if outcome.status == NOT_OFFERED:
            # No rating API (e.g. DHL Parcel DE): the method's own price list.
            company = self.company_id or self.env.company
            vals.update(
                status=OK if self.fixed_price else ERROR,
                price=self.fixed_price,
                amount=self.fixed_price,
                currency=company.currency_id.name,
                service_name=self.name,
                message=_("The carrier offers no rating API: the method's fixed price.")
                if self.fixed_price
                else outcome.message,
            )
            return vals
        if outcome.status != OK:
            return vals
        code = self.logistics_service_code
        quote = next(
            (q for q in outcome.quotes if q.service_code == code),
            outcome.quotes[0] if outcome.quotes and not code else None,
        )
        if not quote:
            vals.update(
                status=ERROR,
                message=_("The carrier returned no rate for service %s.", code or "-"),
            )
            return vals
        company = self.company_id or self.env.company
        price = quote.amount
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", quote.currency)], limit=1)
        )
        if currency and currency != company.currency_id:
            price = currency._convert(
                price, company.currency_id, company, fields.Date.today()
            )
        vals.update(
            price=price,
            amount=quote.amount,
            currency=quote.currency,
            service_code=quote.service_code,
            service_name=quote.service_name,
            transit_days=quote.transit_days or 0,
        )
        return vals

    # Odoo's delivery flow calls <delivery_type>_<hook>: public, so checked
    def logistics_sim_rate_shipment(self, order):
        order = self._logistics_caller_records("sale.order", order, "base.group_user")
        return self._logistics_rate_shipment(order)

    def logistics_sim_send_shipping(self, pickings):
        pickings = self._logistics_caller_records(
            "stock.picking", pickings, "stock.group_stock_user", "write"
        )
        return self._logistics_send_shipping(pickings)

    def logistics_sim_cancel_shipment(self, pickings):
        pickings = self._logistics_caller_records(
            "stock.picking", pickings, "user", "write"
        )
        return self._logistics_cancel_shipment(pickings)

    def logistics_sim_get_tracking_link(self, picking):
        picking = self._logistics_caller_records(
            "stock.picking", picking, "base.group_user"
        )
        return self._logistics_get_tracking_link(picking)
