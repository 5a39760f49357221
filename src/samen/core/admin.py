from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    ApiToken,
    AuditEvent,
    EnrolmentCode,
    Membership,
    Municipality,
    Organisation,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality"]
    raw_id_fields = ["organisation"]


@admin.register(User)
class SamenUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "concern_deadline_working_days"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "kind", "is_ambassador"]
    list_filter = ["municipality", "kind", "is_ambassador"]
    search_fields = ["name", "slug"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "municipality", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "municipality"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash"]


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(admin.ModelAdmin):
    """Codes are made on the accounts page or with `samen enrolment_code`, not here."""

    list_display = ["user", "municipality", "created_by", "created_at", "expires_at", "used_at"]
    readonly_fields = ["code_hash"]

    def has_add_permission(self, request):
        return False
