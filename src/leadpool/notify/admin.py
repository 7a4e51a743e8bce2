from django.contrib import admin

from .models import Delivery, Notification, Preference


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "push", "email", "telegram")
    raw_id_fields = ("user",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "state", "attempts", "at", "error")
    list_filter = ("channel", "state")
    raw_id_fields = ("notification",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "customer")
