# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""XLSX exports write text as text: no formula from a carrier's data."""

import io
import json
import zipfile

from odoo import http
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestXlsxExport(HttpCase):
    def _export(self, model, ids, fields):
        self.authenticate("admin", "admin")
        response = self.url_open(
            "/web/export/xlsx",
            data={
                "data": json.dumps(
                    {
                        "model": model,
                        "fields": [{"name": f, "label": f} for f in fields],
                        "ids": ids,
                        "domain": [],
                        "import_compat": False,
                    }
                ),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return (
                book.read("xl/worksheets/sheet1.xml").decode(),
                book.read("xl/sharedStrings.xml").decode(),
            )

    def test_text_starting_with_equals_is_not_a_formula(self):
        # what a carrier's invoice file can bring in (a description, a name)
        partner = self.env["res.partner"].create(
            {"name": '=HYPERLINK("http://example.com","x")', "ref": "+1-2"}
        )
        sheet, strings = self._export("res.partner", partner.ids, ["name", "ref"])
        self.assertNotIn("<f>", sheet)  # no formula cell at all
        self.assertIn("=HYPERLINK(", strings)
        self.assertIn("+1-2", strings)

    def test_numbers_keep_their_format(self):
        partner = self.env["res.partner"].create({"name": "Numbers", "color": 7})
        sheet, _strings = self._export("res.partner", partner.ids, ["name", "color"])
        self.assertIn("<v>7</v>", sheet)
