# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Numeric settings the suite reads from system parameters."""


def number_param(env, key, default, minimum, cast=float):
    """System parameter ``key`` as a number of at least ``minimum``;
    ``default`` when it is unset or not a number."""
    value = env["ir.config_parameter"].sudo().get_param(key, default)
    try:
        return max(minimum, cast(value))
    except (TypeError, ValueError):
        return default
