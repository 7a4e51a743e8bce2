"""Sales stories: a salesperson (sale1) with customers captured the way the channels bring them."""

import pytest


@pytest.fixture
def owned(world, make_customer):
    """owned(phone=None, owner=world.sale1, **kw) -> a captured customer, then handed to `owner`."""
    from leadpool.customers.models import Assignment
    from leadpool.customers.ownership import assign

    def _owned(phone=None, *, owner=None, **kw):
        owner = owner or world.sale1
        customer = make_customer(phone, **kw).customer
        if customer.owner_id != owner.pk:
            assign(customer, to=owner, team=world.team_a, reason=Assignment.Reason.MANUAL)
        customer.refresh_from_db()
        return customer

    return _owned


@pytest.fixture
def htmx():
    return {"HTTP_HX_REQUEST": "true"}
