"""Fanpage comments for marketing and managers: every comment kept, newest first, with the lead it made."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from leadpool.accounts import access

from .models import ChannelConfig, PageComment
from .views import may_use_inbox

PER_PAGE = 30
HAS_PHONE = {"1": True, "0": False}


@login_required
def comments(request):
    # The same people as the inbox and the channel connections; other roles are not told the page exists.
    if not may_use_inbox(request.user):
        raise Http404
    page_id = request.GET.get("page_id", "").strip()
    post_id = request.GET.get("post", "").strip()
    has_phone = request.GET.get("has_phone", "").strip()
    qs = PageComment.objects.select_related("lead", "config")
    if page_id:
        qs = qs.filter(page_id=page_id)
    if post_id:
        qs = qs.filter(post_id=post_id)
    if has_phone in HAS_PHONE:
        qs = qs.filter(has_phone=HAS_PHONE[has_phone])
    page = Paginator(qs.order_by("-created_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    customer_ids = {c.lead.customer_id for c in page.object_list if c.lead is not None}
    visible = set(access.customers_for(request.user).filter(pk__in=customer_ids).values_list("pk", flat=True))
    pages = ChannelConfig.objects.filter(kind=ChannelConfig.Kind.FACEBOOK).exclude(external_id="")
    filters = {"page_id": page_id, "post": post_id, "has_phone": has_phone}
    context = {
        "page": page,
        "pages": [(c.external_id, c.name) for c in pages.order_by("name")],
        "filters": filters,
        "filtered": any(filters.values()),
        "visible": visible,
        "querystring": urlencode({k: v for k, v in filters.items() if v}),
    }
    template = "intake/comments.html#rows" if request.htmx else "intake/comments.html"
    return render(request, template, context)
