"""A customer's conversations and replies to them, for the people who may work the customer."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadpool.accounts import access

from .forms import ReplyForm
from .models import Conversation, Message
from .replies import WindowClosed, queue_reply, window_of


def _workable_customer(user, customer_id):
    """Chats are care work: only whoever may work the customer reads them (anything else is 404)."""
    customer = access.customer_or_404(user, customer_id)
    if not access.may_work_on(user, customer):
        raise Http404
    return customer


def threads(customer, *, bound: dict | None = None, flash: dict | None = None) -> list[dict]:
    now = timezone.now()
    rows = []
    conversations = (
        Conversation.objects.filter(customer=customer)
        .select_related("config")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.select_related("sent_by")))
    )
    for conversation in conversations:
        rows.append({
            "conversation": conversation,
            "messages": list(conversation.messages.all()),
            "window": window_of(conversation, now),
            "form": (bound or {}).get(conversation.pk) or ReplyForm(auto_id=f"reply{conversation.pk}_%s"),
            "flash": (flash or {}).get(conversation.pk, ""),
        })
    return rows


def _render(request, customer, **kwargs):
    rows = threads(customer, **kwargs)
    context = {
        "customer": customer,
        "threads": rows,
        # While a reply is on its way the panel refreshes itself to show it sent (or failed).
        "sending": any(m.state == Message.State.QUEUED for row in rows for m in row["messages"]),
    }
    template = "conversations/_threads.html" if request.htmx else "conversations/threads.html"
    return render(request, template, context)


@login_required
def customer_threads(request, customer_id: int):
    return _render(request, _workable_customer(request.user, customer_id))


@login_required
@require_POST
def reply(request, conversation_id: int):
    conversation = get_object_or_404(Conversation.objects.select_related("config"), pk=conversation_id,
                                     customer__isnull=False)
    customer = _workable_customer(request.user, conversation.customer_id)
    form = ReplyForm(request.POST, auto_id=f"reply{conversation.pk}_%s")
    if form.is_valid():
        try:
            with transaction.atomic():
                queue_reply(conversation, form.cleaned_data["text"], by=request.user)
        except WindowClosed:
            form.add_error(None, _("Đã hết thời hạn trả lời trên nền tảng này: tin nhắn không được gửi."))
        else:
            if not request.htmx:
                return redirect("customers:detail", customer_id=customer.pk)
            return _render(request, customer, flash={conversation.pk: _("Đã xếp tin nhắn vào hàng gửi.")})
    status = 200 if request.htmx else 400
    response = _render(request, customer, bound={conversation.pk: form})
    response.status_code = status
    return response
