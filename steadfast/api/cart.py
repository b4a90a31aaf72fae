"""Cart endpoints: thin wrappers over cart.Cart, the same class the HTML cart pages use."""

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BeforeValidator

from steadfast.api.schemas import CartAddIn, CartOut, CartUpdateIn, ErrorOut, ImageOut, money
from steadfast.cart.cart import Cart, CartError, parse_quantity
from steadfast.siteurl import absolute_url

router = Router(tags=["cart"])


def _plain_number(value):
    """A path's item id is digits only: pydantic alone reads "+0.0" or "1e0" as a number (found by Schemathesis)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("the item id must be a whole number written with digits only")
    return value


ItemId = Annotated[int, BeforeValidator(_plain_number)]


def cart_out(request, cart: Cart, messages=()) -> dict:
    lines = cart.lines()
    return {
        "lines": [
            {
                "variant_id": line.variant.pk,
                "sku": line.variant.sku,
                "product_name": line.variant.product.name,
                "product_slug": line.variant.product.slug,
                "label": line.variant.label,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "total": money(line.total),
                "image": first_image(request, line.variant.product),
            }
            for line in lines
        ],
        "count": sum(line.quantity for line in lines),
        "subtotal": money(cart.subtotal(lines)),
        "messages": [str(message) for message in messages if message],
    }


def first_image(request, product) -> dict | None:
    images = list(product.images.all())  # prefetched by the caller where it matters
    return image_out(request, images[0]) if images else None


def image_out(request, image) -> dict:
    return ImageOut(url=absolute_url(image.image.url), alt=image.alt or "").dict()


def _error(error: CartError):
    return 422, {"detail": str(error)}


@router.get("", response=CartOut, summary="The session cart, brought in line with current stock")
def cart_detail(request):
    cart = Cart(request.session)
    return cart_out(request, cart, cart.reconcile())


@router.post("/items", response={200: CartOut, 422: ErrorOut}, summary="Add an item (quantities add up)")
def cart_add(request, payload: CartAddIn):
    cart = Cart(request.session)
    try:
        notice = cart.add(payload.variant_id, parse_quantity(payload.quantity))
    except CartError as error:
        return _error(error)
    return cart_out(request, cart, [notice])


@router.patch(
    "/items/{variant_id}", response={200: CartOut, 404: ErrorOut, 422: ErrorOut}, summary="Set an item's quantity"
)
def cart_update(request, variant_id: ItemId, payload: CartUpdateIn):
    cart = Cart(request.session)
    if str(variant_id) not in cart.items:
        return 404, {"detail": _("That item is not in your cart.")}
    try:
        notice = cart.update(variant_id, parse_quantity(payload.quantity))
    except CartError as error:
        return _error(error)
    return cart_out(request, cart, [notice])


@router.delete("/items/{variant_id}", response=CartOut, summary="Remove an item (no error if it was not there)")
def cart_remove(request, variant_id: ItemId):
    cart = Cart(request.session)
    cart.remove(variant_id)
    return cart_out(request, cart)
