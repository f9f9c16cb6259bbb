# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The simulators' package layout: the names tests and tools import stay
importable, and the carrier simulators share ``logistics_simulators.core``
instead of reaching into each other."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pylib" / "logistics_simulators"

# Names imported from each simulator's ``server`` module by the addons' tests,
# tests/, the benchmarks and the fault matrix (before and after the split).
SERVER_NAMES = {
    "generic": (
        "SimulatorServer",
        "OPERATIONS",
        "DEFAULT_SERVICES",
        "sign_webhook",
        "webhook_body",
        "make_event",
        "push_events",
        "build_pdf_label",
        "build_png_label",
        "build_zpl_label",
        "import_contracts",
        "simulator_arg_parser",
        "parse_pairs",
        "serve_until_stopped",
        "main",
    ),
    "ups": (
        "UpsSimulatorServer",
        "OPERATIONS",
        "STEPS",
        "SERVICES",
        "TRANSIT_DAYS",
        "KG_PER_LB",
        "NEGOTIATED_FACTOR",
        "tracking_number",
        "track_alert_payload",
        "push_track_alert",
        "push_token_url",
        "build_gif_label",
        "main",
    ),
    "dhl": (
        "DhlSimulator",
        "STEPS",
        "PROGRESSION",
        "problem_detail",
        "request_status",
        "post_json",
        "main",
    ),
}


@pytest.mark.parametrize("name", sorted(SERVER_NAMES))
def test_server_module_keeps_its_names(name):
    module = importlib.import_module(f"logistics_simulators.{name}.server")
    package = importlib.import_module(f"logistics_simulators.{name}")
    missing = [n for n in SERVER_NAMES[name] if not hasattr(module, n)]
    assert not missing, f"logistics_simulators.{name}.server lost {missing}"
    missing = [n for n in package.__all__ if not hasattr(package, n)]
    assert not missing, f"logistics_simulators.{name} lost {missing}"


def _imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("carrier", ["generic", "ups", "dhl"])
def test_carrier_simulators_import_only_core_and_themselves(carrier):
    others = {"generic", "ups", "dhl"} - {carrier}
    for path in sorted((PACKAGE / carrier).glob("*.py")):
        for module in _imported_modules(path):
            parts = set(module.lstrip(".").split("."))
            relative_sibling = module.startswith("..") and parts & others
            absolute_sibling = module.startswith("logistics_simulators.") and (
                parts & others
            )
            assert not (relative_sibling or absolute_sibling), (
                f"{path.name} imports {module}: share it through "
                "logistics_simulators.core"
            )


def test_core_imports_no_carrier_simulator():
    for path in sorted((PACKAGE / "core").glob("*.py")):
        for module in _imported_modules(path):
            parts = set(module.lstrip(".").split("."))
            assert not parts & {"generic", "ups", "dhl"}, f"{path.name}: {module}"
