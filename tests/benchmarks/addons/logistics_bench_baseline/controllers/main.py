# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import http
from odoo.http import request


class BenchBaseline(http.Controller):
    @http.route(
        "/logistics_bench/bare",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def bare(self, **kwargs):
        """The baseline: parse the JSON body, one ORM insert, answer."""
        body = request.httprequest.get_data()
        json.loads(body)
        record = request.env["logistics.bench.row"].sudo().create({"body": body})
        return request.make_json_response({"id": record.id}, status=202)
