"""Small pieces shared by the apps' admin modules."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseNotAllowed

from steadfast.shoptime import shop_datetime

DATETIME_FORMAT = "DATETIME_FORMAT"


def object_for_button(model_admin, request, object_id):
    """For a button's view on a change page: (the object, None) for a POST by someone who may change it, or
    (None, the response to return): 405 for any other method, the admin's "does not exist" redirect. No permission:
    PermissionDenied (403)."""
    if request.method != "POST":
        return None, HttpResponseNotAllowed(["POST"])
    found = model_admin.get_object(request, unquote(object_id))
    if found is None:
        return None, model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_change_permission(request, found):
        raise PermissionDenied
    return found, None


class ReadOnlyAdminMixin:
    """Records staff may look at but never add, edit or delete (payments, outbox, audit and health logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ShopTimeAdminMixin:
    """Model datetime fields shown read-only or as list columns read in the shop's zone with the zone named
    ("30 Nov 2026, 17:56 CET"), like every other time staff see (docs/configuration.md).

    Django's admin prints them in DATETIME_FORMAT without a zone and has no hook for that, so each one is swapped,
    by name, for a display method with the field's label (`created_at` → `created_at_shop`). Editable datetime fields
    keep their form widgets. `shop_time_columns` gives list columns a compact format of their own."""

    shop_time_columns = "j M Y, H:i"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shop_times = {}
        for field in self.model._meta.get_fields():
            if isinstance(field, models.DateTimeField):
                self._shop_times[field.name] = f"{field.name}_shop"
                empty = self.get_empty_value_display
                setattr(self, f"{field.name}_shop", _shop_time_display(field, DATETIME_FORMAT, empty))
                setattr(self, f"{field.name}_shop_column", _shop_time_display(field, self.shop_time_columns, empty))

    def _swap(self, names, readonly, suffix="_shop"):
        return type(names)(self._swap(name, readonly, suffix) if isinstance(name, (list, tuple))
                           else (f"{name}{suffix}" if name in self._shop_times and name in readonly else name)
                           for name in names)

    def get_readonly_fields(self, request, obj=None):
        names = super().get_readonly_fields(request, obj)
        return self._swap(names, set(names))

    def get_fields(self, request, obj=None):
        # Django lists the form's fields, then the read-only ones: a swapped time would come twice.
        swapped = self._swap(super().get_fields(request, obj), set(super().get_readonly_fields(request, obj)))
        return list(dict.fromkeys(swapped))

    def get_fieldsets(self, request, obj=None):
        readonly = set(super().get_readonly_fields(request, obj))
        return [(title, {**options, "fields": self._swap(options["fields"], readonly)})
                for title, options in super().get_fieldsets(request, obj)]

    def get_list_display(self, request):
        return self._swap(super().get_list_display(request), self._shop_columns(), "_shop_column")

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        return self._swap(links, self._shop_columns(), "_shop_column") if links else links

    def _shop_columns(self):
        return set(self._shop_times) - set(self.list_editable)  # an editable column keeps its input


def _shop_time_display(field, format_name, empty):
    """A display method for `field`: the shop's zone, named; sortable by the field itself; `empty()` when unset."""

    @admin.display(description=field.verbose_name, ordering=field.name)
    def show(obj):
        value = getattr(obj, field.name)
        return shop_datetime(value, format_name) if value else empty()

    return show
