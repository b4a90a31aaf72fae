"""The parcel an order is quoted and shipped as: the packed weights of its items summed, their boxes stacked.

A unit weighs its variant's weight, else its product's, else SHIPPING_DEFAULT_PARCEL_GRAMS (erring heavy: a carrier
charges the real weight, so an unweighed item must not make the shopper's price too low). The same function prices
the cart at checkout and registers the order's parcel, so the weight quoted is the weight shipped.

Size (docs/delivery.md, "Parcel size"): each unit's box is its variant's sides, else its product's, else the
SHIPPING_DEFAULT_BOX_CM box; its sides are sorted longest first, so it lies flat. The units are stacked: the parcel
is as long as the longest unit, as wide as the widest, and as high as all units' heights summed. That over-states
a mixed cart rather than under-states it (a carrier re-measures and charges the real size).
"""

from django.conf import settings

from steadfast.shipping.interface import Parcel


def parcel_for(items) -> Parcel:
    """`items`: (variant or None, quantity) pairs; a deleted variant (an old order line) counts the defaults."""
    grams, length, width, height = 0, 0, 0, 0
    for variant, quantity in items:
        quantity = int(quantity)
        if quantity <= 0:
            continue
        unit_grams = variant.unit_weight_grams if variant is not None else settings.SHIPPING_DEFAULT_PARCEL_GRAMS
        sides = sorted((variant.unit_sides_cm if variant is not None else None) or settings.SHIPPING_DEFAULT_BOX_CM,
                       reverse=True)
        grams += unit_grams * quantity
        length, width, height = max(length, sides[0]), max(width, sides[1]), height + sides[2] * quantity
    if not height:  # an empty cart: the default parcel
        return default_parcel()
    # Named longest first, as carriers expect (a tall stack of flat units is longer than it is wide).
    length, width, height = sorted((length, width, height), reverse=True)
    return Parcel(weight_grams=max(1, grams or settings.SHIPPING_DEFAULT_PARCEL_GRAMS),
                  length_cm=length, width_cm=width, height_cm=height)


def default_parcel() -> Parcel:
    length, width, height = settings.SHIPPING_DEFAULT_BOX_CM
    return Parcel(weight_grams=settings.SHIPPING_DEFAULT_PARCEL_GRAMS, length_cm=length, width_cm=width,
                  height_cm=height)
