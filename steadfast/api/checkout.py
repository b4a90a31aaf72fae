"""Checkout and order status endpoints: the same services as the HTML checkout (checkout.services.order_place)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Header, Query, Router

from steadfast.api.schemas import CheckoutOptionsOut, ErrorOut, OrderOut, PlaceOrderIn, money
from steadfast.cart.cart import Cart
from steadfast.checkout.services import CheckoutDetails, CheckoutError, OutOfStock, order_place
from steadfast.money import Money
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.routing import fits_delivery, method_description
from steadfast.providers.models import Provider
from steadfast.providers.selectors import providers_available
from steadfast.shipping.interface import Location
from steadfast.shipping.parcels import parcel_for
from steadfast.shipping.postcodes import postcode_normalise, postcode_problem
from steadfast.shipping.quotes import delivery_quotes
from steadfast.siteurl import absolute_url

router = Router(tags=["checkout"])

# Visible ASCII only: the key is stored and compared as-is, and a UUID4 is the intended shape.
IDEMPOTENCY_KEY = Header(
    alias="Idempotency-Key", min_length=8, max_length=64, pattern=r"^[\x21-\x7e]+$",
    description="A fresh random value (e.g. a UUID) per order. Repeating it returns the first order, not a new one.",
)


@router.get("/checkout/options", response=CheckoutOptionsOut, summary="Delivery quotes and payment methods")
def checkout_options(
    request,
    delivery: str = Query("", max_length=50, description=(
        "A delivery method code: only the payment methods that go with it are listed, worded for it.")),
    country: str = Query("", max_length=2, description=(
        "ISO 3166-1 code of the delivery address: only the delivery methods that deliver there (and pickup).")),
    postcode: str = Query("", max_length=20, description=(
        "Postcode of the delivery address: with country and city, carriers price it (live quotes).")),
    city: str = Query("", max_length=100, description="Town of the delivery address (with country and postcode)."),
):
    cart = Cart(request.session)
    notices = cart.reconcile()
    subtotal = cart.subtotal()
    country = country.strip().upper()
    postcode = postcode.strip()
    if country and postcode and not postcode_problem(country, postcode):
        postcode = postcode_normalise(country, postcode)  # as order placement stores it: the same priced route
    where = Location(country=country, postcode=postcode, city=" ".join(city.split()))
    quotes = [q for q in delivery_quotes(subtotal, where.country, destination=where if where.postcode else None,
                                         parcel=parcel_for((line.variant, line.quantity) for line in cart.lines()))
              if q.available]
    chosen = next((q for q in quotes if q.method_code == delivery), None)
    payments = providers_available(Provider.Kind.PAYMENT)
    if chosen is not None:
        payments = [p for p in payments if fits_delivery(p, pickup=not chosen.needs_address)]
    return {
        "subtotal": money(subtotal),
        "delivery_methods": [
            {"code": q.method_code, "name": q.name, "price": money(q.price), "needs_address": q.needs_address,
             "description": q.description, "countries": list(q.countries), "estimated": q.estimated}
            for q in quotes
        ],
        "payment_methods": [
            {"code": p.code, "name": p.name,
             "description": method_description(p, pickup=chosen is not None and not chosen.needs_address),
             "delivery_methods": [q.method_code for q in quotes if fits_delivery(p, pickup=not q.needs_address)]}
            for p in payments
        ],
        "messages": [str(notice) for notice in notices],
    }


@router.post(
    "/checkout/orders",
    response={200: OrderOut, 201: OrderOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Place an order (201 when created, 200 when the Idempotency-Key was seen before)",
)
def checkout_place(request, payload: PlaceOrderIn, idempotency_key: str = IDEMPOTENCY_KEY):
    if is_ratelimited(request, group="place-order", key="ip", rate=settings.RATELIMIT_PLACE_ORDER, increment=True):
        return 429, {"detail": _("Too many orders from your address; please wait a minute and try again.")}
    cart = Cart(request.session)
    if payload.lines is not None:
        lines = [(line.variant_id, line.quantity) for line in payload.lines]
    else:
        lines = list(cart.items.items())
    try:
        order, created = order_place(
            lines=lines, details=_details(payload), idempotency_key=idempotency_key, user=request.user,
            language=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        )
    except OutOfStock as error:
        return 409, {"detail": str(error)}
    except CheckoutError as error:
        return 422, {"detail": str(error)}
    if not created and order.email.lower() != payload.contact.email.lower():
        # A key is only a replay of the same shopper's order; never hand one customer's order to another.
        return 422, {"detail": _("This Idempotency-Key was already used for a different order; send a new one.")}
    if created and payload.lines is None:
        cart.clear()
    return (201 if created else 200), order_out(request, _with_details(Order.objects.filter(pk=order.pk)).get())


@router.get("/orders/{token}", response={200: OrderOut, 404: ErrorOut}, summary="An order by its secret token")
def order_detail(request, token: str):
    order = get_object_or_404(_with_details(Order.objects.all()), token=token)
    return order_out(request, order)


def _details(payload: PlaceOrderIn) -> CheckoutDetails:
    contact, address = payload.contact, payload.address
    return CheckoutDetails(
        email=contact.email, phone=contact.phone, full_name=contact.full_name,
        delivery_method=payload.delivery_method, payment_method=payload.payment_method,
        address_line1=address.line1.strip(), address_line2=address.line2.strip(), postcode=address.postcode.strip(),
        city=address.city.strip(), country=address.country.strip().upper(), note=payload.note.strip(),
    )


def _with_details(orders):
    return orders.prefetch_related("lines", "events", "payments")


def _status_label(status: str) -> str:
    return str(OrderStatus(status).label) if status in OrderStatus.values else ""


def order_out(request, order: Order) -> dict:
    payments = list(order.payments.all())  # newest first (Payment.Meta.ordering)
    currency = order.currency
    return {
        "number": order.number, "token": order.token, "status": order.status,
        "status_label": _status_label(order.status), "placed_at": order.created_at,
        "full_name": order.full_name, "email": order.email, "phone": order.phone, "address_lines": order.address_lines,
        "delivery_method": order.delivery_method, "delivery_name": order.delivery_name,
        "payment_method": order.payment_method, "payment_name": order.payment_name,
        "payment_reference": order.payment_reference,
        "payment_instructions": payments[0].instructions if payments else "",
        "reserved_until": order.reserved_until, "paid": order.is_paid,
        "lines": [
            {"product_name": line.product_name, "variant_label": line.variant_label, "sku": line.sku,
             "quantity": line.quantity, "unit_price": money(Money(line.unit_price, currency)),
             "total": money(Money(line.line_total, currency))}
            for line in order.lines.all()
        ],
        "subtotal": money(Money(order.subtotal, currency)),
        "delivery": money(Money(order.delivery_total, currency)),
        "total": money(order.total_money),
        "events": [
            {"at": event.created_at, "kind": event.kind, "status": event.to_status,
             "status_label": _status_label(event.to_status), "message": event.message}
            for event in order.events.all()
        ],
        "url": absolute_url(order.get_absolute_url()),
    }
