"""The navigation each role sees, built once per request for the base template."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# (url name, label marked for translation, roles allowed or None for everyone)
MENU = [
    ("home", gettext_noop("Việc hôm nay"), None),
    ("customers:list", gettext_noop("Khách hàng"), None),
    ("rotation:candidates", gettext_noop("Đảo khách"), {"leader", "manager"}),
    ("rotation:mine", gettext_noop("Đảo vào / ra"), {"sales"}),
    ("intake:channels", gettext_noop("Kênh kết nối"), {"marketing", "manager"}),
    ("intake:inbox", gettext_noop("Hộp nhận lead"), {"marketing", "manager"}),
    ("intake:comments", gettext_noop("Bình luận fanpage"), {"marketing", "manager"}),
    ("intake:import", gettext_noop("Nhập file"), {"marketing", "manager"}),
    ("nurture:today", gettext_noop("Chăm sóc tự động"), {"leader", "manager"}),
    ("reports:index", gettext_noop("Báo cáo"), {"leader", "manager", "marketing", "sales"}),
    ("audit:list", gettext_noop("Nhật ký"), {"manager"}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = "manager" if user.is_manager else user.role
    items = []
    for name, label, roles in MENU:
        if roles is not None and role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # that part of the product is not installed yet
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": _(label), "active": active})
    nav = {"items": items}
    try:
        from leadpool.notify.service import unread_count

        nav["bell_url"] = reverse("notify:list")
        nav["bell_count_url"] = reverse("notify:count")
        nav["unread"] = unread_count(user)
    except NoReverseMatch:
        pass
    return {"nav": nav}
