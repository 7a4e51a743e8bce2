"""Admin for channel connections (where marketing/managers paste page ids, secrets and tokens) and the inbox."""

from django.contrib import admin

from .models import ChannelConfig, DuplicateCandidate, ImportJob, InboxItem, PageComment


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


@admin.register(PageComment)
class PageCommentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "page_id", "from_name", "has_phone", "hidden_at", "removed_at")
    list_filter = ("has_phone", "page_id")
    search_fields = ("comment_id", "post_id", "from_name")
    # What people wrote on the page, as Meta delivered it: read-only here, listed for marketing at /intake/comments/.
    readonly_fields = [f.name for f in PageComment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
