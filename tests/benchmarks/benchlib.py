# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the benchmarks share: the server they start, the load client (wrk),
rounds of baseline and subject interleaved, and the queue_job runner warmed.

Not a benchmark itself (setup/bench.sh runs tests/benchmarks/bench_*.py).
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from support.odoo_server import OdooServer, odoo_command

HERE = os.path.dirname(os.path.abspath(__file__))
UPS_PUSH_LUA = os.path.join(HERE, "wrk_ups_push.lua")


def server(rcfile, dbname, workers=2, channels="root:2"):
    """Odoo with ``workers`` and the real queue_job runner, one database
    (``db_name`` alone, as a single-database server runs: setup/lib.sh,
    setup/odoo.conf.example)."""
    return OdooServer(rcfile, dbname, workers=workers, channels=channels)


def install_baseline(dbname):
    """Install tests/benchmarks/addons' logistics_bench_baseline if missing."""
    import odoo

    with odoo.registry(dbname).cursor() as cr:
        cr.execute(
            "SELECT state FROM ir_module_module WHERE name = 'logistics_bench_baseline'"
        )
        row = cr.fetchone()
    if row and row[0] == "installed":
        return
    addons = odoo.tools.config["addons_path"]
    subprocess.run(
        [*odoo_command(), "-c", odoo.tools.config.rcfile, "-d", dbname,
         "--addons-path", addons, "-i", "logistics_bench_baseline",
         "--stop-after-init", "--no-http", "--log-level", "warn"],
        check=True,
    )  # fmt: skip


def wrk_binary():
    path = shutil.which("wrk")
    if not path:
        raise SystemExit(
            "wrk is not installed: ./setup/bench.sh installs it (Debian package "
            "'wrk'), or run 'apt-get install wrk'"
        )
    return path


def wrk(url, *, script, args, connections, seconds, threads=None):
    """One wrk run; only 2xx answers count as throughput.

    Returns a dict: ok (2xx answers), ok_rps, other (answers other than 2xx,
    by status), errors (socket errors: connect, read, write, timeout),
    p50/p90/p99/max in ms (of every answer) and the wrk command line.
    """
    threads = threads or min(2, connections)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    cmd = [
        wrk_binary(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "30s",
        "-s",
        script,
        url,
        "--",
        out,
        *args,
    ]
    try:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(out, encoding="utf-8") as handle:
            raw = json.load(handle)
    finally:
        os.unlink(out)
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    duration = raw["duration_us"] / 1e6
    return {
        "ok": ok,
        "ok_rps": ok / duration,
        "requests": raw["requests"],
        "other": {s: n for s, n in statuses.items() if not 200 <= s < 300},
        "errors": {k: v for k, v in raw["errors"].items() if v},
        "p50": raw["p50_us"] / 1000,
        "p90": raw["p90_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "max": raw["max_us"] / 1000,
        "seconds": duration,
    }


def describe(name, run):
    """One line of a wrk run, with what was not a 2xx answer."""
    others = ", ".join(f"{n} x {s}" for s, n in sorted(run["other"].items()))
    errors = ", ".join(f"{n} {k}" for k, n in sorted(run["errors"].items()))
    extra = "; ".join(x for x in (others and f"non-2xx: {others}", errors) if x)
    return (
        f"{name:<28} {run['ok_rps']:7.1f} 2xx/s  p50 {run['p50']:6.1f} ms  "
        f"p99 {run['p99']:7.1f} ms  ({run['ok']} 2xx of {run['requests']}"
        f"{'; ' + extra if extra else ''})"
    )


def interleave(rounds, steps, pause=None):
    """Run ``steps`` (name, callable) in order, ``rounds`` times.

    Baseline and subject alternate, so a drift of the machine's load touches
    both. ``pause`` runs before every step (e.g. wait for a backlog to be
    drained). Returns {name: [result of each round]}.
    """
    results = {name: [] for name, _func in steps}
    for index in range(rounds):
        for name, func in steps:
            if pause:
                pause()
            result = func()
            results[name].append(result)
            if isinstance(result, dict) and "ok_rps" in result:
                print(f"round {index + 1}  " + describe(name, result), flush=True)
    return results


def median(values):
    return statistics.median(values)


def ratios(subject, baseline):
    """Per-round ratios of two lists measured in the same rounds."""
    return [s / b if b else 0.0 for s, b in zip(subject, baseline, strict=True)]


def wait_for(predicate, timeout, what, step=0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise SystemExit(f"{what}: not within {timeout} s")


def warm_runner(registry, env_factory, channel, jobs=20, timeout=120):
    """Enqueue no-op jobs on ``channel`` and wait until they are done.

    The queue_job runner starts dispatching ~5 s after the server starts
    and each worker loads the registry on its first job: a first baseline
    measured cold would include both.
    """
    from odoo import SUPERUSER_ID

    with registry.cursor() as cr:
        env = env_factory(cr)
        user = env["res.users"].browse(SUPERUSER_ID)
        uuids = [user.with_delay(channel=channel).exists().uuid for _ in range(jobs)]
        cr.commit()

    def done():
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM queue_job "
                "WHERE uuid = ANY(%s) AND state = 'done'",
                (uuids,),
            )
            return cr.fetchone()[0] >= jobs

    started = time.time()
    wait_for(done, timeout, "warming the queue_job runner")
    print(
        f"queue_job runner warm ({jobs} no-op jobs on {channel} done after "
        f"{time.time() - started:.1f} s)",
        flush=True,
    )


class CpuMeter:
    """CPU seconds used by one Odoo server and its database's PostgreSQL
    backends (from /proc; Linux), to split a request's cost between the
    Odoo nodes and the one PostgreSQL they would share."""

    def __init__(self, server_pid, dbname):
        self.group, self.dbname = server_pid, dbname
        self.tick = os.sysconf("SC_CLK_TCK")

    def _sample(self):
        odoo_cpu, pg_cpu = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read().decode(errors="replace")
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    cmdline = handle.read().decode(errors="replace")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks = int(fields[11]) + int(fields[12])  # utime + stime
            if int(fields[2]) == self.group:  # process group of the server
                odoo_cpu[entry] = ticks
            elif cmdline.startswith("postgres: ") and f" {self.dbname} " in cmdline:
                pg_cpu[entry] = ticks
        return odoo_cpu, pg_cpu

    def start(self):
        self.before = self._sample()
        return self

    def stop(self):
        """(Odoo CPU s, PostgreSQL CPU s) since start()."""
        after = self._sample()
        used = []
        for old, new in zip(self.before, after, strict=True):
            ticks = sum(t - old.get(pid, 0) for pid, t in new.items())
            used.append(max(ticks, 0) / self.tick)
        return tuple(used)
