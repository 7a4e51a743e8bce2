"""The pure rules: reply windows per platform, and when a chat becomes a lead."""

from datetime import UTC, datetime, timedelta

import pytest

from leadpool.conversations.rules import lead_reason, reply_window

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("platform", "after", "open_"), [
    ("messenger", timedelta(hours=23, minutes=59), True),
    ("messenger", timedelta(hours=24), False),
    ("zalo", timedelta(days=6, hours=23), True),
    ("zalo", timedelta(days=7), False),
])
def test_reply_window(platform, after, open_):
    window = reply_window(platform, T0, T0 + after)
    assert window.open is open_ and window.closes_at > T0


def test_nobody_wrote_nothing_to_answer():
    assert reply_window("messenger", None, T0).open is False


@pytest.mark.parametrize(("has_customer", "first", "on_first", "phones", "expected"), [
    (False, True, False, ["0912345678"], "phone"),
    (False, False, False, ["0912345678"], "phone"),
    (True, False, False, ["0987654321"], "phone"),  # a second number joins the profile as a lead
    (False, True, True, [], "first_message"),
    (False, True, False, [], None),  # the page waits for a number
    (False, False, True, [], None),  # only the first message counts
    (True, True, True, [], None),
    (True, False, False, [], None),
])
def test_lead_reason(has_customer, first, on_first, phones, expected):
    assert lead_reason(has_customer=has_customer, first_message=first, lead_on_first_message=on_first,
                       new_phones=phones) == expected
