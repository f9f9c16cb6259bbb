# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Ask several carrier accounts for quotes at once, each within its own time limit.

Plain Python (no Odoo): the caller gives, per quote wanted, the adapter class,
the account configuration (already copied out of the database), a cached token
and the request. Each quote runs in a thread of its own with its own HTTP
session, token store and log buffer, so no thread touches a database cursor.
A carrier that does not answer within its limit is reported as too slow and
never delays the others: the caller gets every result at the latest when the
slowest limit has passed.
"""

import dataclasses
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import requests

from .base import MemoryTokenStore
from .errors import CarrierError, CarrierNotSupported, CarrierTransientError

OK = "ok"
TOO_SLOW = "too_slow"
ERROR = "error"
NOT_OFFERED = "not_offered"


@dataclasses.dataclass
class QuoteJob:
    """One quote to ask for."""

    key: object  # the caller's handle (e.g. a shipping method id)
    adapter_cls: type
    config: object  # AccountConfig
    request: object  # ShipmentRequest
    time_limit: float  # seconds, wall time for this carrier
    token: tuple | None = None  # cached (token, expires_at), or None


@dataclasses.dataclass
class QuoteOutcome:
    key: object
    status: str  # ok | too_slow | error | not_offered
    quotes: list = dataclasses.field(default_factory=list)
    message: str = ""
    elapsed: float = 0.0
    log_entries: list = dataclasses.field(default_factory=list)
    new_token: tuple | None = None  # a token fetched by the thread, to cache


def _run(job, started):
    """The thread body: one adapter, one get_rates call."""
    entries = []
    store = MemoryTokenStore()
    if job.token:
        store.set(*job.token)
    limit = max(0.1, float(job.time_limit))
    config = dataclasses.replace(
        job.config,
        connect_timeout=min(float(job.config.connect_timeout or limit), limit),
        read_timeout=min(float(job.config.read_timeout or limit), limit),
    )
    session = requests.Session()
    outcome = QuoteOutcome(key=job.key, status=ERROR, log_entries=entries)
    try:
        adapter = job.adapter_cls(
            config, token_store=store, log_sink=entries.append, session=session
        )
        outcome.quotes = list(adapter.get_rates(job.request) or [])
        outcome.status = OK
    except CarrierNotSupported as err:
        outcome.status = NOT_OFFERED
        outcome.message = str(err)
    except CarrierTransientError as err:
        if err.code in ("read_timeout", "connect_timeout"):
            outcome.status = TOO_SLOW
            outcome.message = f"No answer within {limit:g} s ({err.message})"
        else:
            outcome.message = str(err)
    except CarrierError as err:
        outcome.message = err.carrier_message or str(err)
        if err.message and err.carrier_message and err.message not in outcome.message:
            outcome.message = f"{err.message} ({err.carrier_message})"
    except Exception as err:  # a broken adapter must not break the comparison
        outcome.message = f"{type(err).__name__}: {err}"
    finally:
        session.close()
    cached = store.get()
    if cached and cached != job.token:
        outcome.new_token = cached
    outcome.elapsed = time.monotonic() - started
    if outcome.elapsed > limit and outcome.status != NOT_OFFERED:
        outcome.status = TOO_SLOW
        outcome.message = (
            f"No answer within {limit:g} s (answered after {outcome.elapsed:.1f} s)."
        )
    return outcome


def quote_in_parallel(jobs, max_workers=8):
    """Run ``jobs`` (list of :class:`QuoteJob`) at once; list of outcomes.

    Outcomes come back in the order of ``jobs``. Every job ends at the latest
    at its own limit (reported as ``too_slow``); the call returns as soon as
    every job answered or passed its limit.
    """
    if not jobs:
        return []
    pool = ThreadPoolExecutor(
        max_workers=max(1, min(max_workers, len(jobs))),
        thread_name_prefix="logistics-rates",
    )
    started = time.monotonic()
    pending = {}
    results = {}
    try:
        for index, job in enumerate(jobs):
            future = pool.submit(_run, job, started)
            pending[future] = (index, started + max(0.1, float(job.time_limit)))
        while pending:
            next_deadline = min(deadline for _i, deadline in pending.values())
            timeout = max(0.0, next_deadline - time.monotonic())
            done, _not_done = wait(
                list(pending), timeout=timeout, return_when=FIRST_COMPLETED
            )
            for future in done:
                index, _deadline = pending.pop(future)
                results[index] = future.result()
            now = time.monotonic()
            for future, (index, deadline) in list(pending.items()):
                if deadline <= now and not future.done():
                    pending.pop(future)
                    job = jobs[index]
                    results[index] = QuoteOutcome(
                        key=job.key,
                        status=TOO_SLOW,
                        message=f"No answer within {job.time_limit:g} s.",
                        elapsed=now - started,
                    )
    finally:
        # threads still waiting on a slow carrier end by their own timeouts;
        # nobody waits for them
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[index] for index in range(len(jobs))]
