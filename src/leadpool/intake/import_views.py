"""File import pages: upload, map columns with a preview, dry run or import, watch the progress bar."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leadpool.customers.models import Project, Source

from . import jobs
from .fields import FIELDS, guess_mapping
from .imports import XLSX_SUFFIXES, preview
from .models import ImportJob
from .views import _require_inbox

MAX_UPLOAD_BYTES = 300 * 1024 * 1024
FIELD_LABELS = {
    "name": gettext_lazy("Họ tên"), "phone": gettext_lazy("Số điện thoại"), "phone2": gettext_lazy("Số điện thoại 2"),
    "email": "E-mail", "email2": "E-mail 2", "project": gettext_lazy("Dự án"), "source": gettext_lazy("Nguồn (ghi chú)"),
    "campaign": gettext_lazy("Chiến dịch"), "note": gettext_lazy("Ghi chú"), "consent": gettext_lazy("Đồng ý liên hệ"),
    "external_id": gettext_lazy("Mã khách hàng"), "relationship": gettext_lazy("Mối quan hệ / trạng thái"),
    "group": gettext_lazy("Nhóm khách hàng"), "address": gettext_lazy("Địa chỉ"), "adset": gettext_lazy("Nhóm quảng cáo"),
    "ad": gettext_lazy("Quảng cáo"), "form": "Form",
}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp CSV hoặc Excel (.xlsx)"))
    source = forms.ModelChoiceField(label=gettext_lazy("Nguồn"), queryset=Source.objects.filter(active=True))
    project = forms.ModelChoiceField(
        label=gettext_lazy("Dự án (khi tệp không có cột dự án)"), queryset=Project.objects.filter(active=True), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in {".csv", ".txt"} | XLSX_SUFFIXES:
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 300 MB)."))
        return upload


@login_required
def upload(request):
    _require_inbox(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"source": Source.objects.filter(key="old_data").first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = ImportJob.objects.create(
            file=data["file"], original_name=data["file"].name[:255], source=data["source"], project=data["project"],
            created_by=request.user, total_bytes=data["file"].size,
        )
        try:
            headers, _rows = preview(job.file.path, rows=1)
        except Exception as exc:  # a file that cannot be read at all is said so at once
            job.state = ImportJob.State.FAILED
            job.error = str(exc)[:500]
            job.save(update_fields=["state", "error"])
            form.add_error("file", _("Không đọc được tệp: %(error)s") % {"error": exc})
        else:
            job.mapping = guess_mapping(headers)
            job.save(update_fields=["mapping"])
            return redirect("intake:import_job", job_id=job.pk)
    recent = ImportJob.objects.select_related("source", "created_by")
    if not request.user.is_manager:
        recent = recent.filter(created_by=request.user)
    return render(request, "intake/import_upload.html", {"form": form, "jobs": recent[:20]})


def _job_for(user, job_id: int) -> ImportJob:
    _require_inbox(user)
    qs = ImportJob.objects.select_related("source", "project")
    if not user.is_manager:
        qs = qs.filter(created_by=user)
    return get_object_or_404(qs, pk=job_id)


@login_required
def job(request, job_id: int):
    job = _job_for(request.user, job_id)
    headers, rows = preview(job.file.path, rows=10) if job.state != ImportJob.State.FAILED or job.rows else ([], [])
    if request.method == "POST":
        if job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING):
            messages.info(request, _("Tệp đang được xử lý."))
            return redirect("intake:import_job", job_id=job.pk)
        if job.state == ImportJob.State.DONE and not job.dry_run:
            messages.info(request, _("Tệp này đã được nhập xong; tải lên lại nếu muốn nhập lần nữa."))
            return redirect("intake:import_job", job_id=job.pk)
        job.mapping = {h: request.POST.get(f"map_{i}") for i, h in enumerate(headers) if request.POST.get(f"map_{i}") in FIELDS}
        if "phone" not in job.mapping.values() and "email" not in job.mapping.values():
            messages.error(request, _("Hãy chọn cột số điện thoại hoặc e-mail."))
            job.save(update_fields=["mapping"])
            return redirect("intake:import_job", job_id=job.pk)
        jobs.start(job, dry_run=request.POST.get("action") != "import")
        return redirect("intake:import_job", job_id=job.pk)
    columns = [{"index": i, "header": h, "field": job.mapping.get(h, "")} for i, h in enumerate(headers)]
    context = {
        "job": job, "columns": columns, "rows": rows, "fields": [(f, FIELD_LABELS.get(f, f)) for f in FIELDS],
        "running": job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING),
    }
    return render(request, "intake/import_job.html", context)


@login_required
def progress(request, job_id: int):
    job = _job_for(request.user, job_id)
    running = job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
    response = render(request, "intake/import_job.html#progress", {"job": job, "running": running})
    if not running and request.htmx:
        # The finished job shows its results and actions: reload the whole page once.
        response["HX-Refresh"] = "true"
    return response


@login_required
def invalid_report(request, job_id: int):
    job = _job_for(request.user, job_id)
    path = jobs.report_path(job)
    if not path.exists():
        raise Http404(_("Chưa có báo cáo dòng lỗi."))
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"dong-loi-{job.pk}.csv")  # noqa: SIM115
