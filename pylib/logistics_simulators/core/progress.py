# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Auto-advance: a background loop moves shipments on, one step per period.

The generic and UPS simulators share the suite's progression ``PROGRESS``; a
shipment may carry a ``plan`` (the generic simulator's demo storylines: a
list of ``(status, seconds to backdate)``) followed instead. DHL overrides
:meth:`AutoAdvance._advance_due` with its own progression. Each simulator's
``advance(number, status, occurred_at=...)`` adds the event and sets the
shipment's ``next_advance_at``.
"""

import sys
import time

from .clock import now_iso

# Order in which auto-advance moves a shipment on; also the progress rank.
PROGRESS = ("label_created", "picked_up", "in_transit", "out_for_delivery", "delivered")


class AutoAdvance:
    """Mixin of :class:`~logistics_simulators.core.server.BaseSimulator`."""

    def _advance_loop(self):
        while not self._advance_stop.wait(0.2):
            if self.auto_advance:
                self._advance_due(time.time())

    def _advance_due(self, now):
        """Move every shipment whose auto-advance time has come one step on."""
        with self._lock:
            due = [
                sid
                for sid, s in self._shipments.items()
                if s.get("next_advance_at") and s["next_advance_at"] <= now
            ]
        for sid in due:
            with self._lock:
                shipment = self._shipments.get(sid)
                status = shipment and shipment["status"]
                if status not in PROGRESS[:-1]:
                    if shipment:
                        shipment["next_advance_at"] = None
                    continue
            try:
                plan = shipment.get("plan")
                if plan is None:
                    self.advance(sid, PROGRESS[PROGRESS.index(status) + 1])
                    continue
                step, backdate = plan.pop(0)
                self.advance(sid, step, occurred_at=now_iso(backdate))
                with self._lock:
                    shipment["next_advance_at"] = (
                        time.time() + float(self.auto_advance) if plan else None
                    )
            except Exception as exc:  # keep the loop alive
                sys.stderr.write(f"simulator auto-advance failed: {exc}\n")
