"""Sales work through the API, scoped exactly like the pages."""

from leadpool.accounts.models import ApiToken
from leadpool.sales.models import Activity, FollowUp


def _auth(user, scopes=None) -> dict:
    _row, token = ApiToken.issue(user=user, scopes=scopes or [])
    return {"Authorization": f"Bearer {token}"}


def test_log_a_call_and_read_it_back(world, owned, client):
    customer = owned()
    auth = _auth(world.sale1)
    r = client.post(f"/api/v1/sales/customers/{customer.pk}/activities",
                    {"kind": "call", "call_outcome": "reached", "duration_seconds": 95, "body": "Tư vấn căn 2PN"},
                    content_type="application/json", headers=auth)
    assert r.status_code == 201, r.content
    assert r.json()["duration_seconds"] == 95 and r.json()["author"] == "sale1"
    listed = client.get(f"/api/v1/sales/customers/{customer.pk}/activities", headers=auth).json()
    assert [a["kind"] for a in listed][:1] == ["call"]
    assert customer.leads.get().first_call_at is not None


def test_correction_through_the_api(world, owned, client):
    customer = owned()
    auth = _auth(world.sale1)
    first = client.post(f"/api/v1/sales/customers/{customer.pk}/activities", {"kind": "note", "body": "sai"},
                        content_type="application/json", headers=auth).json()
    fix = client.post(f"/api/v1/sales/customers/{customer.pk}/activities",
                      {"kind": "note", "body": "đúng", "corrects": first["id"]},
                      content_type="application/json", headers=auth)
    assert fix.status_code == 201 and fix.json()["corrects"] == first["id"]
    assert Activity.objects.get(pk=first["id"]).body == "sai"


def test_status_change_requires_its_fields(world, owned, client):
    customer = owned()
    auth = _auth(world.sale1)
    refused = client.post(f"/api/v1/sales/customers/{customer.pk}/status", {"to": "appointment"},
                          content_type="application/json", headers=auth)
    assert refused.status_code == 400
    assert "appointment_at" in refused.json()["detail"] and "appointment_place" in refused.json()["detail"]
    ok = client.post(f"/api/v1/sales/customers/{customer.pk}/status",
                     {"to": "appointment", "details": {"appointment_at": "2030-05-01T10:00", "appointment_place": "VP"}},
                     content_type="application/json", headers=auth)
    assert ok.status_code == 201 and ok.json()["to_status"] == "appointment"
    history = client.get(f"/api/v1/sales/customers/{customer.pk}/status-changes", headers=auth).json()
    assert history[0]["from_status"] == "new" and history[0]["by"] == "sale1"
    assert client.post(f"/api/v1/sales/customers/{customer.pk}/status", {"to": "nope"},
                       content_type="application/json", headers=auth).status_code == 400


def test_follow_ups(world, owned, client):
    customer = owned()
    auth = _auth(world.sale1)
    r = client.post(f"/api/v1/sales/customers/{customer.pk}/follow-ups",
                    {"due_at": "2030-06-01T09:00:00+07:00", "kind": "call", "note": "Gọi lại"},
                    content_type="application/json", headers=auth)
    assert r.status_code == 201
    assert FollowUp.objects.get(customer=customer).note == "Gọi lại"
    listed = client.get(f"/api/v1/sales/customers/{customer.pk}/follow-ups?open_only=true", headers=auth).json()
    assert [f["note"] for f in listed] == ["Gọi lại"]


def test_scoped_by_access_and_token_scopes(world, owned, client):
    customer = owned(owner=world.sale1)
    other = _auth(world.sale2)
    assert client.get(f"/api/v1/sales/customers/{customer.pk}/activities", headers=other).status_code == 404
    assert client.post(f"/api/v1/sales/customers/{customer.pk}/activities", {"kind": "note", "body": "x"},
                       content_type="application/json", headers=other).status_code == 404
    mkt = _auth(world.mkt)
    assert client.get(f"/api/v1/sales/customers/{customer.pk}/activities", headers=mkt).status_code == 200
    assert client.post(f"/api/v1/sales/customers/{customer.pk}/activities", {"kind": "note", "body": "x"},
                       content_type="application/json", headers=mkt).status_code == 403
    read_only = _auth(world.sale1, scopes=["sales:read"])
    assert client.get(f"/api/v1/sales/customers/{customer.pk}/follow-ups", headers=read_only).status_code == 200
    assert client.post(f"/api/v1/sales/customers/{customer.pk}/activities", {"kind": "note", "body": "x"},
                       content_type="application/json", headers=read_only).status_code == 403
    assert client.post(f"/api/v1/sales/customers/{customer.pk}/activities", {"kind": "system", "body": "x"},
                       content_type="application/json", headers=_auth(world.sale1)).status_code == 400
    assert not Activity.objects.filter(body="x").exists()
