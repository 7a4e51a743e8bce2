"""A lead becomes part of exactly one customer."""

from leadpool.customers.models import Assignment, Customer, Lead


def test_same_person_three_channels_three_writings_is_one_customer(world, make_customer):
    first = make_customer("+84 912 345 678", src=world.facebook)
    second = make_customer("0912345678", src=world.google)
    third = make_customer("0912.345.678", src=world.hotline)
    assert first.created and not second.created and not third.created
    assert Customer.objects.count() == 1
    customer = first.customer
    assert customer.leads.count() == 3
    assert list(customer.phones.values_list("e164", flat=True)) == ["+84912345678"]
    customer.refresh_from_db()
    assert customer.first_source == world.facebook and customer.latest_source == world.hotline


def test_old_eleven_digit_number_matches_its_ten_digit_form(world, make_customer):
    a = make_customer("01686 123 456")
    b = make_customer("038 6123 456")
    assert a.customer == b.customer
    assert Customer.objects.count() == 1


def test_new_customer_assigned_in_team_of_project_and_returning_goes_to_owner(world, make_customer):
    first = make_customer("0912345678", project=world.lotus)
    assert first.owner in {world.sale1, world.sale2, world.sale3}
    again = make_customer("0912345678", project=world.lotus, src=world.google)
    assert again.owner == first.owner
    assert Assignment.objects.filter(customer=first.customer).count() == 1
    notes = list(first.owner.notifications.values_list("kind", flat=True))
    assert "customer.assigned" in notes and "customer.returning" in notes


def test_round_robin_spreads_new_customers(world, make_customer):
    owners = [make_customer(f"09123456{i:02d}").owner for i in range(9)]
    assert {o.username: owners.count(o) for o in owners} == {"sale1": 3, "sale2": 3, "sale3": 3}


def test_invalid_phone_still_recorded_with_reason(world, make_customer):
    result = make_customer("12345")
    assert result.customer.phones.count() == 0
    lead = Lead.objects.get(pk=result.lead.pk)
    assert "12345" in lead.phone_invalid_reason


def test_new_email_added_to_profile_and_email_matches(world, make_customer):
    a = make_customer("0912345678", emails=["an@example.com"])
    b = make_customer(None, emails=["AN@example.com"]) if False else None
    from leadpool.intake.capture import LeadInput, capture

    b = capture(LeadInput(source=world.google, name="An", emails=[" AN@Example.com"]))
    assert b.customer == a.customer and not b.created


def test_new_owner_starts_without_the_previous_owners_open_follow_ups(world, make_customer):
    from django.utils import timezone

    from leadpool.customers.ownership import assign
    from leadpool.sales.actions import schedule_follow_up
    from leadpool.sales.models import FollowUp

    customer = make_customer("0912345678").customer
    first = customer.owner
    follow_up = schedule_follow_up(customer, by=first, due_at=timezone.now() + timezone.timedelta(days=1))
    other = next(u for u in (world.sale1, world.sale2, world.sale3) if u != first)
    assign(customer, to=other, team=world.team_a, reason="rotation", by=world.leader_a)
    follow_up.refresh_from_db()
    assert follow_up.cancelled_at is not None and follow_up.done_at is None
    assert not FollowUp.objects.filter(customer=customer, cancelled_at__isnull=True).exists()
