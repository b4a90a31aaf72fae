"""The parcel an order is quoted and shipped as: the packed weights of its items summed.

A unit weighs its variant's weight, else its product's, else SHIPPING_DEFAULT_PARCEL_GRAMS (erring heavy: a carrier
charges the real weight, so an unweighed item must not make the shopper's price too low). The same function prices
the cart at checkout and registers the order's parcel, so the weight quoted is the weight shipped.
"""

from django.conf import settings

from steadfast.shipping.interface import Parcel


def parcel_for(items) -> Parcel:
    """`items`: (variant or None, quantity) pairs; a deleted variant (an old order line) counts the default."""
    grams = sum((variant.unit_weight_grams if variant is not None else settings.SHIPPING_DEFAULT_PARCEL_GRAMS)
                * int(quantity) for variant, quantity in items)
    return Parcel(weight_grams=max(1, grams or settings.SHIPPING_DEFAULT_PARCEL_GRAMS))


def default_parcel() -> Parcel:
    return Parcel(weight_grams=settings.SHIPPING_DEFAULT_PARCEL_GRAMS)
