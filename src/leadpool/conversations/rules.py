"""Pure rules of conversations: the platforms' reply windows, and when a chat becomes a lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Messenger: the standard messaging window is 24 hours after the person's last message.
# Zalo OA: customer-service ("tư vấn") messages may go out within 7 days of the person's last
# interaction (the first 48 hours free of charge, the rest charged by Zalo); after that only
# ZNS/template messages reach them.
REPLY_WINDOWS = {"messenger": timedelta(hours=24), "zalo": timedelta(days=7)}


@dataclass(frozen=True)
class Window:
    open: bool
    closes_at: datetime | None


def reply_window(platform: str, last_inbound_at: datetime | None, now: datetime) -> Window:
    """Whether a reply may be sent now; a person who never wrote cannot be answered."""
    if last_inbound_at is None:
        return Window(False, None)
    closes_at = last_inbound_at + REPLY_WINDOWS[platform]
    return Window(now < closes_at, closes_at)


def lead_reason(*, has_customer: bool, first_message: bool, lead_on_first_message: bool,
                new_phones: list[str]) -> str | None:
    """Why this inbound message makes a lead now, or None.

    A number nobody has on the profile yet always does (a second number joins the same customer); a chat
    with no number does only at its first message, and only where the page is set so.
    """
    if new_phones:
        return "phone"
    if not has_customer and first_message and lead_on_first_message:
        return "first_message"
    return None
