"""Checkout steps. Each step validates its own form and stores the result in the session (flow.CheckoutState);
the order is written only by services.order_place, from database prices."""

from dataclasses import asdict, dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from steadfast.cart.cart import Cart, CartLine
from steadfast.checkout.countries import country_name
from steadfast.checkout.flow import CheckoutState, placed_lookup, placed_remember, same_place
from steadfast.checkout.forms import AddressForm, ContactForm, DeliveryForm, DestinationForm, PaymentForm, PointForm
from steadfast.checkout.services import CheckoutError, OutOfStock, order_place, payment_provider
from steadfast.money import Money
from steadfast.orders.models import OrderStatus
from steadfast.payments.routing import fits_delivery, method_description, payment_methods
from steadfast.payments.views import payment_begin
from steadfast.providers.models import Provider
from steadfast.providers.selectors import providers_available
from steadfast.shipping.points import PointsUnavailable, pickup_points, shown_point
from steadfast.shipping.quotes import delivery_countries, delivery_quotes, method_requote
from steadfast.status.selectors import payment_methods_order
from steadfast.storefront.templatetags.shop import money
from steadfast.synthetic.product import synthetic_session


@dataclass
class Step:
    name: str
    cart: Cart
    lines: list[CartLine]
    subtotal: Money
    state: CheckoutState

    def render(self, request, template, **context):
        steps = self.state.indicator(self.name, self.subtotal)
        done = [s["name"] for s in steps if s["state"] == "done"]
        context.update(step=self.name, steps=steps, back=done[-1] if done else None, lines=self.lines,
                       subtotal=self.subtotal)
        return render(request, template, context)


def checkout_step(name):
    """Load cart and state; send the shopper back to the cart or to the first unfinished step when needed."""
    def decorator(view):
        @wraps(view)
        def wrapper(request):
            cart = Cart(request.session)
            notices = cart.reconcile()
            for notice in notices:
                messages.warning(request, notice)
            lines = cart.lines()
            if not lines:
                if not notices:
                    messages.info(request, _("Your cart is empty; add something before checking out."))
                return redirect("cart:detail")
            state = CheckoutState(request.session)
            step = Step(name, cart, lines, cart.subtotal(lines), state)
            missing = state.first_missing(step.subtotal, before=name)
            if missing:
                return redirect(f"checkout:{missing}")
            if name in ("address", "point") and name not in state.steps(step.subtotal):
                return _next(state, step.subtotal, "delivery")
            return view(request, step)
        return wrapper
    return decorator


def _next(state, subtotal, current):
    names = state.steps(subtotal)
    return redirect(f"checkout:{names[names.index(current) + 1]}")


@checkout_step("contact")
def contact(request, step):
    initial = step.state.get("contact")
    if not initial and request.user.is_authenticated:
        initial = {"email": request.user.email, "full_name": request.user.get_full_name()}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        step.state.set("contact", form.cleaned_data)
        return _next(step.state, step.subtotal, "contact")
    return step.render(request, "checkout/contact.html", form=form)


@checkout_step("delivery")
def delivery(request, step):
    destination = step.state.destination()
    asked_where = request.method == "POST" and "where" in request.POST
    where = DestinationForm(request.POST if asked_where else None, countries=delivery_countries(),
                            initial=asdict(destination) if destination else None)
    if asked_where and where.is_valid():
        step.state.set("destination", where.cleaned_data)  # carriers are asked for this place on the next GET
        return redirect("checkout:delivery")
    quotes = delivery_quotes(step.subtotal, destination=destination, parcel=step.state.parcel())
    form = DeliveryForm(request.POST if request.method == "POST" and not asked_where else None, quotes=quotes,
                        initial=step.state.get("delivery"))
    if form.is_bound and form.is_valid():
        step.state.set("delivery", form.cleaned_data)
        if destination and not step.state.get("destination"):
            step.state.set("destination", asdict(destination))  # priced for the address: keep the two together
        return _next(step.state, step.subtotal, "delivery")
    rows = [(quote, ", ".join(country_name(code) for code in quote.countries)) for quote in quotes]
    return step.render(request, "checkout/delivery.html", form=form, quotes=quotes, rows=rows, where=where,
                       destination=destination, awaiting=any(q.awaits_address for q in quotes),
                       country=country_name(destination.country) if destination else "")


@checkout_step("point")
def point(request, step):
    """A plain list of the carrier's points with a search box (postcode or town): works without JavaScript."""
    method = step.state.get("delivery")["method"]
    chosen = step.state.get("point")
    if request.method == "POST":
        code = request.POST.get("point", "")
        label = shown_point(method, code) if code else None  # only a point we listed; the carrier is not asked
        if label:
            step.state.set("point", {"method": method, "code": code, "label": label,
                                     "query": request.POST.get("q", "")[:100]})
            return _next(step.state, step.subtotal, "point")
    destination = step.state.destination()
    query = (request.GET.get("q") or request.POST.get("q") or chosen.get("query")
             or (destination.city if destination else "")).strip()[:100]
    try:
        points, unavailable = pickup_points(method, query), False
    except PointsUnavailable:
        points, unavailable = [], True
    form = PointForm(request.POST if request.method == "POST" else None, points=points,
                     initial={"point": chosen.get("code")} if chosen.get("method") == method else None)
    if form.is_bound:
        form.is_valid()  # shows why: nothing chosen, or a point no longer listed
    return step.render(request, "checkout/point.html", form=form, points=points, query=query,
                       unavailable=unavailable, quote=step.state.quote(step.subtotal))


@checkout_step("address")
def address(request, step):
    quote = step.state.quote(step.subtotal)
    initial = step.state.get("address") or step.state.get("destination") or None
    form = AddressForm(request.POST or None, initial=initial, countries=quote.countries)
    if request.method == "POST" and form.is_valid():
        step.state.set("address", form.cleaned_data)
        if quote.live and not same_place(form.cleaned_data, step.state.get("destination")):
            return _requote(request, step, quote, form.cleaned_data)
        return _next(step.state, step.subtotal, "address")
    return step.render(request, "checkout/address.html", form=form)


def _requote(request, step, quote, address):
    """The address is not where the carrier priced the delivery: ask it again for the new place. The same price
    goes on; a new price (or none) is shown at the delivery step before anything is charged."""
    place = {name: address[name] for name in ("country", "postcode", "city")}
    step.state.set("destination", place)
    fresh = method_requote(quote.method_code, step.subtotal, step.state.destination(), step.state.parcel())
    if fresh is not None and fresh.price == quote.price:
        return _next(step.state, step.subtotal, "address")
    if fresh is None:
        messages.warning(request, _("%(method)s cannot deliver to %(postcode)s %(city)s right now; please choose "
                                    "another delivery method.") % {"method": _(quote.name), **place})
    else:
        messages.info(request, _("Delivery to %(postcode)s %(city)s with %(method)s costs %(price)s (not "
                                 "%(old)s); please confirm.") % {
            "method": _(quote.name), "price": money(fresh.price), "old": money(quote.price), **place})
    return redirect("checkout:delivery")


@checkout_step("payment")
def payment(request, step):
    # A status policy (e.g. every online gateway out) may put offline methods first, with a notice.
    pickup = step.state.is_pickup(step.subtotal)  # pay at pickup is offered only with a pickup
    offered = [p for p in providers_available(Provider.Kind.PAYMENT) if fits_delivery(p, pickup)]
    providers, offline_first = payment_methods_order(offered)
    for provider in providers:
        provider.shown_description = method_description(provider, pickup)  # e.g. bank transfer with pickup
    form = PaymentForm(request.POST or None, providers=providers, initial=step.state.get("payment"))
    if request.method == "POST" and form.is_valid():
        step.state.set("payment", form.cleaned_data)
        return _next(step.state, step.subtotal, "payment")
    unavailable = [c.provider for c in payment_methods(pickup=pickup).choices if not c.available]  # shown greyed out
    return step.render(request, "checkout/payment.html", form=form, providers=providers, offline_first=offline_first,
                       unavailable=unavailable, pickup=pickup)


@checkout_step("review")
def review(request, step):
    quote = step.state.quote(step.subtotal)
    total = step.subtotal + quote.price
    address = step.state.get("address") if step.state.needs_address(step.subtotal) else {}
    provider = step.state.provider()
    return step.render(
        request, "checkout/review.html", quote=quote, total=total, provider=provider,
        provider_description=method_description(provider, pickup=not quote.needs_address),
        point=step.state.get("point") if quote.to_point else {},
        contact=step.state.get("contact"), address=address, country=country_name(address.get("country", "")),
        note=step.state.get("delivery").get("note", ""), token=step.state.new_token(),
        fingerprint=step.state.fingerprint(step.cart, total), reservation_minutes=settings.RESERVATION_MINUTES,
    )


def place_rate(group, request):
    # Read at request time so the limit follows settings (and tests can override it).
    return settings.RATELIMIT_PLACE_ORDER


@require_POST
@ratelimit(group="place-order", key="ip", rate=place_rate, block=True)  # one budget with the API
def place(request):
    key = request.POST.get("token", "")
    placed = placed_lookup(request.session, key)
    if placed:
        # A double click or a replayed POST: the order already exists, show it.
        return redirect("orders:detail", placed)
    state = CheckoutState(request.session)
    if not key or key != state.token:
        messages.error(request, _("This order form is out of date; please check your order and place it again."))
        return redirect("checkout:review")
    cart = Cart(request.session)
    lines = cart.lines()
    subtotal = cart.subtotal(lines)
    missing = state.first_missing(subtotal, before="review") if lines else None
    if not lines or missing:
        return redirect(f"checkout:{missing}" if missing else "cart:detail")
    quote = state.quote(subtotal)
    if request.POST.get("fingerprint") != state.fingerprint(cart, subtotal + quote.price):
        messages.warning(request, _("Your order changed since you reviewed it; please check it again."))
        return redirect("checkout:review")
    try:
        order, _created = order_place(
            lines=[(line.variant.pk, line.quantity) for line in lines], details=state.details(subtotal),
            idempotency_key=key, user=request.user, language=translation.get_language() or settings.LANGUAGE_CODE,
            synthetic=synthetic_session(request.session),
        )
    except OutOfStock as error:
        messages.error(request, str(error))
        return redirect("cart:detail")
    except CheckoutError as error:
        messages.error(request, str(error))
        return redirect("checkout:review")
    placed_remember(request.session, key, order.token)
    cart.clear()
    state.clear()
    if _created and order.status == OrderStatus.PENDING_PAYMENT:
        # Online method: the order (stock reserved) exists and is committed; now send the customer to pay.
        messages.success(request, _("Your order %(number)s has been placed.") % {"number": order.number})
        return payment_begin(request, order, payment_provider(order.payment_method))
    messages.success(request, _("Thank you! Your order %(number)s has been placed.") % {"number": order.number})
    return redirect(order)

