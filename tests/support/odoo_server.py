# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Start a real Odoo server (workers + queue_job runner) beside a test.

Used by the end-to-end tests and the benchmarks: the server is a separate
process on the given database, configured from an Odoo configuration file,
on free ports, and stopped (SIGTERM, then SIGKILL) when done.
"""

import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client


def odoo_command():
    """odoo-bin of the running Odoo (prefork re-executes it for gevent)."""
    import odoo

    odoo_bin = os.environ.get("LOGISTICS_ODOO_BIN") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))), "odoo-bin"
    )
    if os.path.isfile(odoo_bin):
        return [sys.executable, odoo_bin]
    return [sys.executable, "-m", "odoo"]


# "2026-01-01 10:00:00,123 4242 ERROR db odoo.addons.x: message"
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ [A-Z]+ ")
LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")
# the lines of one record read (a traceback: its last line says what failed)
RECORD_LINES = 400

BENCH_ADDONS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks", "addons"
)


def load_config():
    """Odoo's configuration (ODOO_RC) plus the benchmarks' own baseline addons."""
    import odoo

    # a benchmark stopped with SIGTERM still stops the server it started
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    odoo.tools.config.parse_config([])
    paths = odoo.tools.config["addons_path"].split(",")
    if BENCH_ADDONS not in paths:
        odoo.tools.config["addons_path"] = ",".join([*paths, BENCH_ADDONS])
        odoo.modules.module.initialize_sys_path()
    return odoo.tools.config


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install_database(rcfile, dbname, modules, extra_args=(), timeout=1200):
    """Create ``dbname`` with ``modules`` installed (no demo data), e.g. on a
    private PostgreSQL instance (``extra_args``: its ``odoo_args()``)."""
    import odoo

    logfile = tempfile.NamedTemporaryFile(
        prefix=f"odoo-install-{dbname}-", suffix=".log", delete=False
    ).name
    cmd = [
        *odoo_command(),
        "-c",
        rcfile,
        "-d",
        dbname,
        "-i",
        ",".join(modules),
        "--without-demo=all",
        "--stop-after-init",
        "--workers",
        "0",
        "--max-cron-threads",
        "0",
        "--http-port",
        str(free_port()),
        "--log-level",
        "warn",
        "--logfile",
        logfile,
        "--addons-path",
        odoo.tools.config["addons_path"],
        *extra_args,
    ]
    done = subprocess.run(cmd, timeout=timeout, start_new_session=True)
    if done.returncode:
        raise RuntimeError(f"installing {modules} in {dbname} failed; see {logfile}")
    os.unlink(logfile)


class OdooServer:
    def __init__(
        self,
        rcfile,
        dbname,
        workers=2,
        channels="root:2",
        log_level="warn",
        extra_args=(),
    ):
        self.rcfile = rcfile
        self.dbname = dbname
        self.workers = workers
        self.channels = channels
        self.log_level = log_level
        self.extra_args = list(extra_args)
        self.http_port = free_port()
        self.proc = None
        # setup/test.sh reads every log in LOGISTICS_SERVER_LOG_DIR for ERROR lines
        self.logfile = tempfile.NamedTemporaryFile(
            prefix=f"odoo-{dbname}-",
            suffix=".log",
            delete=False,
            dir=os.environ.get("LOGISTICS_SERVER_LOG_DIR") or None,
        ).name

    @property
    def url(self):
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout=120):
        import odoo

        env = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=self.channels)
        addons = odoo.tools.config["addons_path"]
        cmd = [
            *odoo_command(),
            "-c",
            self.rcfile,
            # db_name alone, no dbfilter: the configuration of a single-database
            # server (setup/lib.sh); a sessionless request (every webhook) then
            # does not list the databases on a new connection
            "-d",
            self.dbname,
            "--http-port",
            str(self.http_port),
            "--gevent-port",
            str(free_port()),
            "--workers",
            str(self.workers),
            "--max-cron-threads",
            "0",
            "--load",
            "web,queue_job",
            "--log-level",
            self.log_level,
            "--logfile",
            self.logfile,
            "--limit-time-real",
            "600",
            "--limit-time-cpu",
            "300",
            "--addons-path",
            addons,
            *self.extra_args,
        ]
        self.proc = subprocess.Popen(cmd, env=env, start_new_session=True)
        atexit.register(self.stop)  # never leave a server behind
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Odoo exited at start; see {self.logfile}")
            try:
                urllib.request.urlopen(f"{self.url}/web/login", timeout=5)
                return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Odoo did not answer within {timeout}s; see {self.logfile}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None

    # -- the server log -------------------------------------------------------
    def log_size(self):
        """Where the log ends now: give it to ``error_lines(since=...)``."""
        try:
            return os.path.getsize(self.logfile)
        except OSError:
            return 0

    def log_text(self, since=0):
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as log:
                log.seek(since)
                return log.read()
        except OSError:
            return ""

    def error_lines(self, since=0, allowed=()):
        """ERROR/CRITICAL records written since ``since`` (with their first
        traceback lines), except those matching one of the ``allowed``
        regular expressions."""
        patterns = [re.compile(p) for p in allowed]
        found = []
        lines = self.log_text(since).splitlines()
        for index, line in enumerate(lines):
            if not LOG_ERROR.match(line):
                continue
            record = [line]
            for follow in lines[index + 1 : index + RECORD_LINES]:
                if LOG_RECORD.match(follow):
                    break
                record.append(follow)
            text = "\n".join(record)
            if not any(p.search(text) for p in patterns):
                found.append(text)
        return found

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def rpc(self, login="admin", password="admin"):
        return OdooRPC(self.url, self.dbname, login, password)


class OdooRPC:
    """A user's XML-RPC session: what a script or an integration would use."""

    def __init__(self, url, dbname, login, password):
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(dbname, login, password, {})
        if not self.uid:
            raise RuntimeError(f"cannot log in as {login} on {dbname}")
        self.dbname, self.password = dbname, password
        self.models = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.dbname, self.uid, self.password, model, method, list(args), kwargs
        )
