"""The one small interface every sending adapter implements."""

from dataclasses import dataclass
from typing import Protocol

import phonenumbers

from ..content import Content


@dataclass(frozen=True)
class Result:
    """ok with the provider's message id, or an error saying whether trying again later may succeed."""

    ok: bool
    message_id: str = ""
    error: str = ""
    retryable: bool = False

    @classmethod
    def sent(cls, message_id: str = "") -> "Result":
        return cls(True, message_id=message_id)

    @classmethod
    def failed(cls, error: str, *, retryable: bool) -> "Result":
        return cls(False, error=error[:300], retryable=retryable)


class Provider(Protocol):
    name: str

    def send(self, to: str, content: Content) -> Result: ...


def national_digits(e164: str) -> str:
    """+84912345678 → 84912345678 (Zalo's format)."""
    number = phonenumbers.parse(e164, "VN")
    return f"{number.country_code}{number.national_number}"


def local_phone(e164: str) -> str:
    """+84912345678 → 0912345678 (the way Vietnamese SMS gateways take a number)."""
    number = phonenumbers.parse(e164, "VN")
    if number.country_code == 84:
        return f"0{number.national_number}"
    return f"{number.country_code}{number.national_number}"
