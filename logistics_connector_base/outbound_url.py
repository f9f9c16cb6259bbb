# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which outbound URLs the suite may call (carrier APIs, event subscribers).

A Logistics Administrator is not a system administrator: the URLs they enter
must not turn the server into a proxy towards its own network. Outside the
sandbox a URL must be https and its host must resolve to public addresses
only. Private, loopback and link-local addresses are accepted in the sandbox
(the bundled simulators run on 127.0.0.1) or for hosts a system administrator
lists in the system parameter ``logistics.allowed_private_hosts``
(comma-separated host names or addresses).
"""

import ipaddress
import socket
from urllib.parse import urlparse

from odoo import _
from odoo.exceptions import ValidationError

ALLOWED_HOSTS_PARAM = "logistics.allowed_private_hosts"


def _host_addresses(host):
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _is_internal(address):
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def check_outbound_url(env, url, sandbox, what):
    """Raise a ValidationError when ``url`` may not be called; None otherwise.

    ``sandbox``: the account (or subscription) is in sandbox mode.
    ``what``: the field's label, for the message.
    """
    context = env.context  # noqa: F841 (language of the messages below)
    parsed = urlparse(url or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValidationError(
            _("%(what)s: %(url)r is not an http(s) URL.", what=what, url=url or "")
        )
    host = parsed.hostname.lower()
    allowed = {
        h.strip().lower()
        for h in (
            env["ir.config_parameter"].sudo().get_param(ALLOWED_HOSTS_PARAM) or ""
        ).split(",")
        if h.strip()
    }
    if sandbox or host in allowed:
        return None
    if parsed.scheme != "https":
        raise ValidationError(
            _(
                "%(what)s: %(url)s must use https outside the sandbox.",
                what=what,
                url=url,
            )
        )
    internal = [str(a) for a in _host_addresses(host) if _is_internal(a)]
    if internal:
        raise ValidationError(
            _(
                "%(what)s: %(host)s is a private, loopback or link-local address "
                "(%(addresses)s). Use the sandbox mode for a local simulator, or ask "
                "a system administrator to allow this host in the system parameter "
                "%(param)s.",
                what=what,
                host=host,
                addresses=", ".join(internal),
                param=ALLOWED_HOSTS_PARAM,
            )
        )
    return None
