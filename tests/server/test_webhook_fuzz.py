# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fuzzed webhook bodies against a running server: 0 answered 5xx, 0 applied.

500 requests of ``tests/fuzz_webhooks.py`` (the benchmark runs 10,000):
partner, UPS and DHL pushes broken in every way the script knows, sent 8 at
a time. None may be answered 5xx (or not at all), none may record a
tracking event; what was stored must end failed with a reason, the drain
jobs done, and the server log must hold no ERROR.
"""

import fuzz_webhooks

ODOO_SERVER_OPTIONS = {"channels": "root:2,root.logistics.inbound:1"}


def test_fuzzed_webhooks_no_5xx_nothing_applied(odoo_server, rpc):
    targets = fuzz_webhooks.make_targets(rpc, odoo_server.url)
    figures = fuzz_webhooks.run(targets, 500, seed=18, concurrency=8)
    print(f"\nfuzz: {figures}")
    assert figures["answered_5xx"] == 0, figures["failures"]
    # every kind of breakage was tried, and most were refused at once
    assert len(figures["by_kind"]) == 10, figures["by_kind"]
    refused = sum(n for s, n in figures["statuses"].items() if s.startswith("4"))
    assert refused > 250, figures["statuses"]
    result = fuzz_webhooks.outcome(rpc, targets, timeout=180)
    print(f"outcome: {result}")
    assert result["events_applied"] == 0
    assert result["drain_jobs_not_done"] == 0, result["drain_job_errors"]
    # stored ones (those only the drain can judge) all failed with a reason
    assert set(result["messages"]) <= {"failed", "done"}, result["messages"]
    assert result["messages"].get("failed", 0) > 0
    messages = rpc(
        "logistics.inbound.message",
        "search_read",
        [
            ("account_id", "in", [a for a, _url in targets.values()]),
            ("state", "=", "failed"),
        ],
        ["error"],
    )
    assert all(m["error"] for m in messages)
