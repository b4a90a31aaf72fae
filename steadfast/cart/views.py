"""Cart pages: thin views over cart.Cart. Bad input gives a message and leaves the cart as it was."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from steadfast.cart.cart import SESSION_KEY, Cart, CartError, parse_quantity
from steadfast.catalog.cache import stock_version
from steadfast.storefront.pagecache import anonymous_page_cache


def _cart_lines(request) -> str:
    """What the cart page shows besides the catalog (already in the page key): the session's lines and their stock
    (how many are left; a line bigger than what is left is brought in line, with a message)."""
    session = getattr(request, "session", None)
    lines = repr(sorted(session.get(SESSION_KEY, {}).items())) if session is not None else ""
    return f"{lines}:{stock_version()}"


@anonymous_page_cache(vary=_cart_lines)
def detail(request):
    cart = Cart(request.session)
    lines = cart.lines()
    notices = cart.reconcile(lines)
    for notice in notices:
        messages.warning(request, notice)
    if notices:  # rare: something sold out or went off sale since it was added
        lines = cart.lines()
    context = {"lines": lines, "subtotal": cart.subtotal(lines), "low_stock": settings.SHOP_LOW_STOCK}
    return render(request, "cart/detail.html", context)


@require_POST
def add(request):
    cart = Cart(request.session)
    try:
        notice = cart.add(request.POST.get("variant"), parse_quantity(request.POST.get("quantity", "1")))
    except CartError as error:
        messages.error(request, str(error))
        return redirect(_back(request))
    if notice:
        messages.warning(request, notice)
    else:
        messages.success(request, _("Added to your cart."))
    return redirect("cart:detail")


@require_POST
def update(request):
    cart = Cart(request.session)
    try:
        notice = cart.update(request.POST.get("variant"), parse_quantity(request.POST.get("quantity")))
    except CartError as error:
        messages.error(request, str(error))
        return redirect("cart:detail")
    if notice:
        messages.warning(request, notice)
    else:
        messages.success(request, _("Your cart has been updated."))
    return redirect("cart:detail")


@require_POST
def remove(request):
    cart = Cart(request.session)
    if request.POST.get("variant") not in cart.items:
        messages.error(request, _("That item is not in your cart."))
    else:
        cart.remove(request.POST["variant"])
        messages.success(request, _("The item was removed from your cart."))
    return redirect("cart:detail")


def _back(request):
    """Return to the product page the shopper came from, but never to another site."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return "cart:detail"
