"""Small display helpers for the salesperson's pages: call lengths and status-move details."""

from datetime import date, datetime

from django import template
from django.utils import formats, timezone

from leadpool.sales.status_fields import FIELDS

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """185 → 3′05″."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}′{rest:02d}″" if minutes else f"{rest}″"


@register.filter
def detail_label(name: str) -> str:
    spec = FIELDS.get(name)
    return str(spec.label) if spec else name


@register.filter
def detail_value(value, name: str = "") -> str:
    """Stored ISO times shown in Vietnam's time; amounts with thousands separators."""
    spec = FIELDS.get(name)
    text = str(value)
    if spec and spec.kind == "datetime":
        try:
            return formats.date_format(timezone.localtime(datetime.fromisoformat(text)), "d/m/Y H:i")
        except ValueError:
            return text
    if spec and spec.kind == "date":
        try:
            return formats.date_format(date.fromisoformat(text[:10]), "d/m/Y")
        except ValueError:
            return text
    if spec and spec.kind == "money" and text.isdigit():
        return f"{int(text):,}".replace(",", ".") + " ₫"
    return text
