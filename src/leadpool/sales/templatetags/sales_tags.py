"""Small display helpers for the salesperson's pages: call lengths and status-move details."""

from datetime import date, datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

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


def _short(minutes: int) -> str:
    """The live timers' format (app.js): 12′ under two hours, 3h05 under a day, 2d 4h beyond."""
    if minutes < 120:
        return f"{minutes}′"
    if minutes < 1440:
        return f"{minutes // 60}h{minutes % 60:02d}"
    return f"{minutes // 1440}d {(minutes % 1440) // 60}h"


@register.filter
def since(value, now=None) -> str:
    if not value:
        return ""
    now = now or timezone.now()
    return _short(max(0, int((now - value).total_seconds() // 60)))


@register.filter
def until(value, now=None) -> str:
    if not value:
        return ""
    now = now or timezone.now()
    minutes = int((value - now).total_seconds() // 60)
    return ("−" if minutes < 0 else "") + _short(abs(minutes))


@register.filter
def gap(start, end) -> str:
    """Time between two moments, e.g. a lead's arrival and its first call."""
    if not start or not end:
        return ""
    return duration(max(0, int((end - start).total_seconds()))) if (end - start).total_seconds() < 3600 \
        else _short(int((end - start).total_seconds() // 60))


DEADLINE_LABELS = {
    "first_call_warning": _("Sắp đến hạn gọi đầu tiên"),
    "first_call": _("Hạn gọi đầu tiên còn"),
    "hold_warning": _("Sắp hết hạn giữ, cảnh báo sau"),
    "hold": _("Hết hạn giữ sau"),
    "candidate": _("Chờ trưởng nhóm quyết định"),
}


@register.filter
def deadline_label(kind: str) -> str:
    """The stored next deadline's kind (kept by rotation), said to the owner."""
    return str(DEADLINE_LABELS.get(kind, _("Hạn tiếp theo")))
