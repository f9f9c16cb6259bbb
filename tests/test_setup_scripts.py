# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The set-up scripts' shell helpers (setup/lib.sh), run for real with bash.

A fresh machine is proven by CI itself (.ci/run builds a new virtualenv and
runs both README commands); these tests pin down the failure modes found on
one: a lock kept by a daemon, another Odoo in the virtualenv, a requirement
that is missing or out of bounds, gevent that cannot start.
"""

import os
import subprocess
import sys
import textwrap
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(REPO, "setup", "lib.sh")


def bash(script, env=None, timeout=60):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        ["bash", "-c", f'set -euo pipefail; source "{LIB}"; {script}'],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def home(tmp_path):
    return {"LOGISTICS_HOME": str(tmp_path / "home")}


def _holds(pid, path):
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) == path:
                return True
        except OSError:
            continue
    return False


def test_daemon_does_not_inherit_the_lock(home, tmp_path):
    log = tmp_path / "daemon.log"
    res = bash(
        f'lock_db demo; daemonize "{log}" sleep 30; echo "$DAEMON_PID"', env=home
    )
    assert res.returncode == 0, res.stderr
    pid = int(res.stdout.split()[-1])
    try:
        lock = os.path.join(home["LOGISTICS_HOME"], "locks", "demo.lock")
        # until the background shell has applied its redirections and exec'ed,
        # it is still a copy of the script: wait for the daemon itself
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().startswith(b"sleep"):
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the daemon did not start within 20 s")
        assert not _holds(pid, lock), "the daemon holds the lock file"
        # the script that took the lock is gone: the next run gets it at once
        res2 = bash("lock_db demo; echo locked", env=home)
        assert res2.returncode == 0, res2.stderr
        assert "locked" in res2.stdout
    finally:
        os.kill(pid, 9)


def test_second_run_is_refused_with_the_holder(home):
    first = subprocess.Popen(
        ["bash", "-c", f'source "{LIB}"; lock_db demo; echo ready; sleep 20'],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, **home),
    )
    try:
        assert first.stdout.readline().strip() == "ready"
        res = bash("lock_db demo", env=home)
        assert res.returncode != 0
        assert "another run is using the database demo" in res.stderr
    finally:
        first.kill()
        first.wait()
    # a killed run leaves nothing behind that blocks the next one
    assert bash("lock_db demo", env=home).returncode == 0


def _fake_python(tmp_path, serie):
    """A "python" whose odoo package reports another series."""
    pkg = tmp_path / "site" / "odoo"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "release.py").write_text(f"serie = {serie!r}\n")
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    py = venv_bin / "python"
    py.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            PYTHONPATH="{tmp_path / "site"}" exec "{sys.executable}" -S "$@"
            """
        )
    )
    py.chmod(0o755)
    return str(tmp_path / "venv")


def test_a_virtualenv_with_another_odoo_is_never_touched(home, tmp_path):
    venv = _fake_python(tmp_path, "16.0")
    res = bash("find_or_install_odoo", env=dict(home, ODOO_VENV=venv))
    assert res.returncode != 0
    assert "holds another Odoo" in res.stderr
    assert "16.0" in res.stderr
    assert "installing" not in res.stderr  # no install was attempted


def test_requirements_missing_or_out_of_bounds_are_listed(tmp_path):
    req = tmp_path / "req.txt"
    inc = tmp_path / "inc.txt"
    inc.write_text("pytest>=1\n")  # satisfied: this test runs under pytest
    req.write_text(
        "# comment\n"
        "-r inc.txt\n"
        "no-such-distribution-logistics>=1\n"
        "pytest<1  # installed, out of bounds\n"
        "also-missing>=1; python_version < '3'\n"  # marker false: ignored
    )
    res = bash(
        f'ODOO_PY="{sys.executable}"; pip_requirements_missing "{req}"',
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == [
        "no-such-distribution-logistics>=1",
        "pytest<1",
    ]
    assert "also-missing" not in res.stdout


def test_gevent_starts_in_odoo_virtualenv():
    # The probe Odoo's gevent process depends on (see setup/constraints.txt).
    res = bash(f'ODOO_PY="{sys.executable}"; ODOO_VENV=x; check_gevent', timeout=300)
    assert res.returncode == 0, res.stderr
    assert "cannot start" not in res.stderr


def test_port_in_use_is_detected():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert bash(f"port_in_use {port}").returncode == 0
    time.sleep(0.1)
    assert bash(f"port_in_use {port}").returncode != 0
