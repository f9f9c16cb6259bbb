# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the real-server layer (tests/server/).

Every test here drives a running Odoo (2 HTTP workers, the real queue_job
runner) on the test database, over HTTP and XML-RPC only: no ORM write from
the test process. Fixtures:

- ``odoo_server`` (module): the running server (``support.odoo_server``). A
  test module may tune it with a module-level ``ODOO_SERVER_OPTIONS`` dict
  (``workers``, ``channels``, ``log_level``, ``extra_args``).
- ``rpc`` (module): an XML-RPC session of admin, ``rpc(model, method, *args,
  **kwargs)``.
- ``sim`` (module): the generic carrier simulator on 127.0.0.1.
- ``wait_for``: ``wait_for(predicate, timeout=90)`` polls until truthy.
- helpers (plain functions, in ``support.server_rpc``):
  ``make_sim_carrier``, ``make_picking``, ``ship``, ``shipment_of``,
  ``post_concurrently``, ``wait_until``.
- ``server_log``: the log check. Autouse: every test using ``odoo_server``
  fails when the server logged an ERROR/CRITICAL line while it ran (a fault
  the suite handles must not log one). A test that expects one names it:
  ``@pytest.mark.allow_server_errors(r"regex", ...)`` (also honoured by the
  check of every server log in setup/test.sh; a pattern then applies to the
  whole log of that server: give such a test a server of its own).
"""

import time

import pytest
from support.odoo_server import OdooServer
from support.server_rpc import wait_until

import odoo

DEFAULT_CHANNELS = "root:2,root.logistics.inbound:1,root.logistics.outbound:2"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "allow_server_errors(*patterns): server log ERROR records matching one "
        "of these regular expressions do not fail the test",
    )


@pytest.fixture(scope="module")
def odoo_server(request):
    options = {"channels": DEFAULT_CHANNELS}
    options.update(getattr(request.module, "ODOO_SERVER_OPTIONS", {}))
    config = odoo.tools.config
    with OdooServer(config.rcfile, config["db_name"], **options) as server:
        yield server


@pytest.fixture(scope="module")
def rpc(odoo_server):
    return odoo_server.rpc()


@pytest.fixture(scope="module")
def sim():
    # imported here: odoo.addons is set up by pytest-odoo after conftests load
    from logistics_simulators.generic.server import SimulatorServer

    with SimulatorServer() as server:
        yield server


@pytest.fixture
def wait_for():
    return wait_until


class ServerLog:
    """The part of the server log written since ``mark()``."""

    def __init__(self, server, allowed=()):
        self.server = server
        self.allowed = list(allowed)
        self.mark()

    def mark(self):
        self.start = self.server.log_size()

    def text(self):
        return self.server.log_text(self.start)

    def errors(self):
        return self.server.error_lines(self.start, self.allowed)

    def assert_clean(self):
        errors = self.errors()
        assert not errors, (
            f"the server logged {len(errors)} ERROR record(s) "
            f"({self.server.logfile}):\n" + "\n---\n".join(errors[:5])
        )


@pytest.fixture(autouse=True)
def server_log(request):
    """Fails the test when the server logged an ERROR while it ran."""
    if "odoo_server" not in request.fixturenames:
        yield None
        return
    server = request.getfixturevalue("odoo_server")
    allowed = [
        pattern
        for marker in request.node.iter_markers("allow_server_errors")
        for pattern in marker.args
    ]
    if allowed:
        # setup/test.sh checks every server log again: it honours these too
        with open(server.logfile + ".allowed", "a", encoding="utf-8") as f:
            f.writelines(f"{pattern}\n" for pattern in allowed)
    log = ServerLog(server, allowed)
    yield log
    # let the last jobs and requests of the test log what they have to
    time.sleep(0.5)
    log.assert_clean()
