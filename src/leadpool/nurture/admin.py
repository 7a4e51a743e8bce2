"""The automatic sends, read-only: history is written by the sender, never by hand."""

from django.contrib import admin

from .models import Send


@admin.register(Send)
class SendAdmin(admin.ModelAdmin):
    list_display = ("customer", "channel", "state", "due_at", "sent_at", "attempts", "error")
    list_filter = ("channel", "state")
    raw_id_fields = ("customer", "script", "step")
    date_hierarchy = "due_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
