from steadfast.status.banner import banner_for
from steadfast.status.selectors import current_mode


def status(request):
    """Banner and shop mode for every template (base.html includes status/banner.html)."""
    return {"status_banner": banner_for(request), "shop_mode": current_mode()}
