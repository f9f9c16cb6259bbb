# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Registry of adapter classes keyed by ``carrier_code``."""

from .base import CarrierAdapter

_REGISTRY = {}


def register_adapter(cls):
    """Class decorator: make ``cls`` available under ``cls.carrier_code``."""
    if not (isinstance(cls, type) and issubclass(cls, CarrierAdapter)):
        raise TypeError(f"{cls!r} is not a CarrierAdapter subclass")
    code = getattr(cls, "carrier_code", None)
    if not code or not isinstance(code, str):
        raise ValueError(f"{cls.__qualname__} has no carrier_code")
    current = _REGISTRY.get(code)
    if (
        current is not None
        and current is not cls
        and (
            (current.__module__, current.__qualname__)
            != (cls.__module__, cls.__qualname__)
        )
    ):  # the same class imported again (module reload) simply replaces itself
        raise ValueError(
            f"carrier_code {code!r} is already registered by "
            f"{current.__module__}.{current.__qualname__}"
        )
    _REGISTRY[code] = cls
    return cls


def unregister_adapter(code):
    """Remove an adapter (tests); returns the class or None."""
    return _REGISTRY.pop(code, None)


def get_adapter_class(code):
    """The adapter class registered for ``code``; KeyError when unknown."""
    try:
        return _REGISTRY[code]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(
            f"No carrier adapter is registered for carrier code {code!r} "
            f"(registered: {known}). Is the carrier's addon installed?"
        ) from None


def registered_codes():
    """Sorted list of registered carrier codes."""
    return sorted(_REGISTRY)
