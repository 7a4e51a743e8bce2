"""The indexes every imported row writes: only those something reads (migration customers 0005, both databases)."""

import pytest
from django.db import IntegrityError, connection, transaction

from leadpool.customers.models import Customer, Phone


def _indexes(table: str) -> dict[str, str]:
    """Index name → its definition (PostgreSQL) or its SQL (SQLite), as the database itself reports."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_phone_and_name_key_indexes_serve_equality_without_like_twins():
    phone_indexes = _indexes("customers_phone")
    customer_indexes = _indexes("customers_customer")
    # Phones are matched by equality and searched by contains, names likewise: no pattern_ops twins to write.
    assert not [d for d in (*phone_indexes.values(), *customer_indexes.values()) if "pattern_ops" in d]
    assert "customer_name_key" in customer_indexes
    if connection.vendor == "postgresql":
        assert "UNIQUE" in phone_indexes["phone_unique_e164"]
    # The e-mail's twin stays: search and the duplicate scan look addresses up by prefix (local part + "@").
    if connection.vendor == "postgresql":
        assert any("varchar_pattern_ops" in d for d in _indexes("customers_email").values())


@pytest.mark.django_db
def test_a_phone_is_still_held_by_one_customer_only(world):
    from leadpool.customers.models import Status

    status = Status.objects.get(key="new")
    first, second = Customer.objects.create(status=status), Customer.objects.create(status=status)
    Phone.objects.create(customer=first, e164="+84912345678")
    with pytest.raises(IntegrityError), transaction.atomic():
        Phone.objects.create(customer=second, e164="+84912345678")


@pytest.mark.django_db
def test_leads_without_an_inbox_item_and_hand_outs_decided_by_nobody_stay_out_of_their_indexes():
    lead_index = _indexes("customers_lead")["lead_inbox_item"]
    decided_index = _indexes("customers_assignment")["assignment_decided_by"]
    assert "WHERE" in lead_index and "inbox_item_id" in lead_index
    assert "WHERE" in decided_index and "decided_by_id" in decided_index
    # The plain foreign-key indexes they replace are gone.
    assert not [name for name, d in _indexes("customers_lead").items() if "inbox_item_id" in d and "WHERE" not in d]
    assert not [name for name, d in _indexes("customers_assignment").items() if "decided_by_id" in d and "WHERE" not in d]
