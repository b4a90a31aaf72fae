"""Staff actions on orders: the same services checkout uses, so the state machine decides what is allowed."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steadfast.orders import services
from steadfast.orders.models import OrderStatus
from steadfast.orders.states import UNPAID, TransitionNotAllowed, order_allowed_transitions

NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class OrderAction:
    name: str
    label: str
    done: str  # message after success, with %(orders)s
    service: object
    confirm: str = ""  # set for the actions that cannot be undone: staff are asked again on a page of its own
    confirm_button: str = ""

    @property
    def dangerous(self) -> bool:
        return bool(self.confirm)

    def applies_to(self, order) -> bool:
        """Whether the state machine allows this action now (decides which buttons the order page shows)."""
        if self.name == "mark_paid":
            shipped_unpaid = order.status in (OrderStatus.FULFILLED, OrderStatus.DELIVERED) and order.paid_at is None
            return order.status in UNPAID or shipped_unpaid
        if self.name == "confirm":
            return order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.confirmed_at is None
        return _TARGETS[self.name] in order_allowed_transitions(order)


ACTIONS = {
    action.name: action
    for action in (
        OrderAction("confirm", _("Confirm (keep stock reserved)"), _("Confirmed: %(orders)s."),
                    services.order_confirm),
        OrderAction("mark_paid", _("Mark paid"), _("Marked as paid: %(orders)s."), services.order_mark_paid),
        OrderAction("fulfil", _("Mark shipped"), _("Marked as shipped: %(orders)s."), services.order_fulfil),
        OrderAction("deliver", _("Mark delivered"), _("Marked as delivered: %(orders)s."), services.order_deliver),
        OrderAction(
            "cancel", _("Cancel and release stock"), _("Cancelled, stock released: %(orders)s."), services.order_cancel,
            confirm=_("Cancel this order and put its items back in stock? This cannot be undone."),
            confirm_button=_("Yes, cancel the order"),
        ),
        OrderAction(
            "refund", _("Mark refunded"), _("Marked as refunded: %(orders)s."), services.order_refund,
            confirm=_("Mark this order as refunded? This cannot be undone."),
            confirm_button=_("Yes, mark it refunded"),
        ),
    )
}
_TARGETS = {
    "fulfil": OrderStatus.FULFILLED,
    "deliver": OrderStatus.DELIVERED,
    "cancel": OrderStatus.CANCELLED,
    "refund": OrderStatus.REFUNDED,
}


class OrderActionForm(forms.Form):
    """The action panel on the order page: one note, one button per action."""

    action = forms.ChoiceField(choices=[(a.name, a.label) for a in ACTIONS.values()])
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)  # the second step of a dangerous one
    note = forms.CharField(
        label=_("Note for the timeline"), required=False, max_length=NOTE_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Optional: why, tracking number, who you spoke to…")}),
    )


def orders_apply(model_admin, request, orders, action: OrderAction, note="") -> int:
    """Run one action on each order; each succeeds or fails alone (a failed one is left exactly as it was).

    Reports the result to the user with admin messages and writes an admin log entry per changed order.
    """
    actor = services.actor_for(request.user)
    changed, failed = [], []
    for order in orders:
        try:
            updated = action.service(order, actor, note)
        except TransitionNotAllowed as error:
            failed.append((order, error))
            continue
        changed.append(updated)
        model_admin.log_change(request, updated, gettext("%(action)s from the back office.") % {"action": action.label})
    if changed:
        numbers = ", ".join(str(order) for order in changed)
        model_admin.message_user(request, action.done % {"orders": numbers}, messages.SUCCESS)
    for order, error in failed:
        text = gettext("Order %(order)s was not changed: %(reason)s") % {"order": order, "reason": error}
        model_admin.message_user(request, text, messages.ERROR)
    return len(changed)


def _bulk(action: OrderAction):
    def run(model_admin, request, queryset):
        orders_apply(model_admin, request, queryset.order_by("pk"), action, gettext("Changed from the order list."))

    run.__name__ = f"bulk_{action.name}"
    run.short_description = action.label
    run.allowed_permissions = ("change",)
    return run


BULK_ACTIONS = [_bulk(action) for action in ACTIONS.values()]
