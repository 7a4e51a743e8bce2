from django.contrib import admin

from leadpool.sales.forms import StatusRulesForm

from .models import Group, Project, Source, Status


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "phase", "active")
    list_filter = ("phase", "active")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "channel", "default_project", "active")
    list_filter = ("channel", "active")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "parent")
    search_fields = ("name",)


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "kind", "rank", "hold_rule", "hold_days", "position")
    list_editable = ("position",)
    ordering = ("position",)
    # Status rules (required fields, allowed moves) as checkboxes rather than raw JSON: see sales.forms.
    form = StatusRulesForm
    fieldsets = [
        (None, {"fields": ["key", "label", "label_en", "kind", "rank", "position", "color"]}),
        ("Giữ khách", {"fields": ["hold_rule", "hold_days"]}),
        ("Quy tắc chuyển trạng thái", {"fields": ["required_fields", "allowed_next"]}),
    ]
