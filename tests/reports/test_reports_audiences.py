"""Remarketing audiences: the segment, consent and erasure left out, platform formats, hashing, audit, who may."""

import csv
import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from leadpool.audit.models import AuditEntry
from leadpool.customers.models import Email, Status
from leadpool.reports import audiences

pytestmark = pytest.mark.django_db


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_hashing_per_platform():
    assert audiences.hashed_phone("+84901234567", audiences.PLATFORMS["google"]) == sha("+84901234567")
    assert audiences.hashed_phone("+84901234567", audiences.PLATFORMS["tiktok"]) == sha("+84901234567")
    assert audiences.hashed_phone("+84901234567", audiences.PLATFORMS["facebook"]) == sha("84901234567")
    assert audiences.hashed_email("  An.Nguyen@Example.COM ") == sha("an.nguyen@example.com")


def _download(client, **data):
    response = client.post(reverse("reports:audiences"), {"platform": "google", "action": "download", **data})
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_segment_export_leaves_out_withdrawn_erased_tests_and_merged(march, login):
    w = march.w
    Email.objects.create(customer=march.c1, address="an@example.com")
    march.c2.consent_withdrawn_at = timezone.now()
    march.c2.save()
    march.c4.erased_at = timezone.now()
    march.c4.save()
    rows = _download(login(w.mkt))
    assert rows[0] == ["Phone", "Email"]
    phones = {r[0] for r in rows[1:]}
    # c1 (with its e-mail on the same row), c3, c5, c8, c9 — not c2 (withdrawn), c4 (erased), c7 (test), dup (merged)
    assert len(rows) - 1 == 5
    assert [sha("+84900000001"), sha("an@example.com")] in rows
    assert sha("+84900000002") not in phones and sha("+84900000004") not in phones and sha("+84900000006") not in phones
    assert all(len(v) == 64 for r in rows[1:] for v in r if v)
    entry = AuditEntry.objects.get(action="export")
    assert entry.data["what"] == "audience" and entry.data["rows"] == 5 and entry.actor_id == w.mkt.pk


def test_segment_filters(march, login):
    w = march.w
    client = login(w.manager)
    net = Status.objects.get(key="net")
    assert len(_download(client, status=net.pk)) - 1 == 1  # c9
    assert len(_download(client, project=w.songhan.pk)) - 1 == 2  # c4, c5
    assert len(_download(client, source=w.google.pk)) - 1 == 2  # c3, and c1 whose latest lead came from Google
    assert len(_download(client, start="2026-03-04", end="2026-03-04")) - 1 == 3  # c1 (second lead), c5, c8
    response = client.post(reverse("reports:audiences"), {"platform": "tiktok", "action": "count"})
    assert response.context["count"] == 7
    tiktok = client.post(reverse("reports:audiences"), {"platform": "tiktok", "action": "download"})
    assert tiktok.content.decode().splitlines()[0] == "Phone_SHA256,Email_SHA256"


def test_half_a_date_range_is_an_error(march, login):
    response = login(march.w.mkt).post(reverse("reports:audiences"), {"platform": "google", "start": "2026-03-01"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()


@pytest.mark.parametrize("user_key", ["leader_a", "sale1"])
def test_leaders_and_salespeople_cannot_export_audiences(march, login, user_key):
    client = login(getattr(march.w, user_key))
    assert client.post(reverse("reports:audiences"), {"platform": "google", "action": "download"}).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()
