# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Masking of credentials and personal data before anything is logged."""

import copy
import json
import re
from urllib.parse import parse_qsl, quote

MASK = "***"

_SENSITIVE_HEADER_WORDS = (
    "key",
    "token",
    "secret",
    "password",
    "credential",
    "signature",
)
_SENSITIVE_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie"}
# Contains "key" but is no credential, and is needed to debug duplicates.
_PUBLIC_HEADERS = {"idempotency-key"}

# Keys are compared normalised: lower case, without "_", "-", " " or ".".
_CREDENTIAL_KEYS = {
    "password",
    "passwd",
    "secret",
    "clientsecret",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "apikey",
    "clientid",
    "username",
    "login",
    "authorization",
    "signature",
}
_CREDENTIAL_WORDS = ("password", "secret", "apikey", "credential")
_PERSONAL_KEYS = {
    "name",
    "fullname",
    "firstname",
    "lastname",
    "contactname",
    "contactperson",
    "attentionname",
    "companyname",
    "consigneename",
    "phone",
    "phonenumber",
    "mobile",
    "mobilephone",
    "mobilenumber",
    "telephone",
    "fax",
    "faxnumber",
    "email",
    "emailaddress",
    "mail",
    "street",
    "streetname",
    "streetnumber",
    "housenumber",
    "addressstreet",
    "addresshouse",
    "addressline",
    "addresslines",
    "streetlines",
    "signatory",
    "signedby",
    "receivedby",
    "signername",
    "taxidentificationnumber",
}
_PERSONAL_PREFIXES = ("addressline", "street", "additionaladdressinformation")
_NAME_RE = re.compile(r"name\d$")
# printable labels (DHL label.zpl2, ZPL/EPL text): the recipient's address
_DOCUMENT_KEYS = {"zpl2", "zpl", "epl", "labeldata"}
# our own webhook URLs carry the account's secret path token
_WEBHOOK_URL_RE = re.compile(r"(/logistics/webhook/[\w.-]{1,64}/)[^/\s\"'?#<>&]+")

# Bounded repetitions: linear time even on huge bodies without "@" or spaces.
_EMAIL_RE = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_PHONE_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,24}\d(?![\w])")
_NOT_PHONE_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}.*|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d+[.,]\d+"
)
_BLOB_MIN = 256
_BLOB_RE = re.compile(r"[A-Za-z0-9+/=\r\n_-]+")
_AUTH_RE = re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+")
_XML_RE = re.compile(r"<((?:[\w.-]+:)?([\w.-]+))(\s[^<>]*)?>([^<]*)</\1>")


def _norm(key):
    return re.sub(r"[_\-\s.]", "", str(key)).lower()


def is_credential_key(key):
    k = _norm(key)
    return (
        k in _CREDENTIAL_KEYS
        or k.endswith("token")
        or any(word in k for word in _CREDENTIAL_WORDS)
    )


def is_personal_key(key):
    k = _norm(key)
    return (
        k in _PERSONAL_KEYS
        or bool(_NAME_RE.match(k))
        or k.startswith(_PERSONAL_PREFIXES)
    )


def mask_value(value):
    """Mask a personal value keeping a one-character hint ("J***")."""
    if value is None or value == "":
        return value
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    text = str(value).strip()
    if not text:
        return value
    if isinstance(value, str) and text[0].isalpha():
        return text[0] + MASK
    return MASK


def mask_headers(headers):
    """Copy of ``headers`` with credential headers replaced by ``***``."""
    res = {}
    for key, value in dict(headers or {}).items():
        lower = str(key).lower()
        if lower in _PUBLIC_HEADERS:
            res[key] = value
        elif lower in _SENSITIVE_HEADERS or any(
            w in lower for w in _SENSITIVE_HEADER_WORDS
        ):
            res[key] = MASK
        else:
            res[key] = value
    return res


def _mask_webhook_urls(text):
    return _WEBHOOK_URL_RE.sub(lambda m: m.group(1) + MASK, text)


def _mask(obj):
    if isinstance(obj, dict):
        res = {}
        for key, value in obj.items():
            if is_credential_key(key) and value not in (None, ""):
                res[key] = MASK
            elif _norm(key) in _DOCUMENT_KEYS and isinstance(value, str):
                res[key] = f"<document, {len(value)} characters>"
            elif is_personal_key(key):
                res[key] = mask_value(value)
            else:
                res[key] = _mask(value)
        return res
    if isinstance(obj, list | tuple):
        return [_mask(v) for v in obj]
    if isinstance(obj, str):
        if len(obj) >= _BLOB_MIN and _BLOB_RE.fullmatch(obj):
            # labels and documents: big, useless in a log, may show an address
            return f"<base64, {len(obj)} characters>"
        if "/logistics/webhook/" in obj:
            obj = _mask_webhook_urls(obj)
        if "@" in obj:
            return _EMAIL_RE.sub(_mask_email, obj)
    return obj


def mask_payload(obj):
    """Deep copy of ``obj`` with credential and personal values masked."""
    return _mask(copy.deepcopy(obj))


def _mask_email(match):
    return match.group(0)[0] + MASK


def _mask_phone(match):
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if not 7 <= digits <= 15 or _NOT_PHONE_RE.fullmatch(text.strip("()")):
        return text
    return MASK


def _mask_free_text(text):
    text = _AUTH_RE.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _mask_webhook_urls(text)
    text = _EMAIL_RE.sub(_mask_email, text)
    return _PHONE_RE.sub(_mask_phone, text)


def _mask_xml(text):
    def element(match):
        tag, local, attrs, value = match.groups()
        if is_credential_key(local) and value:
            value = MASK
        elif is_personal_key(local):
            value = mask_value(value)
        return f"<{tag}{attrs or ''}>{value}</{tag}>"

    return _mask_free_text(_XML_RE.sub(element, text))


def _mask_form(text):
    parts = []
    for key, value in parse_qsl(text, keep_blank_values=True):
        if is_credential_key(key) and value:
            value = MASK
        elif is_personal_key(key):
            value = mask_value(value)
        parts.append(f"{quote(key, safe='')}={quote(str(value), safe='*')}")
    return "&".join(parts)


def is_json_body(text, content_type=None):
    """True when :func:`mask_text` treats ``text`` as JSON."""
    ctype = (content_type or "").lower()
    return "json" in ctype or (not ctype and text.lstrip()[:1] in ("{", "["))


def mask_text(text, content_type=None):
    """Mask a body given as text according to its content type."""
    if text is None:
        return None
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    ctype = (content_type or "").lower()
    stripped = text.lstrip()
    if is_json_body(text, content_type):
        try:
            data = json.loads(text)
        except ValueError:
            return _mask_free_text(text)
        return json.dumps(_mask(data), ensure_ascii=False)
    if "x-www-form-urlencoded" in ctype:
        return _mask_form(text)
    if "xml" in ctype or stripped.startswith("<"):
        return _mask_xml(text)
    return _mask_free_text(text)
