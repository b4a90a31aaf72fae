"""Order-first checkout: the order (with stock reserved) exists before any money moves."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.accounting.sync import sync_rows_last
from steadfast.catalog.models import Variant
from steadfast.catalog.services import products_refresh_summary, variant_take_stock
from steadfast.checkout import limits
from steadfast.money import Money
from steadfast.notify.outbox import outbox_add
from steadfast.orders.models import Order, OrderLine
from steadfast.orders.services import CUSTOMER, SYSTEM, order_event_add, order_payload
from steadfast.payments.routing import delivery_mismatch
from steadfast.payments.services import payment_start_offline
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_for
from steadfast.shipping.interface import Location
from steadfast.shipping.parcels import parcel_for
from steadfast.shipping.postcodes import postcode_normalise, postcode_problem
from steadfast.shipping.quotes import delivery_quote
from steadfast.synthetic.product import PRODUCT_SLUG as SYNTHETIC_PRODUCT


class CheckoutError(ValueError):
    """Something the shopper must fix; nothing was written."""


class OutOfStock(CheckoutError):
    pass


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    phone: str
    full_name: str
    delivery_method: str
    payment_method: str
    address_line1: str = ""
    address_line2: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    note: str = ""
    pickup_point: str = ""  # a carrier's pickup point / locker code, when the delivery goes to one
    pickup_point_name: str = ""


def payment_provider(code) -> Provider:
    provider = Provider.objects.filter(kind=Provider.Kind.PAYMENT, enabled=True, code=code).first()
    if provider is None:
        raise CheckoutError(_("That payment method is not available; please choose another."))
    return provider


def order_place(
    *, lines, details: CheckoutDetails, idempotency_key: str, user=None, language="en", synthetic=False
) -> tuple[Order, bool]:
    """Place an order from [(variant_id, quantity)]. Returns (order, created); a replayed key returns the first.
    `synthetic`: the synthetic checkout probe's order (steadfast/synthetic/): flagged, no customer messages."""
    existing = Order.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing, False
    wanted = _merge(lines)
    try:
        limits.open_orders_check(details, user)
    except limits.LimitExceeded as error:
        raise CheckoutError(str(error)) from None
    provider = payment_provider(details.payment_method)
    gateway = adapter_for(provider)
    try:
        with transaction.atomic(), sync_rows_last():  # accounting's counter: taken last, held least
            order = _create(wanted, details, idempotency_key, user, language, provider, gateway, synthetic)
    except IntegrityError:
        # Two requests with one key raced; the other one won and is the order.
        existing = Order.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def _merge(lines) -> dict[int, int]:
    wanted = {}
    for variant_id, quantity in lines:
        if int(quantity) < 1:
            raise CheckoutError(_("Quantities must be at least 1."))
        wanted[int(variant_id)] = wanted.get(int(variant_id), 0) + int(quantity)
    if not wanted:
        raise CheckoutError(_("Your cart is empty."))
    return wanted


def _create(wanted, details, key, user, language, provider, gateway, synthetic) -> Order:
    variants = Variant.objects.select_related("product").in_bulk(list(wanted))
    subtotal = Money(0, settings.SHOP_CURRENCY)
    for variant_id, quantity in sorted(wanted.items()):  # fixed lock order avoids deadlocks between shoppers
        variant = variants.get(variant_id)
        if variant is None or not variant.product.is_active:
            raise CheckoutError(_("An item in your cart is no longer sold."))
        if (variant.product.slug == SYNTHETIC_PRODUCT) != synthetic:
            # The probe's hidden item only in the probe's orders (an order flagged synthetic is not business),
            # and the probe buys nothing real.
            raise CheckoutError(_("An item in your cart is no longer sold."))
        if variant.stock < quantity:  # the quick answer; the locked take at the end decides
            raise OutOfStock(_("Sorry, there is not enough stock of %(item)s left.") % {"item": variant})
        subtotal = subtotal + variant.unit_price * quantity
    try:
        limits.order_limits_check(wanted, subtotal, details, user)
    except limits.LimitExceeded as error:
        raise CheckoutError(str(error)) from None
    destination = Location(country=details.country, city=details.city, postcode=postcode_normalise(
        details.country, details.postcode) if details.country else details.postcode)
    parcel = parcel_for((variants[vid], qty) for vid, qty in wanted.items())
    quote = delivery_quote(details.delivery_method, subtotal, destination, parcel)  # the price the shopper saw
    if quote is None:
        raise CheckoutError(_("That delivery method is not available; please choose another."))
    street_needed = quote.needs_address and not quote.to_point  # a locker or carrier point: town only
    if street_needed and not details.address_line1 or quote.needs_address and not (details.city and details.postcode):
        raise CheckoutError(_("Please enter a delivery address."))
    if quote.needs_address and details.country not in quote.countries:
        raise CheckoutError(_("%(method)s does not deliver to that country; please choose another delivery "
                              "method or address.") % {"method": _(quote.name)})
    if quote.needs_address and postcode_problem(details.country, details.postcode):
        raise CheckoutError(postcode_problem(details.country, details.postcode))
    if quote.to_point and not details.pickup_point:
        raise CheckoutError(_("Please choose the pickup point the parcel should go to."))
    mismatch = delivery_mismatch(provider, pickup=not quote.needs_address)  # only pickup methods need no address
    if mismatch:
        raise CheckoutError(mismatch)
    order = Order.objects.create(
        idempotency_key=key, user=user if user and user.is_authenticated else None, language=language,
        email=details.email, phone=details.phone, full_name=details.full_name,
        address_line1=details.address_line1, address_line2=details.address_line2,
        postcode=postcode_normalise(details.country, details.postcode) if quote.needs_address else "",
        city=details.city, country=details.country, note=details.note,
        delivery_method=quote.method_code, delivery_name=quote.name, delivery_estimated=quote.estimated,
        pickup_point=details.pickup_point if quote.to_point else "",
        pickup_point_name=details.pickup_point_name[:300] if quote.to_point else "",
        payment_method=provider.code, payment_name=provider.name, currency=settings.SHOP_CURRENCY,
        subtotal=subtotal.amount, delivery_total=quote.price.amount, total=(subtotal + quote.price).amount,
        reserved_until=timezone.now() + timedelta(minutes=settings.RESERVATION_MINUTES), synthetic=synthetic,
    )
    order.number = f"SF-{order.pk:06d}"
    order.save(update_fields=["number"])
    OrderLine.objects.bulk_create([
        OrderLine(order=order, variant=variants[vid], product_name=variants[vid].product.name,
                  variant_label=variants[vid].label, sku=variants[vid].sku, unit_price=variants[vid].price,
                  quantity=qty, line_total=(variants[vid].unit_price * qty).amount)
        for vid, qty in wanted.items()
    ])
    order_event_add(order, "placed", CUSTOMER, _("Order placed."), to_status=order.status)
    if gateway.offline:
        # The one offline start (payments.services), inside this transaction; it moves the order on.
        payment_start_offline(order, provider, SYSTEM)
        order.refresh_from_db()
        if limits.offline_needs_confirmation(user):
            limits.offline_hold(order)
        else:
            order.confirmed_at = timezone.now()
    order.save()
    if not synthetic:  # the probe's order: nobody to tell, it cancels it at once
        outbox_add(key=f"order_confirmation:{order.pk}", kind="order_confirmation", recipient=order.email,
                   order=order, payload=order_payload(order))
        if gateway.offline and order.confirmed_at is None:
            outbox_add(key=f"order_confirm_request:{order.pk}", kind="order_confirm_request", recipient=order.email,
                       order=order, payload={**order_payload(order), "confirm_url": limits.confirm_url(order),
                                             "minutes": settings.OFFLINE_CONFIRM_MINUTES})
        limits.reservation_alert(order, wanted)
    _take_stock(wanted, variants)
    return order


def _take_stock(wanted, variants) -> None:
    """Last in the transaction: a variant's row stays locked from its take until the commit, and on launch day
    everybody buys the same one, so the shorter that stretch the more orders per second (issue 16). Taken in
    variant order, so two shoppers' carts never wait for each other in a circle; not enough left rolls all back."""
    for variant_id, quantity in sorted(wanted.items()):
        if not variant_take_stock(variant_id, quantity):
            raise OutOfStock(_("Sorry, there is not enough stock of %(item)s left.") % {"item": variants[variant_id]})
    products_refresh_summary(v.product_id for v in variants.values())
