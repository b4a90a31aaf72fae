from django.conf import settings

from steadfast.cart.cart import Cart
from steadfast.catalog.models import Category


def shop(request):
    session = getattr(request, "session", None)
    return {
        "shop_name": settings.SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
        "shop_email": settings.SHOP_EMAIL,
        "cart_count": len(Cart(session)) if session is not None else 0,
        # Lazy: queried only when a page shows the header; shop views pass their own already-loaded list.
        "nav_categories": Category.objects.filter(is_active=True, parent=None).order_by("position", "name"),
    }
