"""E-mail notifications through Django's mail (console or SMTP per settings; locmem in tests)."""

import os

from django.conf import settings
from django.core.mail import send_mail


def base_url() -> str:
    return (settings.LEADPOOL.get("BASE_URL") or os.environ.get("LEADPOOL_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")


def send(address: str, *, subject: str, body: str, url: str = "") -> tuple[str, str]:
    link = f"\n\n{base_url()}{url}" if url.startswith("/") else (f"\n\n{url}" if url else "")
    try:
        send_mail(f"[Leadpool] {subject}", f"{body}{link}", None, [address], fail_silently=False)
    except Exception as exc:
        return "failed", f"{type(exc).__name__}: {exc}"[:300]
    return "sent", ""
