"""The pure rules of automatic care: who may receive on which channel, when, and what a failure means."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHANNELS = ("email", "sms", "zns")
QUIET_CHANNELS = ("sms", "zns")  # a phone buzzing at night annoys; an e-mail waits in the inbox
FIRST_RETRY_MINUTES = 5


@dataclass(frozen=True)
class Consent:
    """One consent recorded with a lead: when, and the channel words it was recorded with."""

    at: datetime | None
    channel: str = ""


def consent_channels(consent: Consent) -> set[str]:
    """The channels one consent covers. A consent recorded with nurture channel names ("sms", "email,zns")
    covers only those; one recorded with a capture channel (facebook, zalo, website...) or none covers all."""
    if consent.at is None:
        return set()
    words = {w for w in re.split(r"[\s,;/|]+", consent.channel.lower()) if w}
    named = words & {"email", "e-mail", "sms", "zns"}
    if not named:
        return set(CHANNELS)
    return {"email" if w == "e-mail" else w for w in named}


def may_receive(channel: str, consents: list[Consent], *, withdrawn: bool, erased: bool, merged: bool) -> bool:
    if withdrawn or erased or merged:
        return False
    return any(channel in consent_channels(c) for c in consents)


def _local(at: datetime) -> datetime:
    return at.astimezone(VN)


def quiet_until(at: datetime, channel: str, start: int, end: int) -> datetime | None:
    """If `at` falls in the quiet hours of a channel, the morning it may go out; None when it may go now."""
    if channel not in QUIET_CHANNELS:
        return None
    local = _local(at)
    hour = local.hour
    if start > end:  # the usual case: the night spans midnight (21 → 8)
        quiet = hour >= start or hour < end
    else:
        quiet = start <= hour < end
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end), VN)


def next_day_opening(at: datetime, end: int) -> datetime:
    """A full cap waits for the next local day, at the hour the quiet hours end."""
    return datetime.combine(_local(at).date() + timedelta(days=1), time(end), VN)


def local_day(at: datetime):
    return _local(at).date()


def retry_at(now: datetime, attempts: int) -> datetime:
    """5, 10, 20, 40... minutes after the failed try."""
    return now + timedelta(minutes=FIRST_RETRY_MINUTES * 2 ** max(0, attempts - 1))


def should_retry(retryable: bool, attempts: int, max_attempts: int) -> bool:
    return retryable and attempts < max_attempts
