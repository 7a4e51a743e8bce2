"""Who sees what: the access functions, and a walk over every route for every role."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from leadpool.accounts import access


def test_salesperson_sees_only_own_customers(world, make_customer):
    mine = make_customer("0912345678").customer
    assert mine.owner is not None
    owner = mine.owner
    others = [u for u in (world.sale1, world.sale2, world.sale3) if u != owner]
    assert list(access.customers_for(owner)) == [mine]
    for other in others:
        assert not access.customers_for(other).exists()


def test_leader_sees_team_not_other_team(world, make_customer):
    a = make_customer("0912345678", project=world.lotus).customer
    b = make_customer("0987654321", project=world.songhan).customer
    assert set(access.customers_for(world.leader_a)) == {a}
    assert set(access.customers_for(world.leader_b)) == {b}
    assert set(access.customers_for(world.manager)) == {a, b}
    assert set(access.customers_for(world.mkt)) == {a, b}


def test_marketing_never_sees_full_phone(world, make_customer, login):
    c = make_customer("0912345678").customer
    page = login(world.mkt).get(f"/customers/{c.pk}/")
    assert page.status_code == 200
    assert "0912 345 678" not in page.text
    assert "0912 *** 678" in page.text
    api = login(world.mkt).get(f"/api/v1/customers/{c.pk}").json()
    assert api["phone"] == "0912 *** 678"


def test_only_managers_export(world):
    assert access.may_export(world.manager)
    for user in (world.sale1, world.leader_a, world.mkt):
        assert not access.may_export(user)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _concrete(route: str, ids: dict) -> str | None:
    """Turn a route pattern into a URL, filling ids with the probe customer's."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/")
    if route.startswith("admin/") or route.startswith("api/v1/"):
        return None  # the admin has its own staff check; the API is walked from its OpenAPI document below
    if "(?P" in route or "<path:" in route:
        return None

    def fill(match):
        name = match.group(1).split(":")[-1]
        return str(ids.get(name, ids["pk"]))

    return "/" + re.sub(r"<([^>]+)>", fill, route)


ROLES = ["sale1_owner", "sale2", "leader_a", "leader_b", "mkt", "manager", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
def test_url_walk_every_route(world, make_customer, login, role, client):
    """Every route answers each role without a server error; a customer's pages are 404 to those who may not see it."""
    customer = make_customer("0912345678").customer
    # Pin the owner so the story is the same every run.
    from leadpool.customers.ownership import assign

    assign(customer, to=world.sale1, team=world.team_a, reason="manual")
    users = {
        "sale1_owner": world.sale1, "sale2": world.sale2, "leader_a": world.leader_a, "leader_b": world.leader_b,
        "mkt": world.mkt, "manager": world.manager,
    }
    c = login(users[role]) if role in users else client
    ids = {"pk": customer.pk, "customer_id": customer.pk, "id": customer.pk}
    may_see = role in {"sale1_owner", "leader_a", "mkt", "manager"}
    # Chats hold the person's own words and numbers: only those who may work the customer read them.
    may_work = role in {"sale1_owner", "leader_a", "manager"}
    checked = 0
    for route, _pattern in _walk(get_resolver().url_patterns):
        url = _concrete(route, ids)
        if url is None:
            continue
        response = c.get(url)
        checked += 1
        assert response.status_code < 500, f"{role} GET {url} → {response.status_code}"
        if role == "anonymous":
            assert response.status_code in (200, 302, 401, 403, 404, 405), url
            continue
        # Routes about one customer name it `customer_id` (or `pk` under customers/).
        names_customer = "<int:customer_id>" in route or (route.startswith("customers/") and "<int:pk>" in route)
        if names_customer and response.status_code != 405:
            if route.startswith("conversations/") and not may_work:
                assert response.status_code == 404, f"{role} must get 404 on {url}, got {response.status_code}"
            elif may_see:
                assert response.status_code in (200, 302), f"{role} should open {url}"
            else:
                assert response.status_code == 404, f"{role} must get 404 on {url}, got {response.status_code}"
    assert checked > 5


@pytest.mark.parametrize("role", ["sale1_owner", "sale2", "leader_a", "leader_b", "mkt", "manager"])
def test_api_walk_every_get_path(world, make_customer, login, role):
    """Every GET path of the OpenAPI document, filled with a customer owned by sale1."""
    customer = make_customer("0912345678").customer
    from leadpool.customers.ownership import assign

    assign(customer, to=world.sale1, team=world.team_a, reason="manual")
    users = {
        "sale1_owner": world.sale1, "sale2": world.sale2, "leader_a": world.leader_a, "leader_b": world.leader_b,
        "mkt": world.mkt, "manager": world.manager,
    }
    c = login(users[role])
    schema = c.get("/api/v1/openapi.json").json()
    may_see = role in {"sale1_owner", "leader_a", "mkt", "manager"}
    for path, ops in schema["paths"].items():
        if "get" not in ops:
            continue
        url = re.sub(r"\{[^}]+\}", str(customer.pk), path)
        response = c.get(url)
        assert response.status_code < 500, f"{role} GET {url} → {response.status_code}"
        if "{customer_id}" in path and path.startswith("/api/v1/customers"):
            expected = 200 if may_see else 404
            assert response.status_code == expected, f"{role} GET {url} → {response.status_code}"
