"""Ad spend: parsing a CSV row by row with one clear message per bad row, all-or-nothing import, manual entry."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadpool.audit.models import AuditEntry
from leadpool.reports import spend
from leadpool.reports.models import AdSpend

pytestmark = pytest.mark.django_db

GOOD = """ngay,nguon,chien_dich,du_an,so_tien
2026-03-02,facebook_ads,FB-Lotus-1,lotus,1.000.000
03/03/2026,Google Ads,GG-Search,Lotus Garden,"600,000"
2026-03-04,hotline,,,0
"""


@pytest.mark.parametrize("text,expected", [
    ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("1 500 000 đ", 1_500_000), ("2000000VND", 2_000_000),
    ("0", 0), ("-5", None), ("abc", None), ("", None), ("1.5e6", None),
])
def test_amounts_are_whole_dong(text, expected):
    assert spend.parse_amount(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("2026-03-02", date(2026, 3, 2)), ("02/03/2026", date(2026, 3, 2)), ("2.3.2026", date(2026, 3, 2)),
    ("2026-02-30", None), ("hôm qua", None),
])
def test_days(text, expected):
    assert spend.parse_day(text) == expected


def test_good_file_parses_every_row(world):
    parsed = spend.parse_csv(GOOD)
    assert parsed.ok and not parsed.errors
    assert [(r.day, r.source.key, r.campaign, r.project.code if r.project else None, r.amount) for r in parsed.rows] == [
        (date(2026, 3, 2), "facebook_ads", "FB-Lotus-1", "lotus", 1_000_000),
        (date(2026, 3, 3), "google_ads", "GG-Search", "lotus", 600_000),
        (date(2026, 3, 4), "hotline", "", None, 0),
    ]


def test_each_bad_row_gets_its_own_message(world):
    text = (
        "Ngày;Nguồn;Chiến dịch;Dự án;Số tiền\n"
        "2026-03-02;facebook_ads;A;lotus;100000\n"
        "2026-13-01;facebook_ads;A;lotus;100000\n"
        "2026-03-02;snapchat;A;lotus;100000\n"
        "2026-03-02;facebook_ads;A;atlantis;100000\n"
        "2026-03-02;facebook_ads;A;lotus;-3\n"
        "2026-03-02;facebook_ads;A;lotus;5000\n"
    )
    parsed = spend.parse_csv(text)
    assert not parsed.ok
    messages = dict(parsed.errors)
    assert sorted(messages) == [3, 4, 5, 6, 7]
    assert "ngày “2026-13-01”" in messages[3]
    assert "nguồn “snapchat”" in messages[4]
    assert "dự án “atlantis”" in messages[5]
    assert "số tiền “-3”" in messages[6]
    assert "trùng với dòng 2" in messages[7]


def test_missing_columns_and_empty_file(world):
    assert spend.parse_csv("ngay,so_tien\n2026-03-02,5\n").errors[0][1].startswith("Thiếu cột: source")
    assert spend.parse_csv("").errors[0][0] == 1
    assert "không có dòng" in spend.parse_csv("ngay,nguon,so_tien\n").errors[0][1]


def test_import_page_saves_all_or_nothing_and_replaces_amounts(world, login):
    client = login(world.mkt)
    bad = GOOD + "2026-03-05,nowhere,,,1\n"
    response = client.post(reverse("reports:spend"), {"action": "import", "file": SimpleUploadedFile("s.csv", bad.encode())})
    assert response.status_code == 200 and AdSpend.objects.count() == 0
    assert "Dòng 5: nguồn “nowhere”" in response.content.decode()
    response = client.post(reverse("reports:spend"), {"action": "import", "file": SimpleUploadedFile("s.csv", GOOD.encode())})
    assert response.status_code == 302 and AdSpend.objects.count() == 3
    again = GOOD.replace("1.000.000", "1.200.000")
    client.post(reverse("reports:spend"), {"action": "import", "file": SimpleUploadedFile("s.csv", again.encode())})
    assert AdSpend.objects.count() == 3
    assert AdSpend.objects.get(source__key="facebook_ads").amount == 1_200_000
    assert AuditEntry.objects.filter(action="ad_spend.imported").count() == 2


def test_manual_entry_with_form_errors(world, login):
    client = login(world.manager)
    response = client.post(reverse("reports:spend"), {"action": "entry", "day": "2026-03-02", "source": world.facebook.pk,
                                                      "amount": "-1"})
    assert response.status_code == 200 and "amount" in response.context["entry"].errors
    response = client.post(reverse("reports:spend"), {"action": "entry", "day": "2026-03-02", "source": world.facebook.pk,
                                                      "campaign": "X", "amount": "250000"})
    assert response.status_code == 302
    assert AdSpend.objects.get().amount == 250_000
    listing = client.get(reverse("reports:spend") + "?start=2026-03-01&end=2026-03-31").content.decode()
    assert "250.000 ₫" in listing or "250,000 ₫" in listing


@pytest.mark.parametrize("user_key", ["leader_a", "sale1"])
def test_only_marketing_and_managers_enter_spend(world, login, user_key):
    assert login(getattr(world, user_key)).get(reverse("reports:spend")).status_code == 403
