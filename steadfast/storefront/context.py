from django.conf import settings
from django.utils.functional import SimpleLazyObject

from steadfast.cart.cart import Cart
from steadfast.catalog.selectors import category_tree


def shop(request):
    session = getattr(request, "session", None)
    return {
        "shop_name": settings.SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
        "shop_email": settings.SHOP_EMAIL,
        "cart_count": len(Cart(session)) if session is not None else 0,
        # Lazy: read only when a page shows the header, from the category tree cached per catalog version (the
        # same list the shop views pass); only visible categories, as on the catalog pages.
        "nav_categories": SimpleLazyObject(lambda: category_tree().roots()),
    }
