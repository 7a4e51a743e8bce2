"""Admin for channel connections (where marketing/managers paste page ids, secrets and tokens) and the inbox."""

from django.contrib import admin

from .models import ChannelConfig, DuplicateCandidate, ImportJob, InboxItem


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "source", "project", "external_id", "active", "webhook_path")
    list_filter = ("kind", "active", "source")
    search_fields = ("name", "external_id")
    readonly_fields = ("webhook_path",)

    @admin.display(description="Webhook URL (path)")
    def webhook_path(self, obj) -> str:
        return f"/intake/hook/{obj.kind}/{obj.token}/" if obj.pk else "—"


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "state", "received_at", "verified", "attempts")
    list_filter = ("state", "channel")
    search_fields = ("idempotency_key",)
    # Arrivals are evidence: read them, replay them from /intake/inbox/, never edit them.
    readonly_fields = [f.name for f in InboxItem._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "state", "dry_run", "rows", "new_customers", "merged", "invalid", "created_at")
    list_filter = ("state", "dry_run")


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ("customer", "other", "reason", "state", "found_at")
    list_filter = ("reason", "state")
