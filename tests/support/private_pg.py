# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A private PostgreSQL instance that a test may stop and restart.

The cluster on port 5432 is shared (other developers, the rest of the test
run): a test that restarts PostgreSQL runs its own instance instead. It is
created with ``initdb`` in a temporary directory, listens on a free port of
127.0.0.1 only, and is always stopped and removed (``stop()``, the context
manager, and ``atexit`` for a test process that dies on the way).

PostgreSQL refuses to run as root: when the test process is root, every
command runs as the ``postgres`` user (``runuser``), which owns the directory.

    with PrivatePostgres() as pg:
        server = OdooServer(rcfile, "db", extra_args=pg.odoo_args())
        pg.restart(down_for=5)
"""

import atexit
import os
import pwd
import shutil
import subprocess
import tempfile
import time

from support.odoo_server import free_port

# Logged by Odoo and queue_job themselves while the database is down, outside
# the suite's code, each for a fault that recovers by itself: queue_job logs
# the traceback of a job whose connection died (and its runner the 500 that
# request answered: the job is requeued as dead, then resolved through the
# ledger), Odoo logs a request whose connection died (answered 500), the
# runner (and the bus of the gevent worker) lose their connection, sleep and
# reconnect, and the cursor logs the query it was running. A record is
# allowed only with a connection error in it. The
# suite's own answer to a webhook that finds the database down is a 503
# with a WARNING (controllers/db_unavailable.py), never an ERROR.
_DB_DOWN = (
    r"psycopg2\.(OperationalError|InterfaceError): .*("
    r"server closed the connection unexpectedly|Connection refused"
    r"|terminating connection due to administrator command"
    r"|connection already closed|the database system is (shutting down|starting up)"
    r"|cursor already closed)"
)
_RUNNER = r"odoo\.addons\.queue_job\.jobrunner\.runner: "
ERRORS_WHILE_DOWN = [
    rf"(?s){_RUNNER}exception: sleeping \d+s and retrying.*({_DB_DOWN})",
    rf"(?s){_RUNNER}exception in GET \S+/queue_job/runjob\?.*500 Server Error",
    rf"(?s)odoo\.addons\.queue_job\.controllers\.main: Traceback.*({_DB_DOWN})",
    rf"(?s)odoo\.http: Exception during request handling\..*({_DB_DOWN})",
    rf"(?s)odoo\.addons\.bus\.models\.bus: Bus\.loop error.*({_DB_DOWN})",
    r"(?s)odoo\.sql_db: bad query: .*\nERROR: (server closed the connection "
    r"unexpectedly|terminating connection due to administrator command)",
]


PG_BIN = os.environ.get("LOGISTICS_PG_BIN", "/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    user = "odoo"
    password = "odoo"

    def __init__(self, bin_dir=PG_BIN):
        self.bin_dir = bin_dir
        self.port = free_port()
        self.host = "127.0.0.1"
        self.root = None
        self.data = None
        self._as_postgres = os.geteuid() == 0

    # -- commands ------------------------------------------------------------
    def _run(self, tool, *args, check=True, timeout=120):
        cmd = [os.path.join(self.bin_dir, tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(
            cmd,
            check=check,
            timeout=timeout,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @property
    def logfile(self):
        return os.path.join(self.root, "postgresql.log")

    def create(self):
        """initdb, then start, then a superuser role for Odoo."""
        self.root = tempfile.mkdtemp(prefix="logistics-pg-")
        self.data = os.path.join(self.root, "data")
        atexit.register(self.remove)
        if self._as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self._run(
            "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.start()
        self._run(
            "psql",
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f"CREATE ROLE {self.user} LOGIN SUPERUSER PASSWORD '{self.password}'",
        )
        return self

    def start(self, timeout=60):
        options = (
            f"-p {self.port} -c listen_addresses={self.host} "
            f"-c unix_socket_directories={self.root} -c fsync=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.logfile,
            "-o",
            options,
            "-w",
            "-t",
            str(timeout),
            "start",
            timeout=timeout + 10,
        )

    def stop(self, mode="fast"):
        """Stop the server (``fast``: sessions are ended, as a restart does)."""
        if self.data and os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def restart(self, down_for=0.0):
        """Stop (ending every session), stay down ``down_for`` seconds, start."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def is_running(self):
        if not self.data:
            return False
        done = self._run("pg_ctl", "-D", self.data, "status", check=False)
        return done.returncode == 0

    def remove(self):
        """Stop the server and delete its directory (idempotent)."""
        if self.root is None:
            return
        try:
            self.stop(mode="immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = self.data = None

    # -- for Odoo --------------------------------------------------------------
    def odoo_args(self):
        """Command-line options pointing an Odoo server at this instance
        (they override the configuration file's)."""
        return [
            "--db_host",
            self.host,
            "--db_port",
            str(self.port),
            "--db_user",
            self.user,
            "--db_password",
            self.password,
        ]

    def __enter__(self):
        try:
            return self.create()
        except BaseException:
            self.remove()
            raise

    def __exit__(self, *exc):
        self.remove()
