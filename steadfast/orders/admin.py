"""The order desk: find orders, read everything about one, move it along the state machine. Prices never change here."""

import re

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ShopTimeAdminMixin, object_for_button
from steadfast.notify.models import OutboxMessage
from steadfast.orders.admin_actions import ACTIONS, BULK_ACTIONS, OrderActionForm, orders_apply
from steadfast.orders.admin_filters import DeliveryMethodFilter, NeedsActionFilter, PaymentMethodFilter, SyntheticFilter
from steadfast.orders.admin_links import payment_link_send_view
from steadfast.orders.models import Order, OrderEvent, OrderLine
from steadfast.orders.services import actor_for
from steadfast.orders.staff_entry import phone_order_view
from steadfast.orders.templatetags.backoffice import status_badge
from steadfast.payments import routing
from steadfast.payments.links import PaymentLinkRefused, payment_link_create, payment_link_current, payment_link_url
from steadfast.payments.models import Payment
from steadfast.shipping.admin_views import order_shipment_html
from steadfast.shipping.handship import ShipByHandFilter
from steadfast.shoptime import shop_datetime
from steadfast.storefront.templatetags.shop import money


class ReadOnlyInline(ShopTimeAdminMixin, admin.TabularInline):
    """History is never edited: staff see it, the services write it (times in the shop's zone, named)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = (
        "product_name", "variant_label", "sku", "unit_price_display", "quantity", "total_display",
    )

    @admin.display(description=_("unit price"))
    def unit_price_display(self, line):
        return money(line.unit_price, line.order.currency)

    @admin.display(description=_("total"))
    def total_display(self, line):
        return money(line.line_total, line.order.currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    verbose_name_plural = _("timeline")
    fields = readonly_fields = ("created_at", "kind", "status_change", "actor", "message")

    @admin.display(description=_("status change"))
    def status_change(self, event):
        if not event.to_status:
            return "—"
        if not event.from_status:
            return status_badge(event.to_status)
        return format_html("{} → {}", status_badge(event.from_status), status_badge(event.to_status))


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = ("created_at", "provider", "state", "amount_display", "reference", "error")

    @admin.display(description=_("amount"))
    def amount_display(self, payment):
        return money(payment.money)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")


class OutboxMessageInline(ReadOnlyInline):
    model = OutboxMessage
    verbose_name_plural = _("messages to the customer")
    fields = readonly_fields = (
        "created_at", "kind", "channel", "recipient", "status", "attempts", "sent_at", "last_error",
    )


@admin.register(Order)
class OrderAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/orders/order/change_form.html"
    change_list_template = "admin/orders/order/change_list.html"
    list_display = ("number", "placed", "customer", "status_display", "payment_name", "total_display", "paid")
    list_display_links = ("number",)
    list_filter = ("status", NeedsActionFilter, ShipByHandFilter, PaymentMethodFilter, DeliveryMethodFilter,
                   "created_at", SyntheticFilter)
    date_hierarchy = "created_at"
    search_fields = ("number", "email", "phone", "full_name")
    search_help_text = _("Order number, e-mail, phone or name.")
    ordering = ("-created_at", "-pk")
    list_per_page = 50
    actions = BULK_ACTIONS
    inlines = (OrderLineInline, PaymentInline, OrderEventInline, OutboxMessageInline)
    fieldsets = (
        (None, {"fields": (("status_display", "created_at", "paid_at"),)}),
        (_("Customer"), {"fields": (("full_name", "email", "phone"), ("note", "user", "language"))}),
        (_("Delivery and payment"), {"fields": (("delivery_name", "delivery_estimated", "address"), "shipment_summary",
                                                ("payment_name", "payment_reference", "reserved_until"))}),
        (_("Totals"), {"fields": (("subtotal_display", "delivery_total_display", "total_display"),)}),
    )
    # Everything is read-only: prices and customer details are fixed when the order is placed,
    # and the status only moves through the actions (the state machine).
    readonly_fields = (
        "status_display", "created_at", "paid_at", "reserved_until", "full_name", "email", "phone",
        "user", "note", "language", "delivery_name", "delivery_estimated", "address", "payment_name",
        "payment_reference",
        "subtotal_display", "delivery_total_display", "total_display", "shipment_summary",
    )

    def has_add_permission(self, request):
        return False  # orders come from checkout, or from a phone order (staff_entry), never a blank form

    def has_delete_permission(self, request, obj=None):
        return False  # orders are records; cancel instead

    @admin.display(description=_("placed"), ordering="created_at")
    def placed(self, order):
        return shop_datetime(order.created_at, "j M Y, H:i")  # compact, with the zone named

    @admin.display(description=_("customer"), ordering="full_name")
    def customer(self, order):
        return format_html('{}<br><span class="sf-quiet">{}</span>', order.full_name, order.email)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, order):
        return status_badge(order.status)

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, order):
        return money(order.total, order.currency)

    @admin.display(description=_("subtotal"))
    def subtotal_display(self, order):
        return money(order.subtotal, order.currency)

    @admin.display(description=_("delivery"))
    def delivery_total_display(self, order):
        return money(order.delivery_total, order.currency)

    @admin.display(description=_("paid"), boolean=True, ordering="paid_at")
    def paid(self, order):
        return order.is_paid

    @admin.display(description=_("shipment"))
    def shipment_summary(self, order):
        return order_shipment_html(order)  # carrier, tracking, label download, or "ship by hand"

    @admin.display(description=_("address"))
    def address(self, order):
        if not order.address_line1:
            return "—"  # pickup: no delivery address was asked for
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in order.address_lines)) or "—"

    def get_search_results(self, request, queryset, search_term):
        """Also find a phone number typed without its spaces or dashes (e.g. from caller ID)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = re.sub(r"\D", "", search_term)
        if len(digits) >= 6 and not re.search(r"[^\d\s+()./-]", search_term):
            bare = Replace(Replace(Replace(Replace("phone", Value(" "), Value("")), Value("-"), Value("")),
                                   Value("+"), Value("")), Value("/"), Value(""))
            matches = Order.objects.annotate(bare_phone=bare).filter(bare_phone__contains=digits).values("pk")
            # OR-ed with the filtered queryset, so the list filters still apply.
            found = found | queryset.filter(Q(pk__in=matches))
        return found, may_have_duplicates

    # --- The action panel on the order page -----------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.action_view)
        link = self.admin_site.admin_view(self.payment_link_view)
        phone = self.admin_site.admin_view(lambda request: phone_order_view(self, request))
        send = self.admin_site.admin_view(lambda request, object_id: payment_link_send_view(self, request, object_id))
        return [path("phone/", phone, name="orders_order_phone"),
                path("<path:object_id>/act/", view, name="orders_order_act"),
                path("<path:object_id>/payment-link/send/", send, name="orders_order_payment_link_send"),
                path("<path:object_id>/payment-link/", link, name="orders_order_payment_link"), *super().get_urls()]

    def payment_link_view(self, request, object_id):
        """A phone order: make a link the customer pays online with; staff send it, never typing card numbers."""
        order, refusal = object_for_button(self, request, object_id)
        if refusal is not None:
            return refusal
        try:
            link = payment_link_create(order, actor_for(request.user))
        except PaymentLinkRefused as error:
            self.message_user(request, gettext("No payment link for order %(order)s: %(reason)s") % {
                "order": order, "reason": error}, level="ERROR")
        else:
            self.log_change(request, order, gettext("Payment link created."))
            self.message_user(request, gettext("Payment link for order %(order)s: %(url)s — send it to the "
                                               "customer; it is not sent automatically.") % {
                "order": order, "url": payment_link_url(link)}, level="SUCCESS")
        return redirect(reverse("admin:orders_order_change", args=[order.pk]))

    def action_view(self, request, object_id):
        order, refusal = object_for_button(self, request, object_id)
        if refusal is not None:
            return refusal
        form = OrderActionForm(request.POST)
        if form.is_valid():
            action = ACTIONS[form.cleaned_data["action"]]
            if action.dangerous and not form.cleaned_data["confirmed"]:
                return self._confirm_page(request, order, action, form.cleaned_data["note"])
            orders_apply(self, request, [order], action, form.cleaned_data["note"])
        else:
            errors = "; ".join(error for field_errors in form.errors.values() for error in field_errors)
            self.message_user(request, gettext("Order %(order)s was not changed: %(reason)s") % {
                "order": order, "reason": errors}, level="ERROR")
        return redirect(reverse("admin:orders_order_change", args=[order.pk]))

    def _confirm_page(self, request, order, action, note):
        """Cancel and refund cannot be undone: a page of their own says what will happen and asks once more."""
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": order, "action": action,
            "note": note, "title": gettext("Are you sure?"), "subtitle": str(order),
            "lines": order.lines.all(),
        }
        return TemplateResponse(request, "admin/orders/order/confirm_action.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, unquote(object_id))
        actions = [a for a in ACTIONS.values() if a.applies_to(order)] if order else []
        extra_context = {
            **(extra_context or {}),
            "title": gettext("Order"),
            "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
            "order_actions": actions,
            "order_actions_forward": [a for a in actions if not a.dangerous],
            "order_actions_danger": [a for a in actions if a.dangerous],
            "order_action_form": OrderActionForm(),
            "can_act": order is not None and self.has_change_permission(request, order),
            **self._payment_link_context(order),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _payment_link_context(self, order) -> dict:
        if order is None or routing.start_refusal(order):
            return {}
        link = payment_link_current(order)
        return {"can_link": True, "payment_link": link, "payment_link_url": payment_link_url(link) if link else ""}
