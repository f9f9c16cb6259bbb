# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The carriers' published schemas for the UPS and DHL simulators."""

import importlib.util
import os
import sys


def import_contracts():
    """``tests/contracts/contracts.py`` of the checkout (the carriers'
    published schemas, for the UPS and DHL simulators), or None when the
    folder or ``jsonschema`` is missing (the simulators then say so)."""
    root = os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )
    path = os.path.join(root, "tests", "contracts", "contracts.py")
    if not os.path.isfile(path):
        return None
    name = "logistics_carrier_contracts"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return module if module.available() else None
