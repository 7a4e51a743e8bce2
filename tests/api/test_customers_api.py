"""The JSON API base: tokens, scoping, the OpenAPI document."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from leadpool.accounts.models import ApiToken


def _token(username, *extra) -> str:
    out = StringIO()
    call_command("token", "create", username, *extra, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_token_create_prints_token_on_last_line_and_stores_only_hash(world):
    token = _token("sale1")
    assert token.startswith("lp_")
    row = ApiToken.objects.get(user=world.sale1)
    assert row.key_hash == ApiToken.hash(token)
    assert token not in str(ApiToken.objects.values_list())


def test_bearer_token_lists_only_own_customers(world, make_customer, client):
    a = make_customer("0912345678").customer
    token = _token(a.owner.username)
    r = client.get("/api/v1/customers/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["results"][0]["id"] == a.pk
    other = next(u for u in (world.sale1, world.sale2, world.sale3) if u != a.owner)
    t2 = _token(other.username)
    assert client.get(f"/api/v1/customers/{a.pk}", headers={"Authorization": f"Bearer {t2}"}).status_code == 404
    assert client.get(f"/api/v1/customers/{a.pk}", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_revoked_expired_and_missing_tokens_are_refused(world, client):
    token = _token("sale1")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/customers/", headers=auth).status_code == 200
    call_command("token", "revoke", token[:10], stdout=StringIO())
    assert client.get("/api/v1/customers/", headers=auth).status_code == 401
    row, raw = ApiToken.issue(user=world.sale1, expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/api/v1/customers/", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert client.get("/api/v1/customers/").status_code == 401
    assert client.get("/api/v1/customers/", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_scoped_token_without_scope_gets_403(world, client):
    token = _token("manager", "--scope", "leads:write")
    r = client.get("/api/v1/customers/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert "customers:read" in r.json()["detail"]


def test_search_api_finds_any_phone_writing(world, make_customer, login):
    c = make_customer("0912 345 678", name="Nguyễn Văn An").customer
    api = login(world.manager)
    for q in ("0912 345 678", "+84912345678", "84912345678", "0912.345.678", "nguyen van an", "Nguyễn Văn An"):
        body = api.get("/api/v1/customers/", {"q": q}).json()
        assert [r["id"] for r in body["results"]] == [c.pk], q


def test_openapi_document_and_docs_page_served_locally(world, login):
    c = login(world.manager)
    doc = c.get("/api/v1/openapi.json").json()
    assert "/api/v1/customers/" in doc["paths"]
    page = c.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
