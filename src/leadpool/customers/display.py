"""How customer data is shown: phone formats and masking by role."""

import phonenumbers

from leadpool.accounts import access


def format_phone(e164: str) -> str:
    """+84912345678 → 0912 345 678 (national format for Vietnamese numbers, international otherwise)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 84 else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def mask_phone(e164: str) -> str:
    """Keep the first and last digits a person recognises, hide the middle: 0912 *** 678."""
    shown = format_phone(e164)
    digits = [i for i, ch in enumerate(shown) if ch.isdigit()]
    if len(digits) < 7:
        return "***"
    hide = set(digits[4:-3])
    return "".join("*" if i in hide else ch for i, ch in enumerate(shown))


def phone_for(user, customer, e164: str) -> str:
    return format_phone(e164) if access.may_see_full_phone(user, customer) else mask_phone(e164)


def zalo_link(e164: str) -> str:
    national = format_phone(e164).replace(" ", "")
    return f"https://zalo.me/{national}"
