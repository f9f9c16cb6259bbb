"""DHL contract simulator (standard library + the generic simulator)."""

from .server import (
    PROGRESSION,
    STEPS,
    DhlSimulator,
    problem_detail,
    request_status,
)

__all__ = [
    "PROGRESSION",
    "STEPS",
    "DhlSimulator",
    "problem_detail",
    "request_status",
]
