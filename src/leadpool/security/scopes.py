"""API scopes: `<part>:read` for safe methods and `<part>:write` for the rest, part being the API's first path segment."""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "customers:read": _("Đọc khách hàng"),
    "customers:write": _("Cập nhật khách hàng (trạng thái, phân bổ)"),
    "leads:read": _("Đọc lead"),
    "leads:write": _("Gửi lead vào"),
    "sales:read": _("Đọc lịch sử chăm sóc, trạng thái, lịch hẹn"),
    "sales:write": _("Ghi cuộc gọi, ghi chú, đổi trạng thái, hẹn chăm sóc"),
    "rotation:read": _("Xem danh sách đảo khách"),
    "rotation:write": _("Quyết định đảo khách"),
    "reports:read": _("Đọc báo cáo"),
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def scope_for(path: str, method: str, *, prefix: str = "/api/v1/") -> str | None:
    """/api/v1/customers/12 + GET → customers:read; POST /api/v1/leads → leads:write; the docs need none."""
    if not path.startswith(prefix):
        return None
    part = path[len(prefix):].split("/", 1)[0]
    if not part or part in {"openapi.json", "docs"}:
        return None
    return f"{part}:{'read' if method in SAFE_METHODS else 'write'}"
