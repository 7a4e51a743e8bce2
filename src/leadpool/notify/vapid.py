"""The server's VAPID identity for Web Push: generated once at set-up, kept in the database."""

import os

from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction
from py_vapid import Vapid02, b64urlencode

from .models import VapidKey


def _generate() -> tuple[str, str]:
    key = Vapid02()
    key.generate_keys()
    return key.private_pem().decode(), _public(key)


def _public(key: Vapid02) -> str:
    raw = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(raw)


def ensure_keys() -> VapidKey | None:
    """Create the key pair when none exists (idempotent). An operator may bring their own in VAPID_PRIVATE_KEY."""
    if os.environ.get("VAPID_PRIVATE_KEY"):
        return None
    row = VapidKey.objects.order_by("id").first()
    if row is not None:
        return row
    pem, public = _generate()
    try:
        with transaction.atomic():
            return VapidKey.objects.create(private_pem=pem, public_key=public)
    except IntegrityError:  # pragma: no cover - two processes at once
        return VapidKey.objects.order_by("id").first()


def signer() -> Vapid02:
    pem = os.environ.get("VAPID_PRIVATE_KEY")
    if pem:
        return Vapid02.from_pem(pem.replace("\\n", "\n").encode())
    return Vapid02.from_pem(ensure_keys().private_pem.encode())


def public_key() -> str:
    if os.environ.get("VAPID_PRIVATE_KEY"):
        return _public(signer())
    return ensure_keys().public_key


def claims() -> dict:
    return {"sub": os.environ.get("VAPID_SUBJECT", "mailto:admin@leadpool.local")}
