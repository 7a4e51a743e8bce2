"""The platforms' send calls: Messenger's Send API and Zalo OA's customer-service message.

Each returns the platform's message id, raises RetryLater on passing trouble (network, 5xx, rate limits)
and SendRefused when the platform will not take this message as things are set up.
"""

from __future__ import annotations

import httpx
from django.conf import settings

from leadpool.intake.channels.facebook import TRANSIENT_CODES, graph_url
from leadpool.intake.process import RetryLater

TIMEOUT_SECONDS = 10


class SendRefused(RuntimeError):
    """The platform said no for a reason another try will not change."""


def zalo_api_url() -> str:
    return settings.LEADPOOL.get("ZALO_OA_API_URL", "https://openapi.zalo.me")


def _post(url: str, **kwargs) -> httpx.Response:
    try:
        return httpx.post(url, timeout=TIMEOUT_SECONDS, **kwargs)
    except httpx.TransportError as exc:
        raise RetryLater(f"Không kết nối được {url}: {exc}") from exc


def _json(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def send_messenger(config, user_id: str, text: str) -> str:
    """POST /me/messages with the page access token, as a reply inside the standard messaging window."""
    if not config.access_token:
        raise SendRefused("Chưa có page access token cho trang này (no page access token).")
    response = _post(
        f"{graph_url()}/me/messages",
        params={"access_token": config.access_token},
        json={"recipient": {"id": user_id}, "messaging_type": "RESPONSE", "message": {"text": text}},
    )
    data = _json(response)
    if response.status_code == 200 and data.get("message_id"):
        return str(data["message_id"])
    error = data.get("error") or {}
    message = f"Send API {response.status_code}: {error.get('message') or response.text[:200]}"
    if response.status_code >= 500 or response.status_code == 429 or error.get("code") in TRANSIENT_CODES:
        raise RetryLater(message)
    raise SendRefused(message)


def send_zalo(config, user_id: str, text: str) -> str:
    """POST /v3.0/oa/message/cs with the OA access token in the access_token header."""
    if not config.access_token:
        raise SendRefused("Chưa có access token của OA (no OA access token).")
    response = _post(
        f"{zalo_api_url()}/v3.0/oa/message/cs",
        headers={"access_token": config.access_token},
        json={"recipient": {"user_id": user_id}, "message": {"text": text}},
    )
    data = _json(response)
    if response.status_code >= 500 or response.status_code == 429:
        raise RetryLater(f"Zalo OA API {response.status_code}: {response.text[:200]}")
    # Zalo answers 200 with error 0 on success, and 200 with a negative error code when it refuses.
    if response.status_code == 200 and data.get("error") == 0 and (data.get("data") or {}).get("message_id"):
        return str(data["data"]["message_id"])
    raise SendRefused(f"Zalo OA API {response.status_code}: {data.get('error')} {data.get('message') or response.text[:200]}")


SENDERS = {"messenger": send_messenger, "zalo": send_zalo}
