"""What the system wrote by itself cannot be 'corrected' by a person: neither by the action nor through the page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadpool.sales import actions
from leadpool.sales.models import Activity


@pytest.mark.parametrize("kind", [Activity.Kind.SYSTEM, Activity.Kind.NURTURE, Activity.Kind.FOLLOW_UP])
def test_system_records_refuse_a_correction(world, make_customer, kind):
    customer = make_customer().customer
    original = Activity.objects.create(customer=customer, kind=kind, body="Đã gửi SMS chăm sóc")
    with pytest.raises(ValidationError):
        actions.correct_activity(original, by=customer.owner, body="sửa")
    assert not Activity.objects.filter(corrects=original).exists()


def test_the_page_offers_no_correction_for_an_automatic_send_and_refuses_a_forced_one(world, make_customer, login):
    customer = make_customer().customer
    sent = Activity.objects.create(customer=customer, kind=Activity.Kind.NURTURE, body="Đã gửi e-mail chăm sóc")
    call = actions.log_activity(customer, by=customer.owner, kind=Activity.Kind.CALL, call_outcome="reached", body="ok")
    client = login(customer.owner)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert reverse("sales:correct", args=[customer.pk, call.pk]) in page
    assert reverse("sales:correct", args=[customer.pk, sent.pk]) not in page

    forced = client.post(reverse("sales:correct", args=[customer.pk, sent.pk]), {"body": "sửa"}, HTTP_HX_REQUEST="true")
    assert "không thể đính chính" in forced.content.decode()
    assert not Activity.objects.filter(corrects=sent).exists()
