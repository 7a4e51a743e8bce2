"""Zalo Notification Service (ZNS): an approved template sent to a phone number.

Request (documented): POST https://business.openapi.zalo.me/message/template
    header access_token: <OA access token>, JSON {"phone": "84912345678", "template_id": "...",
    "template_data": {"<param>": "<value>", ...}, "tracking_id": "<our id>"}
Response: {"error": 0, "message": "Success", "data": {"msg_id": "...", "sent_time": "...", "quota": {...}}};
    a refusal keeps "error" negative with a "message" (invalid token, phone without Zalo, template not approved...).
Delivery: the OA webhook event "user_received_message" carries message.msg_id and message.tracking_id
    (signed with X-ZEvent-Signature); see views.zalo_callback.
"""

import httpx

from .. import config
from ..content import Content
from .base import Result, national_digits


class ZnsProvider:
    name = "zalo-zns"

    def __init__(self, settings: dict | None = None) -> None:
        self.settings = settings if settings is not None else config.provider_settings("ZNS")

    def payload(self, to: str, content: Content) -> dict:
        return {
            "phone": national_digits(to),
            "template_id": content.template_id,
            "template_data": content.template_data,
            "tracking_id": content.tracking_id,
        }

    def send(self, to: str, content: Content) -> Result:
        base = str(self.settings.get("BASE_URL") or config.ZNS_BASE_URL).rstrip("/")
        headers = {"access_token": str(self.settings.get("ACCESS_TOKEN", "")), "Content-Type": "application/json"}
        try:
            response = httpx.post(f"{base}/message/template", json=self.payload(to, content), headers=headers, timeout=15)
        except httpx.TransportError as exc:
            return Result.failed(f"Zalo ZNS: {type(exc).__name__}", retryable=True)
        if response.status_code >= 500 or response.status_code == 429:
            return Result.failed(f"Zalo ZNS HTTP {response.status_code}", retryable=True)
        try:
            data = response.json()
        except ValueError:
            return Result.failed(f"Zalo ZNS HTTP {response.status_code}: không đọc được câu trả lời", retryable=True)
        if data.get("error") == 0:
            return Result.sent(str((data.get("data") or {}).get("msg_id", "")))
        # A refusal in the body (bad token, no Zalo account, unapproved template) will not pass by waiting.
        return Result.failed(f"Zalo ZNS {data.get('error')}: {data.get('message', '')}", retryable=False)
