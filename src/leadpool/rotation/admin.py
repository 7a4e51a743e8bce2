"""Managers edit the rotation rule (each save is a new audited version) and the company calendar."""

from django.contrib import admin

from leadpool.audit import log as audit

from . import rulesets
from .models import CalendarDay, Candidate, RuleSet, Violation, WorkingPeriod


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "created_at", "created_by", "note", "first_call_minutes", "auto_rotate", "open_cap")
    readonly_fields = ("version", "created_at", "created_by")

    def save_model(self, request, obj, form, change):
        # Versions are never edited in place: the form's values become the next version.
        row = rulesets.save_version({k: getattr(obj, k) for k in RuleSet.RULE_FIELDS}, by=request.user, note=obj.note)
        obj.pk, obj.version = row.pk, row.version

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _AuditedCalendar(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record("rotation.calendar_changed", actor=request.user, target=obj, data={"row": str(obj)})

    def delete_model(self, request, obj):
        audit.record("rotation.calendar_changed", actor=request.user, target=obj, data={"deleted": str(obj)})
        super().delete_model(request, obj)


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(_AuditedCalendar):
    list_display = ("weekday", "start", "end")


@admin.register(CalendarDay)
class CalendarDayAdmin(_AuditedCalendar):
    list_display = ("day", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "day"


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("customer", "team", "owner", "status_key", "kind", "state", "due_at", "decide_by", "escalated_at")
    list_filter = ("state", "kind", "team")
    raw_id_fields = ("customer", "owner", "new_owner", "decided_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ("user", "customer", "kind", "at", "detail")
    list_filter = ("kind",)
    raw_id_fields = ("customer", "user")

    def has_change_permission(self, request, obj=None) -> bool:
        return False
