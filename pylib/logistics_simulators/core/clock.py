# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Timestamps as the simulators write them."""

from datetime import datetime, timedelta, timezone


def now_iso(backdate=0):
    """UTC now (minus ``backdate`` seconds) as ``YYYY-MM-DDTHH:MM:SSZ``."""
    moment = datetime.now(timezone.utc) - timedelta(seconds=backdate)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
