"""UPS contract simulator (standard library only; see ``server.py``)."""

from .server import (
    OPERATIONS,
    STEPS,
    UpsSimulatorServer,
    build_gif_label,
    push_track_alert,
    track_alert_payload,
    tracking_number,
)

__all__ = [
    "OPERATIONS",
    "STEPS",
    "UpsSimulatorServer",
    "build_gif_label",
    "push_track_alert",
    "track_alert_payload",
    "tracking_number",
]
