"""Messages arriving from a platform: kept in their conversation once, and the chat turned into a lead when due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from leadpool.customers.display import mask_phone
from leadpool.customers.models import CapturePoint
from leadpool.customers.normalize import normalize_phone
from leadpool.intake.phones_in_text import find_phones

from .models import Conversation, Message
from .rules import lead_reason


@dataclass
class Inbound:
    """One event of a chat, as a channel read it."""

    platform: str
    config: object
    user_id: str
    at: datetime
    direction: str = Message.Direction.IN
    kind: str = Message.Kind.MESSAGE
    text: str = ""
    attachments: list = field(default_factory=list)
    platform_message_id: str | None = None
    # Meta's referral object (click-to-Messenger ad, m.me link) when the event carries one.
    referral: dict | None = None
    inbox_item: object | None = None


@dataclass
class Recorded:
    conversation: Conversation
    message: Message
    created: bool
    first_message: bool


def _counts_as_message(kind: str) -> bool:
    return kind in (Message.Kind.MESSAGE, Message.Kind.POSTBACK)


def record(event: Inbound) -> Recorded:
    """Keep one event in its conversation. A message id seen before changes nothing."""
    conversation, _ = Conversation.objects.get_or_create(
        platform=event.platform, config=event.config, user_id=event.user_id, defaults={"created_at": event.at}
    )
    # One event of a person at a time: the lead decision below reads what the previous one wrote.
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if event.platform_message_id:
        known = Message.objects.filter(platform=event.platform, platform_message_id=event.platform_message_id).first()
        if known is not None:
            return Recorded(conversation, known, created=False, first_message=False)
    inbound = event.direction == Message.Direction.IN
    first = inbound and _counts_as_message(event.kind) and not conversation.messages.filter(
        direction=Message.Direction.IN, kind__in=[Message.Kind.MESSAGE, Message.Kind.POSTBACK]
    ).exists()
    message = Message.objects.create(
        conversation=conversation,
        platform=event.platform,
        direction=event.direction,
        kind=event.kind,
        text=event.text,
        attachments=event.attachments,
        platform_message_id=event.platform_message_id or None,
        state=Message.State.RECEIVED if inbound else Message.State.SENT,
        at=event.at,
        sent_at=None if inbound else event.at,
        inbox_item=event.inbox_item,
    )
    updates = {"last_message_at": max(filter(None, [conversation.last_message_at, event.at]))}
    if inbound:
        updates["last_inbound_at"] = max(filter(None, [conversation.last_inbound_at, event.at]))
    referral = event.referral or {}
    if str(referral.get("source", "")).upper() == "ADS" and referral.get("ad_id"):
        updates.update(referral_ad_id=str(referral["ad_id"])[:64], referral=referral)
    for name, value in updates.items():
        setattr(conversation, name, value)
    conversation.save(update_fields=list(updates))
    return Recorded(conversation, message, created=True, first_message=first)


def _new_phones(conversation: Conversation, phones: list[str]) -> list[str]:
    """The numbers (as written) not yet on the conversation's customer, one per person."""
    known = set(conversation.customer.phones.values_list("e164", flat=True)) if conversation.customer_id else set()
    out, seen = [], set()
    for raw in phones:
        result = normalize_phone(raw)
        key = result.e164 if result.ok else raw
        if key in known or key in seen:
            continue
        seen.add(key)
        out.append(raw)
    return out


def masked(text: str, phones: list[str]) -> str:
    """The message with its numbers masked: leads' notes are read by marketing, who see no full numbers."""
    for raw in phones:
        result = normalize_phone(raw)
        text = text.replace(raw, mask_phone(result.e164) if result.ok else "***")
    return text


def capture_if_due(item, recorded: Recorded, *, answers: dict, name: str = "") -> dict | None:
    """Turn the chat into a lead (through the intake pipeline: dedup, assignment, notification) when it is due."""
    from leadpool.intake.capture import capture
    from leadpool.intake.channels.common import answer, lead_input

    conversation, message = recorded.conversation, recorded.message
    config = conversation.config
    written = find_phones(message.text)
    phones = _new_phones(conversation, written)
    reason = lead_reason(
        has_customer=conversation.customer_id is not None,
        first_message=recorded.first_message,
        lead_on_first_message=bool(config.lead_on_first_message),
        new_phones=phones,
    )
    if reason is None:
        return None
    ad_id = conversation.referral_ad_id
    data = lead_input(
        item,
        name=name,
        phones=phones,
        answers={k: str(v) for k, v in answers.items() if v not in (None, "")},
        note=masked(message.text, written),
        external_id=message.platform_message_id or f"{conversation.platform}:{conversation.user_id}",
        capture_point=CapturePoint.INBOX_ADS if ad_id else CapturePoint.MESSAGE,
        ad_id=ad_id,
        campaign=str((config.ad_campaigns or {}).get(ad_id, "")) if ad_id else "",
        received_at=message.at,
        # A chat already on a profile adds to it, whatever number it gives now.
        match_customer=conversation.customer,
    )
    result = capture(data)
    if conversation.customer_id != result.customer.pk:
        conversation.customer = result.customer
        conversation.save(update_fields=["customer"])
    return {**answer(result), "why": reason}


def link(conversation: Conversation, customer_id: int | None) -> None:
    """The chat belongs to this profile from now on (a channel that makes its own leads, such as Zalo)."""
    if customer_id is not None and conversation.customer_id != customer_id:
        conversation.customer_id = customer_id
        conversation.save(update_fields=["customer"])


def attachments_of(message: dict) -> list[dict]:
    """[{type, url?}] of a message's attachments (Messenger and Zalo both send {type, payload: {url}})."""
    out = []
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            payload = attachment.get("payload") or {}
            row = {"type": str(attachment.get("type", ""))}
            if isinstance(payload, dict) and payload.get("url"):
                row["url"] = str(payload["url"])
            out.append(row)
    return out
