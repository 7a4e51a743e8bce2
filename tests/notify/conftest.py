"""A browser's push subscription made of real keys, so the encrypted payload can be read back in tests."""

import base64
import os
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

PUSH_ENDPOINT = "https://push.example.test/wpush/v2/abc123"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def browser_keys():
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    auth = os.urandom(16)
    return SimpleNamespace(private=private, p256dh=_b64(public), auth=_b64(auth), auth_raw=auth)


@pytest.fixture
def subscribed(browser_keys):
    """subscribed(user, endpoint=PUSH_ENDPOINT) -> a PushSubscription as the browser would register it."""
    import hashlib

    from leadpool.notify.models import Preference, PushSubscription

    def _sub(user, endpoint=PUSH_ENDPOINT):
        Preference.objects.get_or_create(user=user)
        return PushSubscription.objects.create(
            user=user, endpoint=endpoint, endpoint_hash=hashlib.sha256(endpoint.encode()).hexdigest(),
            p256dh=browser_keys.p256dh, auth=browser_keys.auth,
        )

    return _sub
