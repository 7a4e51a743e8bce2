"""The pure rules: consent per channel, quiet hours, retries, and filling a step's templates."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from leadpool.nurture import content, rules
from leadpool.nurture.rules import VN, Consent

AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("channel_words, covered", [
    ("", {"email", "sms", "zns"}),
    ("facebook", {"email", "sms", "zns"}),
    ("zalo", {"email", "sms", "zns"}),
    ("sms", {"sms"}),
    ("E-mail, ZNS", {"email", "zns"}),
    ("email;sms", {"email", "sms"}),
])
def test_a_consent_covers_the_channels_it_names_or_all(channel_words, covered):
    assert rules.consent_channels(Consent(AT, channel_words)) == covered


def test_no_recorded_consent_covers_nothing():
    assert rules.consent_channels(Consent(None, "sms")) == set()


@pytest.mark.parametrize("consents, flags, channel, expected", [
    ([Consent(AT)], {}, "sms", True),
    ([], {}, "sms", False),
    ([Consent(None)], {}, "email", False),
    ([Consent(AT, "email")], {}, "sms", False),
    ([Consent(AT, "email"), Consent(AT, "sms")], {}, "sms", True),
    ([Consent(AT)], {"withdrawn": True}, "email", False),
    ([Consent(AT)], {"erased": True}, "email", False),
    ([Consent(AT)], {"merged": True}, "zns", False),
])
def test_may_receive(consents, flags, channel, expected):
    kw = {"withdrawn": False, "erased": False, "merged": False, **flags}
    assert rules.may_receive(channel, consents, **kw) is expected


def vn(h, m=0, day=23):
    return datetime(2026, 11, day, h, m, tzinfo=VN)


@pytest.mark.parametrize("at, channel, expected", [
    (vn(10), "sms", None),
    (vn(20, 59), "sms", None),
    (vn(21), "sms", vn(8, day=24)),
    (vn(23, 30), "zns", vn(8, day=24)),
    (vn(0, 15), "sms", vn(8)),
    (vn(7, 59), "zns", vn(8)),
    (vn(8), "sms", None),
    (vn(23, 30), "email", None),
    # 16:00 UTC is 23:00 in Vietnam: the company's clock decides, not the server's.
    (datetime(2026, 11, 23, 16, 0, tzinfo=UTC), "sms", vn(8, day=24)),
])
def test_quiet_hours(at, channel, expected):
    assert rules.quiet_until(at, channel, 21, 8) == expected


def test_quiet_hours_within_one_day():
    assert rules.quiet_until(vn(13), "sms", 12, 14) == vn(14)
    assert rules.quiet_until(vn(15), "sms", 12, 14) is None


def test_cap_waits_for_the_next_morning_and_retries_back_off():
    assert rules.next_day_opening(vn(23, 50), 8) == vn(8, day=24)
    assert rules.next_day_opening(datetime(2026, 11, 23, 18, 0, tzinfo=UTC), 8) == vn(8, day=25)
    now = vn(10)
    assert [rules.retry_at(now, n) - now for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert rules.should_retry(True, 4, 5) and not rules.should_retry(True, 5, 5) and not rules.should_retry(False, 1, 5)


def test_fill_replaces_known_names_and_keeps_unknown_ones():
    values = content.values_for("", "Lotus Garden", "Hà")
    assert content.fill("Chào {{ten}}, {{ du_an }} · {{ nhan_vien }} · {{ gia }}", values) == \
        "Chào Quý khách, Lotus Garden · Hà · {{ gia }}"


def test_build_email_sms_and_zns_content():
    values = content.values_for("An", "Lotus", "Hà")
    email = SimpleNamespace(kind="email", subject="{{ ten }} ơi", body="Dự án {{ du_an }}", zns_template_id="",
                            zns_template_data={})
    built = content.build(email, values, tracking_id="lp-1", unsubscribe_url="https://x.vn/nurture/u/t/")
    assert built.subject == "An ơi" and built.text.startswith("Dự án Lotus")
    assert built.text.rstrip().endswith("https://x.vn/nurture/u/t/")
    assert built.headers == {"List-Unsubscribe": "<https://x.vn/nurture/u/t/>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    sms = SimpleNamespace(kind="sms", subject="", body="Chao {{ ten }}", zns_template_id="", zns_template_data={})
    assert content.build(sms, values, tracking_id="lp-2").text == "Chao An"
    zns = SimpleNamespace(kind="zns", subject="", body="", zns_template_id=" 231477 ",
                          zns_template_data={"customer_name": "{{ ten }}", "order": 7})
    built = content.build(zns, values, tracking_id="lp-3")
    assert (built.template_id, built.template_data, built.tracking_id) == (
        "231477", {"customer_name": "An", "order": "7"}, "lp-3")
