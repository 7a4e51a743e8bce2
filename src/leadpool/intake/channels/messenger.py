"""Facebook Messenger (click-to-Messenger / inbox ads) events arriving on the page webhook.

deliveries(entry, config) -> [(idempotency key, meta with meta["kind"] == "message")] for one webhook entry:
one inbox item per event of entry.messaging[] (a message's or postback's mid is its key, anything else a hash
of the event). handle(item) keeps the event in its conversation and makes the chat a lead when it is due.
"""

from __future__ import annotations

import hashlib
import json

from leadpool.conversations import inbound
from leadpool.conversations.models import Message, Platform
from leadpool.intake import connections
from leadpool.intake.models import ChannelConfig
from leadpool.intake.process import Malformed

from .common import from_timestamp

# Events the page is told about but that say nothing new about the person: stored, not processed.
IGNORED = {
    "delivery": "báo đã nhận tin (delivery)",
    "read": "báo đã xem tin (read)",
}


def event_key(page_id: str, event: dict) -> str:
    canonical = json.dumps([page_id, event], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "messenger:" + hashlib.sha256(canonical.encode()).hexdigest()


def deliveries(entry: dict, config) -> list[tuple[str, dict]]:
    page_id = str(entry.get("id", ""))
    out = []
    for event in entry.get("messaging") or []:
        if not isinstance(event, dict):
            continue
        meta = {"kind": "message", "page_id": page_id, "psid": str((event.get("sender") or {}).get("id") or ""),
                "event": event}
        message, postback = event.get("message"), event.get("postback")
        if isinstance(message, dict):
            key = message.get("mid")
            if message.get("is_echo"):
                # What the page itself sent (from here or from Meta's inbox): the person said nothing.
                meta["ignored"] = "tin của chính trang (echo)"
        elif isinstance(postback, dict):
            key = postback.get("mid")
        elif isinstance(event.get("referral"), dict):
            key = None
        else:
            key = None
            name = next((k for k in IGNORED if k in event), None)
            meta["ignored"] = IGNORED[name] if name else "sự kiện Messenger không có tin nhắn (no message)"
        out.append((str(key) if key else event_key(page_id, event), meta))
    return out


def _page_config(item) -> ChannelConfig | None:
    return connections.facebook_page(item.meta.get("page_id"), item.config)


def read_event(event: dict) -> dict:
    """What one messaging event says: kind, text, attachments, mid and the referral wherever Meta put it."""
    message, postback = event.get("message"), event.get("postback")
    if isinstance(message, dict):
        return {"kind": Message.Kind.MESSAGE, "text": str(message.get("text") or ""),
                "attachments": inbound.attachments_of(message), "mid": message.get("mid"),
                "referral": event.get("referral") or message.get("referral")}
    if isinstance(postback, dict):
        return {"kind": Message.Kind.POSTBACK, "text": str(postback.get("title") or postback.get("payload") or ""),
                "attachments": [], "mid": postback.get("mid"),
                "referral": event.get("referral") or postback.get("referral")}
    referral = event.get("referral") or {}
    context = referral.get("ads_context_data") or {}
    return {"kind": Message.Kind.REFERRAL, "text": str(context.get("ad_title") or referral.get("ref") or ""),
            "attachments": [], "mid": None, "referral": referral}


def handle(item) -> dict:
    if item.meta.get("ignored"):
        return {"ignored": item.meta["ignored"]}
    event = item.meta.get("event") or {}
    psid = str((event.get("sender") or {}).get("id") or "")
    if not psid:
        raise Malformed("Sự kiện Messenger thiếu sender.id (no PSID).")
    config = _page_config(item)
    if config is None:
        raise Malformed("Không tìm thấy kết nối cho trang này (no connection for this page).")
    if config.pk != getattr(item.config, "pk", None):
        item.config = config
    seen = read_event(event)
    referral = seen["referral"] if isinstance(seen["referral"], dict) else None
    recorded = inbound.record(inbound.Inbound(
        platform=Platform.MESSENGER, config=config, user_id=psid,
        at=from_timestamp(event.get("timestamp")) or item.received_at,
        kind=seen["kind"], text=seen["text"], attachments=seen["attachments"],
        platform_message_id=str(seen["mid"]) if seen["mid"] else None,
        referral=referral, inbox_item=item,
    ))
    result = {"conversation_id": recorded.conversation.pk, "message_id": recorded.message.pk}
    if not recorded.created:
        return {**result, "duplicate": True}
    if seen["kind"] == Message.Kind.REFERRAL:
        return result
    context = (recorded.conversation.referral or {}).get("ads_context_data") or {}
    lead = inbound.capture_if_due(item, recorded, answers={
        "messenger_psid": psid,
        "ad_title": context.get("ad_title"),
        "ref": (recorded.conversation.referral or {}).get("ref"),
    })
    return {**result, **(lead or {})}
