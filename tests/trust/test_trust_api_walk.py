"""A salesperson cannot reach another person's customer through ANY API operation, reading or writing."""

import re

import pytest
from django.test import Client

from leadpool.accounts.models import ApiToken


@pytest.mark.parametrize("auth", ["session", "token"])
def test_salesperson_reaches_no_other_customer_through_any_api_operation(world, make_customer, login, auth):
    from leadpool.customers.ownership import assign
    from leadpool.sales.models import Activity, FollowUp, StatusChange

    customer = make_customer("0912345678").customer
    assign(customer, to=world.sale1, team=world.team_a, reason="manual")
    before = (Activity.objects.count(), StatusChange.objects.count(), FollowUp.objects.count(), customer.status_id)
    if auth == "session":
        client = login(world.sale2)
    else:
        _, token = ApiToken.issue(user=world.sale2, name="walk")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    schema = Client().get("/api/v1/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", str(customer.pk), path)
        for method in operations:
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            bodies = [{}] if method == "get" else [{}, {"kind": "note", "body": "x", "to": "in_care", "status": "in_care",
                                                     "due_at": "2030-01-01T09:00:00+07:00", "note": "x"}]
            for body in bodies:
                response = client.generic(method.upper(), url, data=__import__("json").dumps(body),
                                          content_type="application/json")
                checked += 1
                assert response.status_code < 500, f"{method.upper()} {url} → {response.status_code}"
                if "{customer_id}" in path:
                    assert response.status_code in (403, 404, 405, 422), (
                        f"sale2 reached sale1's customer: {method.upper()} {url} → {response.status_code}"
                    )
                    assert str(customer.phones.first().e164) not in response.text
                elif method == "get" and response.status_code == 200:
                    assert "+84912345678" not in response.text and "0912 345 678" not in response.text, url
    customer.refresh_from_db()
    after = (Activity.objects.count(), StatusChange.objects.count(), FollowUp.objects.count(), customer.status_id)
    assert before == after
    assert checked >= 5
