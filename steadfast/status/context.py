from steadfast.providers.store import STORE_ERRORS
from steadfast.status.banner import banner_for
from steadfast.status.readiness import database_down, database_down_mode
from steadfast.status.selectors import current_mode


def status(request):
    """Banner and shop mode for every template (base.html includes status/banner.html)."""
    if database_down(request):  # this node cannot reach the database: say ordering is paused, show what is cached
        try:
            banner = banner_for(request)
        except STORE_ERRORS:
            banner = None
        return {"status_banner": banner, "shop_mode": database_down_mode()}
    return {"status_banner": banner_for(request), "shop_mode": current_mode()}
