"""The optional Telegram bot: one sendMessage call per notification when a bot token is configured."""

import os

import httpx
from django.conf import settings

API = "https://api.telegram.org"


def token() -> str:
    return settings.LEADPOOL.get("TELEGRAM_BOT_TOKEN") or os.environ.get("TELEGRAM_BOT_TOKEN", "")


def configured() -> bool:
    return bool(token())


def send(chat_id: str, text: str, *, timeout: float = 10) -> tuple[str, str]:
    """Returns (state, error). Telegram answers {"ok": true, ...} or {"ok": false, "description": ...}."""
    try:
        response = httpx.post(
            f"{API}/bot{token()}/sendMessage",
            json={"chat_id": chat_id, "text": text, "disable_web_page_preview": True},
            timeout=timeout,
        )
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return "failed", f"{type(exc).__name__}: {exc}"[:300]
    if data.get("ok"):
        return "sent", ""
    # 403: the person blocked the bot or never started it; retrying will not help.
    state = "gone" if data.get("error_code") in (400, 403) else "failed"
    return state, str(data.get("description", "Telegram error"))[:300]
