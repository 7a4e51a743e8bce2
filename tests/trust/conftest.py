"""Fixtures for the trust stories: a customer with data everywhere a person's details can end up."""

import pytest


@pytest.fixture
def rich_customer(world, make_customer, django_capture_on_commit_callbacks):
    """A customer whose name and phone appear in leads, raw payloads, inbox bodies, activities and notes."""
    from leadpool.customers.models import Status
    from leadpool.intake.models import InboxItem
    from leadpool.sales.actions import change_status, log_activity, schedule_follow_up
    from leadpool.sales.models import Activity

    name, phone = "Trần Thị Bích Ngọc", "0987 654 321"
    body = (
        '{"full_name": "Trần Thị Bích Ngọc", "phone_number": "+84987654321", "email": "ngoc.tran@example.vn"}'
    ).encode()
    item = InboxItem.objects.create(
        channel="facebook", path="/intake/hook/x/?phone=0987654321", body=body,
        headers={"X-Contact": "0987.654.321"}, remote_addr="203.0.113.9",
    )
    from leadpool.webhooks.models import Attempt, Delivery, Subscription

    Subscription.objects.create(event="lead.created", url="https://partner.example/hook")
    with django_capture_on_commit_callbacks(execute=True):
        result = make_customer(
            phone, name=name, emails=["ngoc.tran@example.vn"],
            raw_payload={"field_data": [{"name": "full_name", "values": [name]}, {"name": "phone", "values": ["0987654321"]}]},
            answers={"ngân sách": "3 tỷ", "liên hệ": "gọi 0987654321 sau 18h"},
            note=f"{name} hỏi về căn 2PN",
            consent_text="Tôi đồng ý để Redland liên hệ tư vấn.",
            inbox_item=item,
        )
    customer = result.customer
    delivery = Delivery.objects.get(customer=customer)
    assert name in str(delivery.payload)
    # A subscriber that echoes what it received.
    Attempt.objects.create(delivery=delivery, status_code=400, response_body=f"bad name {name}, phone 0987654321")
    owner = customer.owner
    log_activity(customer, by=owner, kind=Activity.Kind.CALL, body=f"Gọi chị {name} số 0987.654.321, hẹn gặp",
                 call_outcome="reached", duration_seconds=95)
    log_activity(customer, by=owner, kind=Activity.Kind.NOTE, body="Email ngoc.tran@example.vn, chồng là anh Nam")
    schedule_follow_up(customer, by=owner, due_at=customer.created_at, note=f"Gọi lại {name}")
    change_status(customer, to=Status.objects.get(key="in_care"), by=owner, reason=f"Đã nói chuyện với {name}")
    customer.refresh_from_db()
    return customer
