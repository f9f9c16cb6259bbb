# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pylib/ is plain Python: every module imports without Odoo.

The addons depend on ``logistics_carriers`` the way OCA's delivery_roulier
depends on roulier; a module of it that imported ``odoo`` (directly or through
an addon) would make the adapters untestable outside Odoo again.
"""

import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

PYLIB = Path(__file__).resolve().parents[2] / "pylib"
PACKAGES = ("logistics_carriers", "logistics_simulators")
# requests and what it imports
DEPENDENCIES = (
    "requests",
    "urllib3",
    "idna",
    "certifi",
    "charset_normalizer",
    "chardet",
)


def _modules():
    names = []
    for package in PACKAGES:
        names.append(package)
        for info in pkgutil.walk_packages([str(PYLIB / package)], package + "."):
            names.append(info.name)
    return names


def test_every_module_is_found():
    names = _modules()
    # the carriers and the simulators are all there (a moved folder shows here)
    for expected in (
        "logistics_carriers.ups",
        "logistics_carriers.dhl",
        "logistics_carriers.tracking",
        "logistics_simulators.generic",
        "logistics_simulators.ups",
        "logistics_simulators.dhl",
    ):
        assert expected in names


SCRIPT = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m == "odoo" or m.startswith("odoo."))
print("LEAKED", leaked)
sys.exit(1 if leaked else 0)
"""


def _run(python, names):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PYLIB)  # the package folder alone: no addons path
    return subprocess.run(
        [python, "-c", SCRIPT, *names],
        capture_output=True,
        text=True,
        cwd="/",
        env=env,
        check=False,
        timeout=120,
    )


def test_no_module_imports_odoo():
    """With Odoo's own Python: all of pylib imports, and ``odoo`` never does."""
    names = [n for n in _modules() if not n.endswith("__main__")]
    proc = _run(sys.executable, names)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_adapters_import_without_odoo_installed(tmp_path):
    """``import logistics_carriers.ups, logistics_carriers.dhl`` in an
    interpreter where Odoo is not installed at all: no site-packages (``-S``),
    only pylib/ and the adapters' own dependencies (requests and its own)."""
    for name in DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        if spec is not None:  # requests needs one of charset_normalizer/chardet
            folder = Path(spec.origin).parent
            (tmp_path / folder.name).symlink_to(folder)
    script = (
        "import sys\n"
        f"sys.path[:0] = [{str(PYLIB)!r}, {str(tmp_path)!r}]\n"
        "try:\n"
        "    import odoo\n"
        "    sys.exit('odoo is importable here: the test proves nothing')\n"
        "except ImportError:\n"
        "    pass\n"
        "import logistics_carriers, logistics_carriers.ups, logistics_carriers.dhl\n"
        "import logistics_carriers.tracking\n"
        "print(sorted(logistics_carriers.registered_codes()))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-S", "-E", "-c", script],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "'dhl'" in proc.stdout and "'ups'" in proc.stdout
