"""Signing a delivery: HMAC-SHA256 of the exact body with the subscriber's secret, GitHub style."""

import hashlib
import hmac

HEADER = "X-Leadpool-Signature"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_valid(secret: str, body: bytes, header: str) -> bool:
    """What a subscriber does on its side: recompute and compare in constant time."""
    return hmac.compare_digest(signature(secret, body), header or "")
