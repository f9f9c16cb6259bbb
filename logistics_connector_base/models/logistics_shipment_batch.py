# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dispatch in batches: one job sends several shipments of one account.

A click on many delivery orders (a list, a batch transfer) queues one job per
``logistics.dispatch_batch_size`` shipments of an account instead of one job
per shipment: the queue's fixed cost per job (the runner, an HTTP request to
a worker, two commits) is paid once per batch. Each shipment in a batch is
sent exactly as its own job would send it (:meth:`_dispatch`: ledger, one
carrier call, attempts counted on the shipment), on a savepoint of its own,
so one shipment's fate never changes another's:

- one that must wait (carrier unavailable, breaker open, another worker
  sending it) gets a job of its own at the time it names;
- one that fails in an unforeseen way gets a job of its own at once, which
  fails visibly there (its own entry in Jobs, as without batches);
- a concurrency error re-runs the whole batch: what was already created at
  the carrier is replayed from the ledger, never sent twice.
"""

import contextlib
import logging
from collections import defaultdict

import psycopg2

from odoo import _, api, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..params import number_param
from .logistics_shipment import OUTBOUND_CHANNEL

_logger = logging.getLogger(__name__)

# errors of the transaction, not of one shipment (serialization failure and
# deadlock are OperationalErrors)
_TRANSACTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)

# the transaction's collector of shipments to queue (see _collect_dispatches):
# kept in the cursor's precommit data, which a caller cannot forge (a context
# key can be set by any RPC caller) and which is cleared at commit/rollback
COLLECT_KEY = "logistics.dispatch.collect"
DEFAULT_BATCH_SIZE = 10


class LogisticsShipmentBatch(models.Model):
    _inherit = "logistics.shipment"

    @contextlib.contextmanager
    def _collect_dispatches(self):
        """Within it, dispatch jobs are queued together when it ends, in
        batches per account (nested: the outermost one queues)."""
        data = self.env.cr.precommit.data
        if COLLECT_KEY in data:
            yield
            return
        data[COLLECT_KEY] = []
        try:
            yield
        finally:
            collected = data.pop(COLLECT_KEY, [])
        # a shipment rolled back by a savepoint of the caller is gone; the
        # caller was checked, the suite queues its jobs itself (as sudo, like
        # the one-shipment path of _create_for)
        shipments = self.sudo().browse(list(dict.fromkeys(collected)))
        shipments.exists()._queue_dispatch_jobs()

    def _collect_for_batch(self):
        """Add ``self`` to the open collector; False when there is none."""
        collected = self.env.cr.precommit.data.get(COLLECT_KEY)
        if collected is None:
            return False
        collected.extend(self.ids)
        return True

    @api.model
    def _dispatch_batch_size(self):
        return number_param(
            self.env,
            "logistics.dispatch_batch_size",
            DEFAULT_BATCH_SIZE,
            minimum=1,
            cast=int,
        )

    def _queue_dispatch_jobs(self):
        """Queue the dispatch of ``self``: one job per shipment, or per
        batch of up to ``logistics.dispatch_batch_size`` shipments of one
        account (a batch job for two or more)."""
        size = self._dispatch_batch_size()
        by_account = defaultdict(list)
        for shipment in self:
            by_account[shipment.account_id.id].append(shipment.id)
        for ids in by_account.values():
            shipments = self.browse(ids)
            for start in range(0, len(shipments), size):
                chunk = shipments[start : start + size]
                if len(chunk) == 1:
                    chunk._queue_dispatch_job()
                    continue
                chunk.with_delay(
                    channel=f"{OUTBOUND_CHANNEL}.{chunk[0].carrier_code}",
                    description=_(
                        "Send %(count)s delivery orders to %(carrier)s",
                        count=len(chunk),
                        carrier=chunk[0].carrier_id.name,
                    ),
                    max_retries=0,  # each shipment counts its own attempts
                )._dispatch_batch()

    def _dispatch_batch(self):
        """Queue job: send each shipment of ``self`` as its own job would."""
        lines = []
        for shipment in self.exists():
            try:
                with self.env.cr.savepoint():
                    outcome = shipment._dispatch()
            except _TRANSACTION_ERRORS:
                # a concurrency error: the whole batch again, on a fresh
                # snapshot (what was sent is replayed from the ledger); a lost
                # connection: nothing more can be done on this transaction
                raise
            except RetryableJobError as err:
                shipment._queue_dispatch_job(eta=int(err.seconds or 10))
                outcome = _("%s (its own job now)", err)
            except Exception as err:  # isolated, and handed on to its own job
                _logger.warning(
                    "Dispatch of %s failed in a batch; it gets a job of its own",
                    shipment.name,
                    exc_info=True,
                )
                shipment._queue_dispatch_job()
                outcome = _("failed (%s): queued as its own job", err)
            lines.append(f"{shipment.name}: {outcome}")
        return "\n".join(lines)
