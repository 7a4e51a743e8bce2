"""Conversation fixtures: the intake's connected channels and webhook poster, and a chat that became a customer."""

import pytest

from tests.intake.conftest import channels, post  # noqa: F401  (fixtures shared with the intake tests)
from tests.intake.test_messenger import AD, ad_referral, message, signed, webhook


@pytest.fixture
def messenger_chat(world, channels, post, run_tasks):  # noqa: F811
    """A click-to-Messenger chat that gave a number: (conversation, customer), owned by someone of team A."""
    from leadpool.conversations.models import Conversation

    config = channels["facebook"]
    config.ad_campaigns = {AD: "Lotus mở bán"}
    config.save()
    body = webhook(message("m_CHAT1", "Em là Hoa, số 0912 345 678", referral=ad_referral()))
    assert post(config, body, headers=signed(body)).status_code == 200
    run_tasks()
    conversation = Conversation.objects.select_related("customer__owner").get()
    assert conversation.customer is not None and conversation.customer.owner is not None
    return conversation, conversation.customer
