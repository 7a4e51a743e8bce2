"""Admin views of conversations: read to investigate, never edited (replies go through the customer page)."""

from django.contrib import admin

from .models import Conversation, Message


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnly):
    list_display = ("id", "platform", "config", "user_id", "customer", "referral_ad_id", "last_inbound_at")
    list_filter = ("platform", "config")
    search_fields = ("user_id", "referral_ad_id")
    raw_id_fields = ("customer",)


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("id", "conversation", "direction", "kind", "state", "at", "attempts")
    list_filter = ("platform", "direction", "state")
    search_fields = ("platform_message_id",)
    raw_id_fields = ("conversation", "inbox_item")
