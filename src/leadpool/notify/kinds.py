"""The kinds of notification the product sends, with how each looks in the bell."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "customer.assigned": ("🆕", _("Khách mới được giao")),
    "customer.returning": ("↩️", _("Khách quay lại")),
    "follow_up.due": ("⏰", _("Đến hạn chăm sóc")),
    "speed_to_lead": ("⚡", _("Sắp hết giờ gọi đầu tiên")),
    "customer.rotated_in": ("➡️", _("Nhận khách đảo")),
    "customer.rotated_out": ("⬅️", _("Khách bị đảo đi")),
    "rotated_in": ("➡️", _("Nhận khách đảo")),
    "rotated_out": ("⬅️", _("Khách bị đảo đi")),
    "rotation_kept": ("✋", _("Trưởng nhóm giữ khách")),
    "hold_warning": ("⏳", _("Sắp hết hạn giữ khách")),
    "rotation_candidates": ("🔁", _("Khách vào danh sách đảo")),
    "rotation_escalated": ("🚨", _("Quá hạn quyết định đảo")),
    "test": ("🔔", _("Thử thông báo")),
}


def icon(kind: str) -> str:
    if kind in KINDS:
        return KINDS[kind][0]
    if "rotat" in kind:
        return "🔁"
    if "speed" in kind or "first_call" in kind:
        return "⚡"
    return "🔔"
