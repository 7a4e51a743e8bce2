"""Zalo Official Account webhook: the OA's signature checked; a shared phone or a message becomes a lead.

Zalo signs each event with X-ZEvent-Signature: mac=sha256(app_id + raw body + timestamp + OA secret key).
The chat itself (the person's messages and the OA's own, oa_send_*) is kept as a conversation on the
customer page, where the owner answers through the OA API.
"""

from __future__ import annotations

import hashlib

from leadpool.conversations import inbound
from leadpool.conversations.models import Message, Platform
from leadpool.customers.models import CapturePoint, Lead
from leadpool.intake.phones_in_text import find_phones
from leadpool.intake.process import Malformed

from .common import capture_answer, from_timestamp, item_payload, lead_input, same

LEAD_EVENTS = {"user_submit_info", "user_send_text", "user_send_image", "user_send_link", "user_send_sticker",
               "user_send_file", "user_send_location", "user_send_audio", "user_send_video", "user_send_gif"}
# What the OA itself sent (from the OA admin page, another tool or our own replies): kept in the thread.
# Zalo allows one webhook per app: the delivery report of an automatic ZNS care message arrives here too.
ZNS_DELIVERED = "user_received_message"
OA_EVENTS = {"oa_send_text", "oa_send_image", "oa_send_gif", "oa_send_list", "oa_send_file", "oa_send_sticker"}


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    return hashlib.sha256(app_id.encode() + body + str(timestamp).encode() + secret.encode()).hexdigest()


def verify(request, config, body: bytes, payload: dict | None) -> str | None:
    if not config.secret:
        return "Chưa cấu hình OA secret key (no OA secret configured)."
    header = request.headers.get("X-ZEvent-Signature", "")
    given = header.split("=", 1)[1] if header.startswith("mac=") else header
    if payload is None:
        return None if given else "Thiếu chữ ký X-ZEvent-Signature (missing signature)."
    app_id = config.app_id or str(payload.get("app_id", ""))
    if not same(signature(app_id, body, str(payload.get("timestamp", "")), config.secret), given):
        return "Chữ ký X-ZEvent-Signature không đúng (bad signature)."
    return None


def deliveries(request, config, payload: dict, body: bytes) -> list[tuple[str, dict]]:
    event = payload.get("event_name")
    if not event:
        raise Malformed("Thiếu event_name (missing event_name).")
    sender = str((payload.get("sender") or {}).get("id") or payload.get("user_id_by_app") or "")
    message_id = str((payload.get("message") or {}).get("msg_id") or "")
    key = f"msg:{message_id}" if message_id else f"{event}:{sender}:{payload.get('timestamp', '')}"
    meta = {"event": event, "sender": sender}
    if event in OA_EVENTS:
        meta["user"] = str((payload.get("recipient") or {}).get("id") or "")
    elif event == ZNS_DELIVERED:
        meta["kind"] = "zns_delivery"
    elif event not in LEAD_EVENTS:
        meta["ignored"] = f"sự kiện {event} không tạo lead (event does not create a lead)"
    return [(key, meta)]


def _chat_event(item, payload: dict, *, user_id: str, direction: str, text: str) -> inbound.Recorded | None:
    """Keep the event in the person's conversation with this OA (nothing when the connection is gone)."""
    if item.config is None or not user_id:
        return None
    message = payload.get("message") or {}
    msg_id = str(message.get("msg_id") or "")
    return inbound.record(inbound.Inbound(
        platform=Platform.ZALO, config=item.config, user_id=user_id, direction=direction,
        at=from_timestamp(payload.get("timestamp")) or item.received_at, text=text,
        attachments=inbound.attachments_of(message), platform_message_id=msg_id or None, inbox_item=item,
    ))


def handle(item) -> dict:
    if item.meta.get("ignored"):
        return {"ignored": item.meta["ignored"]}
    payload = item_payload(item)
    event = payload.get("event_name")
    if item.meta.get("kind") == "zns_delivery":
        from leadpool.nurture.sending import zns_received

        return {"zns_delivered": zns_received(payload)}
    if event in OA_EVENTS:
        recorded = _chat_event(item, payload, user_id=item.meta.get("user", ""), direction=Message.Direction.OUT,
                               text=str((payload.get("message") or {}).get("text") or ""))
        return {"conversation_id": recorded.conversation.pk if recorded else None, "oa_message": True}
    sender = str((payload.get("sender") or {}).get("id") or "")
    info = payload.get("info") or {}
    message = payload.get("message") or {}
    text = str(message.get("text") or "")
    phones = [str(info["phone"])] if info.get("phone") else find_phones(text)
    answers = {k: str(v) for k, v in info.items() if k not in ("name", "phone")}
    # Marketing reads leads' notes and answers but never full numbers: the numbers go to the profile's phones.
    shown = inbound.masked(text, phones) if text else ""
    if text:
        answers["message"] = shown
    answers["zalo_user_id"] = sender
    known = (
        Lead.objects.filter(channel="zalo", external_id=sender).select_related("customer").order_by("-received_at").first()
        if sender
        else None
    )
    data = lead_input(
        item,
        name=str(info.get("name") or ""),
        phones=phones,
        answers=answers,
        note=shown,
        # The Zalo user id is how this person is known on Zalo: a later message without a phone finds them.
        external_id=sender,
        capture_point=CapturePoint.LEAD_FORM if event == "user_submit_info" else CapturePoint.MESSAGE,
        received_at=from_timestamp(payload.get("timestamp")) or item.received_at,
        match_customer=known.customer if known else None,
    )
    shared = "; ".join(f"{k}: {v}" for k, v in info.items() if v)
    recorded = _chat_event(item, payload, user_id=sender, direction=Message.Direction.IN, text=text or shared)
    if not data.phones and data.match_customer is None:
        # A first message with no number still becomes a lead: the profile is reachable on Zalo.
        data.emails = []
        data.match_customer = None
        result = _new_from_message(data)
    else:
        result = capture_answer(data)
    if recorded is not None:
        inbound.link(recorded.conversation, result["customer_id"])
        result["conversation_id"] = recorded.conversation.pk
    return result


def _new_from_message(data) -> dict:
    from leadpool.intake.capture import capture

    from .common import answer

    return answer(capture(data))
