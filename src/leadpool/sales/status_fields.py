"""What a move into a status asks for: the field catalogue and the parsing of what a salesperson types (pure)."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # datetime, date, text, textarea, money
    help: str = ""


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in [
        FieldSpec("next_follow_up_at", _("Ngày giờ chăm sóc tiếp theo"), "datetime", _("Kế hoạch chăm sóc: lần liên hệ tới")),
        FieldSpec("appointment_at", _("Ngày giờ hẹn gặp"), "datetime"),
        FieldSpec("appointment_place", _("Địa điểm hẹn"), "text", _("Nhà mẫu, văn phòng, quán cà phê…")),
        FieldSpec("amount", _("Số tiền (VND)"), "money", _("Ví dụ: 50.000.000 hoặc 50 triệu")),
        FieldSpec("deal_date", _("Ngày giao dịch"), "date"),
        FieldSpec("reason", _("Lý do"), "textarea"),
    ]
}


def field_choices() -> list[tuple[str, str]]:
    return [(spec.name, spec.label) for spec in FIELDS.values()]


def specs_for(required: list[str]) -> list[FieldSpec]:
    """The specs of the fields a status requires, in the catalogue's order; unknown names become text fields."""
    known = [FIELDS[name] for name in FIELDS if name in required]
    unknown = [FieldSpec(name, name.replace("_", " ").capitalize(), "text") for name in required if name not in FIELDS]
    return known + unknown


def allowed_targets(current_key: str, allowed_next: list[str], all_keys: list[str]) -> list[str]:
    """Status keys one may move to from `current_key` (an empty `allowed_next` means any other status)."""
    if allowed_next:
        return [key for key in all_keys if key in allowed_next and key != current_key]
    return [key for key in all_keys if key != current_key]


def missing_fields(required: list[str], details: dict) -> list[str]:
    return [name for name in required if details.get(name) in (None, "", [])]


_MONEY_WORDS = [
    (re.compile(r"^([\d.,]+)\s*(tỷ|ty|tỉ|ti|b)$"), 1_000_000_000),
    (re.compile(r"^([\d.,]+)\s*(triệu|trieu|tr|m)$"), 1_000_000),
]


def parse_vnd(text: str | int | None) -> int | None:
    """'50.000.000', '50,000,000', '50 triệu', '1,5 tỷ' → whole VND. None when it is not an amount."""
    if text is None:
        return None
    if isinstance(text, int):
        return text if text > 0 else None
    value = str(text).strip().lower().replace("đ", "").replace("vnd", "").strip()
    if not value:
        return None
    for pattern, unit in _MONEY_WORDS:
        match = pattern.match(value)
        if match:
            number = match.group(1)
            # "1,5 tỷ" and "1.5 tỷ" are decimals; "1.500 triệu" groups thousands (three digits after the mark).
            decimal = re.fullmatch(r"\d+[.,]\d{1,2}", number)
            number = number.replace(",", ".") if decimal else number.replace(",", "").replace(".", "")
            try:
                amount = int(Decimal(number) * unit)
            except InvalidOperation:
                return None
            return amount if amount > 0 else None
    digits = re.sub(r"[.,\s]", "", value)
    if not digits.isdigit():
        return None
    amount = int(digits)
    return amount if amount > 0 else None


def parse_duration(text: str | int | None) -> int | None:
    """Call length typed by a thumb: '3' (minutes), '3:20', '3p20', '90s', '2.5' → seconds."""
    if text is None:
        return None
    if isinstance(text, int):
        return max(0, text)
    value = str(text).strip().lower().replace(" ", "")
    if not value:
        return None
    match = re.fullmatch(r"(\d+)[:p'm](\d{1,2})?s?", value)
    if match:
        minutes, seconds = int(match.group(1)), int(match.group(2) or 0)
        return None if seconds >= 60 else minutes * 60 + seconds
    match = re.fullmatch(r"(\d+)(s|giây|giay)", value)
    if match:
        return int(match.group(1))
    match = re.fullmatch(r"(\d+)(?:[.,](\d+))?(phút|phut)?", value)
    if match:
        whole = Decimal(f"{match.group(1)}.{match.group(2) or 0}")
        return int(whole * 60)
    return None


def parse_local_datetime(value) -> datetime | None:
    """An HTML datetime-local value ('2026-11-25T09:30') read in Vietnam's time; aware datetimes pass through."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL)
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL)


def parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def clean_details(required: list[str], raw: dict) -> tuple[dict, dict[str, str]]:
    """Parse the fields a status requires. Returns (clean values, errors by field)."""
    clean: dict = {}
    errors: dict[str, str] = {}
    for spec in specs_for(required):
        value = raw.get(spec.name)
        if value in (None, ""):
            errors[spec.name] = str(_("Bắt buộc với trạng thái này."))
            continue
        if spec.kind == "datetime":
            parsed = parse_local_datetime(value)
            if parsed is None:
                errors[spec.name] = str(_("Ngày giờ không hợp lệ."))
            else:
                clean[spec.name] = parsed
        elif spec.kind == "date":
            parsed = parse_date(value)
            if parsed is None:
                errors[spec.name] = str(_("Ngày không hợp lệ."))
            else:
                clean[spec.name] = parsed
        elif spec.kind == "money":
            amount = parse_vnd(value)
            if amount is None:
                errors[spec.name] = str(_("Số tiền không hợp lệ."))
            else:
                clean[spec.name] = amount
        else:
            text = str(value).strip()
            if not text:
                errors[spec.name] = str(_("Bắt buộc với trạng thái này."))
            else:
                clean[spec.name] = text
    return clean, errors
