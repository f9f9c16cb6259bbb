# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Text cells of XLSX exports stay text.

xlsxwriter's ``write()`` turns a string that starts with "=" into a formula
(its default ``strings_to_formulas``), and Odoo's XLSX export writes every
cell with it: a tracking number or a description that a carrier's invoice
file brought in as ``=HYPERLINK(...)`` would run in the spreadsheet of whoever
opens the export (Odoo's CSV export already neutralises such text). Every
text cell of an XLSX export is written with ``write_string`` instead; numbers,
dates and booleans keep Odoo's formats.
"""

from odoo.addons.web.controllers import export

if not getattr(export.ExportXlsxWriter.write, "_logistics_text_only", False):
    _odoo_write = export.ExportXlsxWriter.write

    def _write(self, row, column, cell_value, style=None):
        if isinstance(cell_value, str):
            self.worksheet.write_string(row, column, cell_value, style)
        else:
            _odoo_write(self, row, column, cell_value, style)

    _write._logistics_text_only = True
    export.ExportXlsxWriter.write = _write
