"""The navigation each role sees, built once per request for the base template."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

# (url name, label, roles allowed or None for everyone)
MENU = [
    ("home", "Việc hôm nay", None),
    ("customers:list", "Khách hàng", None),
    ("rotation:candidates", "Đảo khách", {"leader", "manager"}),
    ("rotation:mine", "Đảo vào / ra", {"sales"}),
    ("intake:channels", "Kênh kết nối", {"marketing", "manager"}),
    ("intake:inbox", "Hộp nhận lead", {"marketing", "manager"}),
    ("intake:comments", "Bình luận fanpage", {"marketing", "manager"}),
    ("intake:import", "Nhập file", {"marketing", "manager"}),
    ("reports:index", "Báo cáo", {"leader", "manager", "marketing", "sales"}),
    ("audit:list", "Nhật ký", {"manager"}),
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
