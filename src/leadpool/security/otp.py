"""The authenticator-app (TOTP) second factor: enrolment and verification, on top of django-otp."""

import base64

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user) -> TOTPDevice:
    """The device being set up: created once, so reloading the page keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def otpauth_uri(device: TOTPDevice) -> str:
    return device.config_url


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (allowed by the CSP's img-src), drawn locally by segno."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def verify(device: TOTPDevice, token: str) -> bool:
    token = "".join(ch for ch in (token or "") if ch.isdigit())
    if not token or not device.verify_is_allowed()[0]:
        return False
    return device.verify_token(token)
