# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outgoing HTTP of the simulators: webhook pushes to the suite (standard
library only). Each returns ``(status, text)``, status 0 when the receiver
is unreachable, so a simulator can record a failed push instead of raising."""

import http.client
import json
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

MAX_PUSHES = 1000  # pushes a simulator remembers (newest kept)


def post_webhook(url, body, headers, *, timeout=10.0):
    """POST ``body`` to ``url``; ``(status_code, response_text)``, 0 if unreachable."""
    req = Request(url, data=body, method="POST", headers=headers)
    try:
        with urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (URLError, OSError) as exc:
        return 0, str(exc)


def post_json(url, payload, headers, timeout=10.0):
    """POST ``payload`` as JSON; returns ``(status, text)``, 0 when unreachable."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    body = json.dumps(payload, separators=(",", ":"))
    try:
        connection.request(
            "POST",
            target,
            body=body.encode("utf-8"),
            headers={"Content-Type": "application/json", **headers},
        )
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    except OSError as exc:
        return 0, str(exc)
    finally:
        connection.close()
