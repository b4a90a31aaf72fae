"""Small pieces shared by the apps' admin modules."""


class ReadOnlyAdminMixin:
    """Records staff may look at but never add, edit or delete (payments, outbox, audit and health logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
