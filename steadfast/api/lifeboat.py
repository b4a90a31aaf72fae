"""The off-host watcher's two doors into the shop (see docs/watch.md), both behind LIFEBOAT_TOKEN:

GET  /api/v1/lifeboat/oncall  the on-call rota (steadfast/oncall/), followed by the watcher's escalation.
GET  /api/v1/lifeboat         the public essentials (contacts, delivery methods, catalog snapshot) that the watcher
                              keeps on its own disk, so its emergency page can show them while this shop is down.
POST /api/v1/lifeboat/orders  an order request taken by the emergency page, placed here as an order awaiting
                              offline payment that staff confirm with the customer. The watcher's request id is the
                              order's idempotency key, so a request pushed twice (lost answer, watcher restart) is
                              one order.

With LIFEBOAT_TOKEN unset both answer 404: the feature is off and nothing about it is exposed.
"""

import secrets

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field

from steadfast.api.schemas import ContactFields, ErrorOut
from steadfast.catalog.models import Product, Variant
from steadfast.checkout.services import CheckoutDetails, CheckoutError, OutOfStock, order_place
from steadfast.orders.services import SYSTEM, order_event_add
from steadfast.payments.routing import fits_delivery
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_class
from steadfast.shipping.models import DeliveryMethod

SNAPSHOT_PRODUCTS = 500  # a lifeboat page lists what people ask for most; the whole catalog is not needed


class LifeboatToken(HttpBearer):
    def authenticate(self, request, token):
        expected = settings.LIFEBOAT_TOKEN
        if not expected:
            raise Http404  # off: answer as if the endpoint did not exist
        return secrets.compare_digest(token.encode(), expected.encode()) or None


router = Router(tags=["lifeboat"], auth=LifeboatToken())


@router.get("/lifeboat/oncall", response={200: dict, 401: ErrorOut, 404: ErrorOut},
            summary="The on-call rota for the off-host watcher (who is paged first, then whom)")
def lifeboat_oncall(request):
    from steadfast.oncall.rota import rota_document

    return rota_document()


@router.get("/lifeboat", response={200: dict, 401: ErrorOut, 404: ErrorOut},
            summary="Contacts, delivery methods and a catalog snapshot for the off-host watcher")
def lifeboat_export(request):
    site = settings.SITE_URL.rstrip("/")
    products = (Product.objects.filter(is_active=True, category__is_active=True).select_related("category")
                .prefetch_related("variants", "images").order_by("category__position", "name")[:SNAPSHOT_PRODUCTS])
    return {
        "generated_at": timezone.now().isoformat(),
        "shop": {"name": settings.SHOP_NAME, "phone": settings.SHOP_PHONE, "email": settings.SHOP_EMAIL,
                 "site_url": site, "currency": settings.SHOP_CURRENCY},
        "delivery_methods": [
            {"code": m.code, "name": m.name, "needs_address": m.needs_address}
            for m in DeliveryMethod.objects.filter(enabled=True)
        ],
        "products": [_product(p, site) for p in products],
    }


def _product(product, site) -> dict:
    images = list(product.images.all())
    variants = [v for v in product.variants.all() if v.is_active]
    return {
        "name": product.name,
        "category": product.category.name,
        "url": site + product.get_absolute_url(),
        "image_url": site + images[0].image.url if images else "",
        "variants": [{"sku": v.sku, "label": v.label, "price": str(v.price), "in_stock": v.stock > 0}
                     for v in variants],
    }


class RequestLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=999)


class OrderRequestIn(ContactFields):
    """Flat, as the watcher's emergency page sends it; e-mail and name are checked as the checkout API checks them."""

    request_id: str = Field(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    received_at: str = Field(max_length=40)
    phone: str = Field(min_length=3, max_length=32)
    delivery_method: str = Field(min_length=1, max_length=50)
    address_line1: str = Field("", max_length=200)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    note: str = Field("", max_length=2000)
    lines: list[RequestLineIn] = Field(min_length=1, max_length=50)


class OrderRequestOut(Schema):
    number: str
    created: bool


@router.post("/lifeboat/orders", response={200: OrderRequestOut, 201: OrderRequestOut, 401: ErrorOut, 404: ErrorOut,
                                               409: ErrorOut, 422: ErrorOut},
             summary="Place an order request taken by the watcher's emergency page (idempotent by request_id)")
def lifeboat_order_request(request, payload: OrderRequestIn):
    skus = {line.sku for line in payload.lines}
    variants = dict(Variant.objects.filter(sku__in=skus).values_list("sku", "pk"))
    missing = sorted(skus - set(variants))
    if missing:
        return 409, {"detail": _("Not sold any more: %(skus)s") % {"skus": ", ".join(missing)}}
    method = DeliveryMethod.objects.filter(enabled=True, code=payload.delivery_method).first()
    payment = _offline_method(pickup=method is not None and not method.needs_address)
    if method is None or payment is None:
        return 409, {"detail": _("That delivery method is not available; please choose another.")}
    note = _("Order request taken by the emergency page while the shop was down (%(at)s): confirm it with the "
             "customer.") % {"at": payload.received_at}
    details = CheckoutDetails(
        email=payload.email, phone=payload.phone, full_name=payload.full_name, delivery_method=method.code,
        payment_method=payment.code, address_line1=payload.address_line1, postcode=payload.postcode,
        city=payload.city, country=payload.country.upper(), note=f"{note}\n{payload.note}".strip(),
    )
    try:
        order, created = order_place(
            lines=[(variants[line.sku], line.quantity) for line in payload.lines], details=details,
            idempotency_key=f"lifeboat:{payload.request_id}",
        )
    except OutOfStock as error:
        return 409, {"detail": str(error)}
    except CheckoutError as error:
        return 422, {"detail": str(error)}
    if created:
        order_event_add(order, "lifeboat_request", SYSTEM, note)
    return (201 if created else 200), {"number": order.number, "created": created}


def _offline_method(pickup: bool):
    """Money is settled when staff call back: the first enabled offline method that fits the delivery."""
    for provider in Provider.objects.filter(kind=Provider.Kind.PAYMENT, enabled=True).order_by("priority", "name"):
        if getattr(adapter_class(provider.adapter), "offline", False) and fits_delivery(provider, pickup):
            return provider
    return None
