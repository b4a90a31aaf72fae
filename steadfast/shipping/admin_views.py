"""Staff pages around one order's parcel: the label download, the "ship by hand" form, the summary on the order
page. Views stay thin: the work is in shipping.labels and shipping.handship."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steadfast.orders.models import Order
from steadfast.orders.services import actor_for
from steadfast.shipping.handship import HandShipRefused, orders_to_ship_by_hand, shipment_ship_by_hand
from steadfast.shipping.models import DeliveryMethod, Shipment


class HandShipForm(forms.Form):
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=100,
                              help_text=gettext_lazy("e.g. Poczta Polska, DHL, a local courier."))
    tracking_number = forms.CharField(label=gettext_lazy("Tracking number"), max_length=100)
    tracking_url = forms.CharField(label=gettext_lazy("Tracking link"), max_length=500, required=False,
                                   help_text=gettext_lazy("Optional: the carrier's page for this parcel (https://…)."))


def label_download(request, shipment_id):
    if not request.user.has_perm("shipping.view_shipment"):
        raise PermissionDenied
    shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=shipment_id)
    if not shipment.label:
        raise Http404("no label")
    return FileResponse(shipment.label.open("rb"), as_attachment=True, filename=f"{shipment.order.number}.pdf",
                        content_type="application/pdf")


def ship_by_hand(request, admin_site, order_id):
    if not request.user.has_perm("shipping.change_shipment") or not request.user.has_perm("orders.change_order"):
        raise PermissionDenied
    order = get_object_or_404(Order, pk=order_id)
    form = HandShipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shipment_ship_by_hand(order, actor=actor_for(request.user), **form.cleaned_data)
        except HandShipRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Order %(number)s is shipped; the customer gets the tracking number.") % {
                "number": order.number})
            return redirect(reverse("admin:orders_order_change", args=[order.pk]))
    context = {**admin_site.each_context(request), "title": _("Ship order %(number)s by hand") % {
        "number": order.number}, "order": order, "form": form, "opts": Shipment._meta}
    return render(request, "admin/shipping/ship_by_hand.html", context)


def order_shipment_html(order) -> str:
    """The order page's delivery line: the carrier parcel with its tracking and label, or "ship by hand"."""
    shipment = Shipment.objects.filter(order=order).select_related("provider").first()
    if shipment is None:
        emergency = DeliveryMethod.objects.filter(code=order.delivery_method,
                                                  kind=DeliveryMethod.Kind.EMERGENCY).exists()
        if emergency and orders_to_ship_by_hand().filter(pk=order.pk).exists():
            url = reverse("admin:shipping_shipment_ship_by_hand", args=[order.pk])
            return format_html('<strong class="sf-ship-by-hand">{}</strong> <a class="button" href="{}">{}</a>',
                               _("Ship by hand: no carrier took this order at checkout."), url,
                               _("Enter carrier and tracking number"))
        return "—"
    carrier = shipment.provider.name if shipment.provider_id else shipment.carrier_name
    parts = [format_html("{} · {}", carrier, shipment.get_state_display())]
    if shipment.tracking_number:
        parts.append(format_html('<a href="{}" rel="noreferrer" target="_blank">{}</a>', shipment.tracking_url,
                                 shipment.tracking_number) if shipment.tracking_url else shipment.tracking_number)
    if order.pickup_point:
        parts.append(format_html("{}: {}", _("pickup point"), order.pickup_point_name or order.pickup_point))
    if shipment.label:
        parts.append(format_html('<a class="button" href="{}">{}</a>',
                                 reverse("admin:shipping_shipment_label", args=[shipment.pk]), _("Download label")))
    elif shipment.reference:
        parts.append(_("label not fetched yet"))
    parts.append(format_html('<a href="{}">{}</a>', reverse("admin:shipping_shipment_change", args=[shipment.pk]),
                             _("shipment")))
    return mark_safe(" · ".join(conditional_escape(p) for p in parts))  # each part escaped above
