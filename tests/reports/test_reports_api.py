"""Reports through the API: the same figures and the same role rules as the pages."""

import pytest

from leadpool.accounts.models import ApiToken
from leadpool.reports import targets
from tests.reports.conftest import MARCH_DAY

pytestmark = pytest.mark.django_db
Q = "?start=2026-03-01&end=2026-03-31"


def test_manager_reads_a_dashboard(built, login):
    response = login(built.w.manager).get("/api/v1/reports/cost" + Q)
    assert response.status_code == 200
    body = response.json()
    by_source = next(t for t in body["tables"] if t["key"] == "by_source")
    fb = next(r for r in by_source["rows"] if r["source"] == "Facebook Ads")
    assert (fb["spend"], fb["leads"], fb["cost_per_lead"], fb["cost_per_qualified"]) == (4_500_000, 4, 1_125_000, 2_250_000)
    assert body["start"] == "2026-03-01"


def test_roles_and_scopes(built, login):
    w = built.w
    assert login(w.sale1).get("/api/v1/reports/leads" + Q).status_code == 403
    assert login(w.mkt).get("/api/v1/reports/speed" + Q).status_code == 403
    assert login(w.leader_a).get("/api/v1/reports/cost" + Q).status_code == 403
    assert login(w.manager).get("/api/v1/reports/nope" + Q).status_code == 404
    leads = login(w.leader_b).get("/api/v1/reports/leads" + Q).json()
    assert sum(r["leads"] for r in next(t for t in leads["tables"] if t["key"] == "by_source")["rows"]) == 2


def test_token_needs_the_reports_scope(built, client):
    _row, token = ApiToken.issue(user=built.w.manager, scopes=["customers:read"])
    assert client.get("/api/v1/reports/leads" + Q, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403
    _row, token = ApiToken.issue(user=built.w.manager, scopes=["reports:read"])
    assert client.get("/api/v1/reports/leads" + Q, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_own_kpi(built, login):
    w = built.w
    targets.set_target(month=MARCH_DAY, by=w.manager, user=w.sale1, calls=10)
    body = login(w.sale1).get("/api/v1/reports/kpi?month=2026-03-01").json()
    assert body["has_target"] and body["items"][0] == {"key": "calls", "label": "Cuộc gọi", "target": 10, "actual": 2, "percent": 20}
