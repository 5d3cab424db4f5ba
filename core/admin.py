from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records, not forms: audit and log rows are shown, never added, edited or deleted from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Child rows (lines, audit events) shown on a parent's page, never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
