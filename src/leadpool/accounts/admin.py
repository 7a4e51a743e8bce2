from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, Attendance, Membership, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Leadpool", {"fields": ("role", "phone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("Leadpool", {"fields": ("role",)}))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "leader")
    filter_horizontal = ("projects",)
    inlines = [MembershipInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "checked_in_at")
    list_filter = ("day",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("key_prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("key_hash", "key_prefix", "created_at", "last_used_at")
