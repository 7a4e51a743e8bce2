"""Nurture settings: settings.LEADPOOL["NURTURE"] first, then LEADPOOL_NURTURE_* environment variables."""

import os

from django.conf import settings

DEFAULT_CAPS = {"email": 2000, "sms": 500, "zns": 500}
ESMS_BASE_URL = "https://rest.esms.vn/MainService.svc/json/"
ZNS_BASE_URL = "https://business.openapi.zalo.me"


def _section() -> dict:
    return settings.LEADPOOL.get("NURTURE", {}) or {}


def value(key: str, default=None):
    section = _section()
    if key in section:
        return section[key]
    return os.environ.get(f"LEADPOOL_NURTURE_{key}", default)


def daily_cap(channel: str) -> int:
    caps = _section().get("DAILY_CAPS", {})
    if channel in caps:
        return int(caps[channel])
    return int(os.environ.get(f"LEADPOOL_NURTURE_CAP_{channel.upper()}", DEFAULT_CAPS[channel]))


def quiet_hours() -> tuple[int, int]:
    """(start, end) local hours between which no SMS or ZNS goes out: 21:00 to 08:00 unless configured."""
    return int(value("QUIET_START", 21)), int(value("QUIET_END", 8))


def max_attempts() -> int:
    return int(value("MAX_ATTEMPTS", 5))


def provider_settings(name: str) -> dict:
    """A provider's block (base URL, keys): LEADPOOL["NURTURE"][name], else LEADPOOL_NURTURE_<NAME>_<KEY>."""
    block = dict(_section().get(name, {}))
    prefix = f"LEADPOOL_NURTURE_{name}_"
    for key, val in os.environ.items():
        if key.startswith(prefix):
            block.setdefault(key[len(prefix):], val)
    return block


def email_from() -> str | None:
    return value("EMAIL_FROM") or getattr(settings, "DEFAULT_FROM_EMAIL", None)
