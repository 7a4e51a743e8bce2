"""Managers define care scripts (steps with day offsets, attached to statuses or projects) in the admin."""

from django.contrib import admin

from .models import CareScript, CareStep, FollowUp


class CareStepInline(admin.StackedInline):
    model = CareStep
    extra = 1
    # Automatic e-mail/SMS/ZNS steps carry their content; the nurture app sends them on their day.
    fields = (("day_offset", "kind", "automatic"), "note", "subject", "body", ("zns_template_id", "zns_template_data"))


@admin.register(CareScript)
class CareScriptAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "step_count", "trigger")
    list_filter = ("active",)
    filter_horizontal = ("statuses", "projects")
    inlines = [CareStepInline]
    fields = ("name", "description", "active", "statuses", "projects")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("steps", "statuses", "projects")

    @admin.display(description="Số bước")
    def step_count(self, obj) -> int:
        return len(obj.steps.all())

    @admin.display(description="Bắt đầu khi")
    def trigger(self, obj) -> str:
        parts = [f"vào “{s.label}”" for s in obj.statuses.all()] + [f"tham gia {p.name}" for p in obj.projects.all()]
        return ", ".join(parts) or "—"


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "due_at", "done_at", "cancelled_at", "script_step")
    list_filter = ("kind",)
    raw_id_fields = ("customer", "owner", "created_by", "done_activity")
    date_hierarchy = "due_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the schedule is history: cancel, never delete
