# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Count test results for setup/test.sh (stdlib only).

    python testsummary.py odoo LOGFILE DBNAME EXIT_CODE
    python testsummary.py pytest JUNIT_XML EXIT_CODE
    python testsummary.py serverlogs DIR

Each prints one line ``passed=N failed=N errors=N skipped=N total=N bad=N`` on
stdout (``bad`` = everything that must fail the run) and explanations on stderr.

A skipped test is a failure unless setup/test-skips-allowed.txt names it (a short,
commented allow-list): a test whose browser or server could not start must not
count as done. ``serverlogs`` counts the ERROR/CRITICAL records in the logs of the
Odoo servers that the pytest phase started (tests/support/odoo_server.py).
"""

import fnmatch
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWED_SKIPS = os.path.join(HERE, "test-skips-allowed.txt")


def _allowed_skip_patterns():
    try:
        with open(ALLOWED_SKIPS, encoding="utf-8") as f:
            return [
                line.split("#", 1)[0].strip()
                for line in f
                if line.split("#", 1)[0].strip()
            ]
    except OSError:
        return []


def _unallowed(skipped_names):
    """Names of skipped tests that the allow-list does not name."""
    patterns = _allowed_skip_patterns()
    return [
        name
        for name in skipped_names
        if not any(fnmatch.fnmatch(name, p) for p in patterns)
    ]


LOG_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[^:\s]+): (?P<msg>.*)$"
)
SUMMARY = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
# Messages that are the test runner's own reports of counted failures.
COUNTED_MESSAGES = ("FAIL: ", "ERROR: ", "At least one test failed")


def _emit(passed, failed, errors, skipped, total, bad):
    print(
        f"passed={passed} failed={failed} errors={errors} "
        f"skipped={skipped} total={total} bad={bad}"
    )


class OdooLogScan:
    """Reads an Odoo test log.

    A record logged while a test runs (between its "Starting ..." line and the
    next one) belongs to that test: if the test is reported failed/errored it is
    already counted, otherwise the test counts as failed (once). A record logged
    outside any test (module loading, registry set-up ...) counts as one failure.
    """

    def __init__(self, dbname):
        self.dbname = dbname
        self.summary = None
        self.skipped = 0
        self.skipped_names = []
        self.outside = []  # error records outside tests: one failure each
        self.tainted = []  # error records of tests that did not fail otherwise
        self.tainted_tests = 0
        self._pending = []  # error records of the running test
        self._in_test = False

    def _close_test(self):
        if self._pending:
            self.tainted_tests += 1
            self.tainted.extend(self._pending)
            self._pending = []

    def feed(self, line):
        m = LOG_RECORD.match(line)
        if not m:
            return
        level, logger, msg = m["level"], m["logger"], m["msg"]
        test_logger = ".tests." in logger or logger.startswith("odoo.tests")
        if logger == "odoo.tests.result":
            s = SUMMARY.match(msg)
            if s and s["db"] == self.dbname:
                self.summary = s
        elif level == "INFO" and test_logger and msg.startswith("Starting "):
            self._close_test()
            self._in_test = True
        elif level == "INFO" and test_logger and msg.startswith("skipped "):
            self.skipped += 1
            self.skipped_names.append(msg[len("skipped ") :].split(" : ", 1)[0])
        elif logger.startswith(("odoo.modules.", "odoo.service.")):
            self._close_test()
            self._in_test = False
        if level not in ("ERROR", "CRITICAL") or logger == "odoo.tests.result":
            return
        if msg.startswith(COUNTED_MESSAGES):
            self._pending = []  # part of this counted test failure
        elif self._in_test:
            self._pending.append(line)
        else:
            self.outside.append(line)

    def close(self):
        self._close_test()


def odoo(logfile, dbname, exit_code):
    scan = OdooLogScan(dbname)
    with open(logfile, encoding="utf-8", errors="replace") as f:
        for line in f:
            scan.feed(line.rstrip())
    scan.close()
    failed = errors = total = 0
    if scan.summary is None:
        print(
            f"odoo: no 'odoo.tests.result: ... when loading database '{dbname}'' "
            "line: the run did not finish (see the log)",
            file=sys.stderr,
        )
    else:
        failed = int(scan.summary["failed"])
        errors = int(scan.summary["errors"])
        total = int(scan.summary["tests"])
    for line in scan.tainted:
        print(f"odoo: error logged by a passing test: {line}", file=sys.stderr)
    for line in scan.outside:
        print(f"odoo: error logged outside the tests: {line}", file=sys.stderr)
    bad = failed + errors + scan.tainted_tests + len(scan.outside)
    for name in _unallowed(scan.skipped_names):
        print(f"odoo: skipped, not on the allow-list: {name}", file=sys.stderr)
        bad += 1
    if scan.summary is None:
        bad += 1
    if bad == 0 and exit_code != 0:
        print(f"odoo: odoo-bin exited with status {exit_code}", file=sys.stderr)
        bad = 1
    passed = max(0, total - failed - errors - scan.skipped - scan.tainted_tests)
    _emit(passed, failed, errors, scan.skipped, total, bad)


def pytest(junit_xml, exit_code):
    tests = failures = errors = skipped = 0
    skipped_names = []
    try:
        root = ET.parse(junit_xml).getroot()
    except (OSError, ET.ParseError) as exc:
        print(f"pytest: no readable report {junit_xml}: {exc}", file=sys.stderr)
        root = None
    if root is not None:
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            tests += int(suite.get("tests", 0))
            failures += int(suite.get("failures", 0))
            errors += int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
            for case in suite.iter("testcase"):
                if case.find("skipped") is not None:
                    skipped_names.append(f"{case.get('classname')}::{case.get('name')}")
    bad = failures + errors
    for name in _unallowed(skipped_names):
        print(f"pytest: skipped, not on the allow-list: {name}", file=sys.stderr)
        bad += 1
    if exit_code == 5:
        print("pytest: no tests collected (exit status 5)", file=sys.stderr)
        bad += 1
    elif exit_code != 0 and bad == 0:
        print(f"pytest: exited with status {exit_code}", file=sys.stderr)
        bad = 1
    elif root is None:
        bad += 1
    passed = max(0, tests - failures - errors - skipped)
    _emit(passed, failures, errors, skipped, tests, bad)


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")


SERVER_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ [A-Z]+ ")
# the lines of one record read (a traceback: its last line says what failed)
RECORD_LINES = 400


def _allowed_server_errors(path):
    """The regular expressions a test allowed for this server's log
    (``@pytest.mark.allow_server_errors``, written beside it as ``.allowed``
    by tests/server/conftest.py): ERROR records of faults that Odoo or
    queue_job log themselves, which the test names one by one."""
    try:
        with open(path + ".allowed", encoding="utf-8") as f:
            return [re.compile(line.rstrip("\n")) for line in f if line.strip()]
    except OSError:
        return []


def serverlogs(directory):
    """ERROR/CRITICAL records in the logs of the servers the tests started."""
    bad = 0
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    names = [name for name in names if not name.endswith(".allowed")]
    for name in names:
        path = os.path.join(directory, name)
        allowed = _allowed_server_errors(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        for index, line in enumerate(lines):
            if not LOG_LINE.match(line):
                continue
            record = [line]
            for follow in lines[index + 1 : index + RECORD_LINES]:
                if SERVER_LOG_RECORD.match(follow):
                    break
                record.append(follow)
            if any(p.search("\n".join(record)) for p in allowed):
                continue
            print(f"server log {name}: {line.rstrip()[:500]}", file=sys.stderr)
            bad += 1
    _emit(0, 0, 0, 0, len(names), bad)


def main(argv):
    if len(argv) == 2 and argv[0] == "serverlogs":
        serverlogs(argv[1])
    elif len(argv) == 4 and argv[0] == "odoo":
        odoo(argv[1], argv[2], int(argv[3]))
    elif len(argv) == 3 and argv[0] == "pytest":
        pytest(argv[1], int(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
