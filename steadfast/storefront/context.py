from django.conf import settings

from steadfast.cart.cart import Cart


def shop(request):
    session = getattr(request, "session", None)
    return {
        "shop_name": settings.SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
        "shop_email": settings.SHOP_EMAIL,
        "cart_count": len(Cart(session)) if session is not None else 0,
    }
