"""The English interface: only the menu's explicit choice switches language; the default stays Vietnamese."""

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from leadpool.customers.models import Source, Status

pytestmark = pytest.mark.django_db

CUSTOMER_LIST_EN = ["Customers", "All statuses", "All projects", "All sources", "Phone number, name or e-mail"]
CUSTOMER_LIST_VI = ["Khách hàng", "Mọi trạng thái", "Mọi dự án", "Mọi nguồn", "Số điện thoại, tên hoặc e-mail"]
HOME_EN = ["My customers", "Search name, phone number, e-mail", "Find customer", "Task group", "Check out"]
HOME_VI = ["Khách của tôi", "Tìm tên, số điện thoại, e-mail", "Tìm khách", "Nhóm việc", "Ghi giờ về"]


def _choose(client: Client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302


def _page(client: Client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _visible_text(page: str) -> str:
    """Text and the attributes people read (placeholder, aria-label, title), without markup or scripts."""
    attributes = " ".join(re.findall(r'(?:placeholder|aria-label|title)="([^"]*)"', page))
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body) + " " + attributes


def _untranslated(page: str) -> list[str]:
    """Catalog msgids still showing in the page. Status labels and source names are data kept in the database."""
    text = _visible_text(page)
    labels = set(Status.objects.values_list("label", flat=True)) | set(Source.objects.values_list("name", flat=True))
    with translation.override("en"):
        catalog = translation.trans_real.translation("en")._catalog
        msgids = {key for key in catalog.keys() if isinstance(key, str) and key and key not in labels}
    return sorted(m for m in msgids if len(m) >= 6 and " " in m and re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text))


def test_switching_to_english_translates_the_customer_list(world, login, make_customer):
    make_customer(name="Trần Thị Bình")
    client = login(world.leader_a)
    _choose(client, "en")
    page = _page(client, "/customers/")
    assert '<html lang="en">' in page
    for english in CUSTOMER_LIST_EN:
        assert english in page
    for vietnamese in CUSTOMER_LIST_VI:
        assert vietnamese not in page
    assert "Trần Thị Bình" in page  # people's names are data, never translated
    leftover = _untranslated(page)
    assert leftover == [], leftover


def test_switching_to_english_translates_the_salespersons_home(world, login, make_customer):
    make_customer(name="Lê Văn Cường")
    client = login(world.sale1)
    _choose(client, "en")
    page = _page(client, "/")
    assert '<html lang="en">' in page
    for english in HOME_EN:
        assert english in page
    for vietnamese in HOME_VI:
        assert vietnamese not in page
    leftover = _untranslated(page)
    assert leftover == [], leftover


def test_bucket_tabs_on_the_salespersons_home_are_in_english(world, login):
    client = login(world.sale1)
    _choose(client, "en")
    tabs = re.search(r'<nav class="bucket-tabs.*?</nav>', _page(client, "/"), flags=re.S).group(0)
    assert "Chưa gọi" not in tabs and "Đừng quên" not in tabs and "Tất cả" not in tabs


def test_switching_back_to_vietnamese(world, login):
    client = login(world.sale1)
    _choose(client, "en")
    _choose(client, "vi")
    page = _page(client, "/")
    assert "Khách của tôi" in page and "My customers" not in page


@pytest.mark.parametrize("accept_language", [None, "en", "en-US,en;q=0.9"])
def test_default_stays_vietnamese_whatever_the_browser_asks(world, login, accept_language):
    client = login(world.sale1)
    headers = {"Accept-Language": accept_language} if accept_language else {}
    home = _page(client, "/", **headers)
    customers = _page(client, "/customers/", **headers)
    assert '<html lang="vi">' in home
    for vietnamese in HOME_VI:
        assert vietnamese in home
    for english in HOME_EN:
        assert english not in home
    assert "Mọi trạng thái" in customers and "All statuses" not in customers


def test_english_catalog_is_complete_and_compiled():
    """Every msgid has an English text in the compiled catalog a machine without gettext loads."""
    from pathlib import Path

    from django.conf import settings

    mo = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"
    assert mo.is_file()
    with translation.override("en"):
        catalog = translation.trans_real.translation("en")._catalog
        empty = [key for key, value in catalog.items() if key and not value]
    assert empty == []
    with translation.override("en"):
        assert translation.gettext("Đừng quên") == "Don't forget"
        assert translation.ngettext("%(n)s lần thử", "%(n)s lần thử", 3) % {"n": 3} == "3 attempts"
        assert translation.ngettext("%(n)s lần thử", "%(n)s lần thử", 1) % {"n": 1} == "1 attempt"


def test_an_empty_choice_reads_in_the_interfaces_language(world, login):
    """Django 6's label for a select left empty is missing from its own Vietnamese catalog: ours carries it."""
    client = login(world.mkt)
    page = _page(client, "/intake/new/")
    assert "- Chọn -" in page and "Select an option" not in page
    _choose(client, "en")
    assert "- Select an option -" in _page(client, "/intake/new/")
