"""Signed unsubscribe links: no login, no expiry, bound to one customer."""

from django.core import signing
from django.urls import reverse

from leadpool.notify.mail import base_url

SALT = "leadpool.nurture.unsubscribe"


def token_for(customer_id: int, send_id: int | None = None) -> str:
    return signing.dumps({"c": customer_id, "s": send_id}, salt=SALT, compress=True)


def read(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("c"), int) else None


def url_for(customer_id: int, send_id: int | None = None) -> str:
    return base_url() + reverse("nurture:unsubscribe", args=[token_for(customer_id, send_id)])


CALLBACK_SALT = "leadpool.nurture.callback"


def callback_token(send_id: int) -> str:
    return signing.dumps(send_id, salt=CALLBACK_SALT)


def read_callback_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=CALLBACK_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
