# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The command line every simulator shares (``python -m
logistics_simulators.<name> --port N``): common options, ``ID:SECRET`` pairs,
and serving until SIGINT/SIGTERM."""

import argparse
import signal
import sys
import threading


def simulator_arg_parser(description, port, token_ttl, *, credentials=True):
    """The command-line options every carrier simulator script shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    if credentials:
        parser.add_argument(
            "--credentials",
            action="append",
            default=[],
            metavar="ID:SECRET",
            help="accepted client credentials (repeatable); default: any",
        )
    parser.add_argument("--token-ttl", type=int, default=token_ttl)
    parser.add_argument("--webhook-url", default=None, help="where pushes go")
    parser.add_argument(
        "--webhook-secret", default=None, help="the pushes' secret or credential"
    )
    parser.add_argument(
        "--auto-advance",
        type=float,
        default=None,
        metavar="SECONDS",
        help="move each shipment to its next status every SECONDS",
    )
    parser.add_argument(
        "--storylines",
        action="store_true",
        help="with --auto-advance: shipments take the demo storylines in turn "
        "(plain, out-of-order scan, delivery exception)",
    )
    parser.add_argument("--verbose", action="store_true")
    return parser


def parse_pairs(values):
    """``["a:b", ...]`` from repeatable options as a dict (None when empty)."""
    return dict(value.split(":", 1) for value in values) or None


def serve_until_stopped(server, label):
    """Run a started simulator until SIGINT or SIGTERM, then stop it."""
    sys.stdout.write(f"{label} listening on {server.url}\n")
    sys.stdout.flush()
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            continue
    finally:
        server.stop()
    return 0
