"""A customer's personal-data page: consent records, withdrawal, erasure and export. Thin views over privacy."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadpool.accounts import access
from leadpool.audit.log import client_ip

from . import privacy


@login_required
def privacy_page(request, customer_id: int):
    customer = access.customer_or_404(request.user, customer_id)
    leads = customer.leads.select_related("source").order_by("-received_at")
    context = {
        "customer": customer,
        "consents": [
            {"received_at": lead.received_at, "source": lead.source.name, "text": lead.consent_text,
             "at": lead.consent_at, "channel": lead.consent_channel}
            for lead in leads
        ],
        "can_withdraw": access.may_work_on(request.user, customer) and customer.consent_withdrawn_at is None,
        "can_export": access.may_export(request.user),
        "can_erase": access.may_export(request.user) and customer.erased_at is None,
        "retention_days": privacy.retention_days(),
    }
    return render(request, "customers/privacy/page.html", context)


@login_required
@require_POST
def withdraw_consent(request, customer_id: int):
    customer = access.customer_or_404(request.user, customer_id)
    if not access.may_work_on(request.user, customer):
        raise PermissionDenied
    privacy.withdraw_consent(customer, by=request.user, channel=request.POST.get("channel", ""), ip=client_ip(request))
    messages.success(request, _("Đã ghi nhận khách hàng rút lại đồng ý. Marketing sẽ không liên hệ nữa."))
    return redirect("customers:privacy", customer_id=customer.pk)


@login_required
@require_POST
def export_personal_data(request, customer_id: int):
    customer = access.customer_or_404(request.user, customer_id)
    if not access.may_export(request.user):
        raise PermissionDenied
    data = privacy.export(customer, by=request.user, ip=client_ip(request))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="khach-hang-{customer.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def erase(request, customer_id: int):
    customer = access.customer_or_404(request.user, customer_id)
    if not access.may_export(request.user):
        raise PermissionDenied
    if request.POST.get("confirm") != "XOA":
        messages.error(request, _("Hãy gõ XOA để xác nhận xoá dữ liệu cá nhân."))
        return redirect("customers:privacy", customer_id=customer.pk)
    privacy.erase(customer, by=request.user, reason=request.POST.get("reason", ""), ip=client_ip(request))
    messages.success(request, _("Đã xoá dữ liệu cá nhân. Số liệu báo cáo vẫn được giữ."))
    return redirect("customers:privacy", customer_id=customer.pk)
