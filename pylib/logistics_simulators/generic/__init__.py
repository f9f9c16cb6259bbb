"""Generic carrier simulator (standard library only)."""

from .server import (
    DEFAULT_SERVICES,
    OPERATIONS,
    SimulatorServer,
    build_pdf_label,
    build_png_label,
    build_zpl_label,
    make_event,
    push_events,
    sign_webhook,
    webhook_body,
)

__all__ = [
    "DEFAULT_SERVICES",
    "OPERATIONS",
    "SimulatorServer",
    "build_pdf_label",
    "build_png_label",
    "build_zpl_label",
    "make_event",
    "push_events",
    "sign_webhook",
    "webhook_body",
]
