"""Finding customers in the web list: any phone writing, names with or without accents, e-mails, filters."""

import pytest


@pytest.mark.parametrize("query", ["0912 345 678", "+84912345678", "84912345678", "0912-345-678", "345678"])
def test_phone_in_any_format_finds_the_customer(world, make_customer, login, query):
    target = make_customer("0912345678", name="Trần Thị Bích").customer
    make_customer("0987654321", name="Lê Văn Cường")
    page = login(world.manager).get("/customers/", {"q": query})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1
    assert page.context["rows"][0]["customer"] == target


@pytest.mark.parametrize("query", ["nguyen van an", "Nguyễn Văn An", "NGUYEN VAN", "văn an"])
def test_name_with_or_without_accents(world, make_customer, login, query):
    target = make_customer("0912345678", name="Nguyễn Văn An").customer
    make_customer("0987654321", name="Đặng Thị Ánh")
    page = login(world.manager).get("/customers/", {"q": query})
    assert [r["customer"] for r in page.context["rows"]] == [target]


def test_d_with_stroke_matches_plain_d(world, make_customer, login):
    target = make_customer("0912345678", name="Đặng Đức Độ").customer
    page = login(world.manager).get("/customers/", {"q": "dang duc do"})
    assert [r["customer"] for r in page.context["rows"]] == [target]


def test_email_search_and_filters(world, make_customer, login):
    a = make_customer("0912345678", emails=["An.Nguyen@Gmail.com "]).customer
    b = make_customer("0987654321", project=world.songhan, src=world.google).customer
    c = login(world.manager)
    assert [r["customer"] for r in c.get("/customers/", {"q": "an.nguyen@gmail.com"}).context["rows"]] == [a]
    assert [r["customer"] for r in c.get("/customers/", {"project": "song-han"}).context["rows"]] == [b]
    assert [r["customer"] for r in c.get("/customers/", {"source": "google_ads"}).context["rows"]] == [b]
    assert [r["customer"] for r in c.get("/customers/", {"status": "new"}).context["rows"]] == [b, a]
    assert [r["customer"] for r in c.get("/customers/", {"owner": str(b.owner_id)}).context["rows"]][0] == b


def test_list_paginates_and_htmx_returns_fragment(world, make_customer, login, django_assert_max_num_queries):
    for i in range(30):
        make_customer(f"09{i:08d}", name=f"Khách {i}")
    c = login(world.manager)
    with django_assert_max_num_queries(14):
        first = c.get("/customers/")
    assert len(first.context["rows"]) == 25
    second = c.get("/customers/", {"page": 2})
    assert len(second.context["rows"]) == 5
    fragment = c.get("/customers/", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b'id="results"' in fragment.content


def test_empty_state(world, login):
    page = login(world.manager).get("/customers/")
    assert "Chưa có khách hàng nào." in page.text


def test_customer_page_shows_profile_leads_and_timeline(world, make_customer, login):
    c = make_customer("0912345678", name="Nguyễn Văn An", answers={"Ngân sách": "3-5 tỷ"}, campaign="FB_T11").customer
    page = login(world.manager).get(f"/customers/{c.pk}/")
    assert page.status_code == 200
    text = page.text
    assert "Nguyễn Văn An" in text and "tel:+84912345678" in text and "zalo.me/0912345678" in text
    assert "3-5 tỷ" in text and "FB_T11" in text
    kinds = [e.kind for e in page.context["timeline"]]
    assert "lead" in kinds and "assignment" in kinds
