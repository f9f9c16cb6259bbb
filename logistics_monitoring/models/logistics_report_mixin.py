# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import SQL


class LogisticsReportMixin(models.AbstractModel):
    """Percentiles in read_group (graph, pivot): median and p95.

    A report declares ``_percentile_fields = {field: (source column, fraction)}``;
    such a field holds the same value as its source on each line, and groups
    aggregate it with ``percentile_cont(fraction)`` instead of an average.
    """

    _name = "logistics.report.mixin"
    _description = "Logistics Report Percentiles"

    _percentile_fields = {}

    def _read_group_select(self, aggregate_spec, query):
        fname, _sep, func = aggregate_spec.partition(":")
        if fname in self._percentile_fields and func in ("avg", "sum", "max", "min"):
            column, fraction = self._percentile_fields[fname]
            return (
                SQL(
                    "percentile_cont(%s) WITHIN GROUP (ORDER BY %s)",
                    fraction,
                    SQL.identifier(self._table, column),
                ),
                [fname],
            )
        return super()._read_group_select(aggregate_spec, query)
