"""The fanpage comments page for marketing and managers: newest first, filters, links to the customer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leadpool.intake.models import ChannelConfig, PageComment
from tests.factories import source

from . import test_page_feed
from .test_page_feed import comment_value, feed

deliver = test_page_feed.deliver  # the fixture that posts a signed page webhook and runs the worker


def _comment(config, n, *, post="1001_777", phone=False, minutes_ago=0, page_id="1001"):
    return PageComment.objects.create(
        config=config, page_id=page_id, comment_id=f"c{n}", post_id=post, from_name=f"Người {n}",
        message=f"bình luận số {n}" + (" 0912345678" if phone else ""), has_phone=phone,
        phones=["0912345678"] if phone else [], created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_empty_state_says_how_to_receive_comments(world, login):
    page = login(world.mkt).get("/intake/comments/")
    assert page.status_code == 200
    assert "Chưa có bình luận nào" in page.text and "feed" in page.text


@pytest.mark.parametrize("who", ["sale1", "leader_a"])
def test_other_roles_get_404(world, login, who):
    assert login(getattr(world, who)).get("/intake/comments/").status_code == 404


def test_comments_are_listed_newest_first_and_paginated(world, channels, login):
    for n in range(35):
        _comment(channels["facebook"], n, minutes_ago=n)
    client = login(world.manager)
    first = client.get("/intake/comments/")
    assert first.status_code == 200
    assert first.text.index("Người 0<") < first.text.index("Người 1<")
    assert "Người 29<" in first.text and "Người 30<" not in first.text
    assert "Trang 1 / 2" in first.text
    second = client.get("/intake/comments/?page=2")
    assert "Người 34<" in second.text and "Người 0<" not in second.text


def test_filters_by_page_post_and_phone(world, channels, login):
    other = ChannelConfig.objects.create(kind="facebook", name="Trang Sông Hàn", source=source("facebook_ads"),
                                         external_id="2002", secret="s", access_token="t")
    _comment(channels["facebook"], 1, phone=True)
    _comment(channels["facebook"], 2, post="1001_999")
    _comment(other, 3, page_id="2002", post="2002_1")
    client = login(world.mkt)
    names = lambda response: {n for n in ("Người 1<", "Người 2<", "Người 3<") if n in response.text}  # noqa: E731
    assert names(client.get("/intake/comments/?has_phone=1")) == {"Người 1<"}
    assert names(client.get("/intake/comments/?has_phone=0")) == {"Người 2<", "Người 3<"}
    assert names(client.get("/intake/comments/?post=1001_999")) == {"Người 2<"}
    assert names(client.get("/intake/comments/?page_id=2002")) == {"Người 3<"}
    nothing = client.get("/intake/comments/?post=nope")
    assert "Không có bình luận nào khớp bộ lọc" in nothing.text
    fragment = client.get("/intake/comments/?has_phone=1", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="rows">')


def test_comment_that_made_a_lead_links_to_its_customer(world, channels, deliver, login):
    deliver(feed(comment_value()))
    deliver(feed(comment_value("Còn căn góc không ạ?", comment_id="777_2", author=("555", "Lê Văn Cường"))))
    comment = PageComment.objects.get(comment_id="777_888")
    page = login(world.manager).get("/intake/comments/")
    assert f"/customers/{comment.lead.customer_id}/" in page.text
    assert "Còn căn góc không ạ?" in page.text and "Lê Văn Cường" in page.text


def test_channels_page_and_navigation_link_to_comments(world, login):
    page = login(world.mkt).get("/intake/channels/")
    assert page.text.count('href="/intake/comments/"') >= 2  # the page's button and the nav entry
    sales = login(world.sale1).get("/")
    assert "/intake/comments/" not in sales.text
