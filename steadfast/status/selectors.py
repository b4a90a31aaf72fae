"""Reads for shop mode and banner. Both are on every request, so they are cached briefly."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from steadfast.cachesafe import lenient_cache as cache
from steadfast.status.models import ORDERING_BLOCKED, Action, Banner, Mode, PartnerShop, Policy, ShopMode

MODE_CACHE_KEY = "status:mode:v1"
MODE_LAST_KEY = "status:mode:last:v1"
POLICY_CACHE_KEY = "status:policy:actions:v1"
BANNER_CACHE_KEY = "status:banner:v1"
PARTNERS_CACHE_KEY = "status:partners:v1"
CACHE_SECONDS = 5


@dataclass(frozen=True)
class ModeState:
    mode: str
    message: str = ""
    eta: datetime | None = None
    until: datetime | None = None
    automatic: bool = False

    @property
    def ordering_blocked(self):
        return self.mode in ORDERING_BLOCKED

    @property
    def label(self):
        return Mode(self.mode).label

    @property
    def retry_after(self) -> int:
        """Seconds for the Retry-After header: until the ETA, at least a minute, at most a day."""
        target = self.eta or self.until
        if target is None:
            return 300
        return int(min(max((target - timezone.now()).total_seconds(), 60), 86400))


def shop_mode_row() -> ShopMode:
    row, _created = ShopMode.objects.get_or_create(pk=1)
    return row


def _stored_mode() -> dict:
    data = cache.get(MODE_CACHE_KEY)
    if data is None:
        row = shop_mode_row()
        data = {
            field: getattr(row, field)
            for field in (
                "mode",
                "message",
                "eta",
                "until",
                "automatic",
                "scheduled_mode",
                "scheduled_start",
                "scheduled_end",
            )
        }
        cache.set(MODE_CACHE_KEY, data, CACHE_SECONDS)
    return data


def current_mode(now=None) -> ModeState:
    """The mode in force now, honouring `until` and a scheduled window even before the tick task applies them."""
    now = now or timezone.now()
    data = _stored_mode()
    start, end = data["scheduled_start"], data["scheduled_end"]
    if data["scheduled_mode"] and start and start <= now and (end is None or now < end):
        return ModeState(data["scheduled_mode"], data["message"], data["eta"] or end, end)
    if data["until"] and now >= data["until"]:
        return ModeState(Mode.OPEN)
    return ModeState(data["mode"], data["message"], data["eta"], data["until"], data["automatic"])


def mode_cache_clear():
    cache.delete(MODE_CACHE_KEY)


def partner_shops():
    """Active partner shops (on /status/, the contacts page and closed product pages; cached, cleared on a save)."""
    shops = cache.get(PARTNERS_CACHE_KEY)
    if shops is None:
        shops = list(PartnerShop.objects.filter(active=True))
        cache.set(PARTNERS_CACHE_KEY, shops, 300)
    return shops


def partners_cache_clear(sender=None, raw=False, **kwargs):
    if not raw:
        cache.delete(PARTNERS_CACHE_KEY)


def banner_current():
    """The newest active staff banner as a dict, or None (cached; cleared when a banner is saved)."""
    data = cache.get(BANNER_CACHE_KEY)
    if data is None:
        banner = Banner.objects.filter(active=True).first()
        data = (
            {"none": True}
            if banner is None
            else {
                "id": banner.id,
                "version": banner.updated_at.isoformat(),
                "message": banner.message,
                "translations": banner.translations,
                "severity": banner.severity,
                "phone": banner.phone,
                "email": banner.email,
                "telegram": banner.telegram,
                "whatsapp": banner.whatsapp,
                "vk": banner.vk,
            }
        )
        cache.set(BANNER_CACHE_KEY, data, CACHE_SECONDS)
    return None if data.get("none") else data


def banner_cache_clear():
    cache.delete(BANNER_CACHE_KEY)
    # The automatic text is rewritten, not deleted: deleting it would make the next shopper's request rebuild it
    # (~30 queries). Now, in the process of the change (a staff save, a breaker transition), which sees what it wrote.
    from steadfast.status.banner import banner_auto_refresh  # banner imports this module

    banner_auto_refresh()


def policy_active_actions() -> set:
    """Actions of the policies active now. Cached (read on the checkout payment step and the banner); the
    policies module clears it on every fire and clear."""
    actions = cache.get(POLICY_CACHE_KEY)
    if actions is None:
        active = Policy.objects.filter(enabled=True, active_since__isnull=False)
        actions = sorted({a for p in active for a in p.actions})
        cache.set(POLICY_CACHE_KEY, actions, 60)
    return set(actions)


def policies_holding_mode(exclude=None) -> bool:
    """An active policy with a "set mode" action keeps the shop in its mode: the health check leaves it alone."""
    active = Policy.objects.filter(enabled=True, active_since__isnull=False).exclude(pk=exclude)
    return any(Action.SET_MODE in p.actions for p in active)


def policy_cache_clear():
    cache.delete(POLICY_CACHE_KEY)


def payment_methods_order_hint() -> str:
    """"offline_first" while a policy says so (e.g. every online gateway is out), else ""."""
    return "offline_first" if Action.OFFLINE_FIRST in policy_active_actions() else ""


def payment_methods_order(providers) -> tuple[list, bool]:
    """Payment providers as checkout should list them, and whether offline methods were moved first."""
    if payment_methods_order_hint() != "offline_first":
        return list(providers), False
    from steadfast.status.components import is_online_payment  # reads the adapter registry

    # sorted() is stable: priority order is kept within the offline and the online group.
    return sorted(providers, key=is_online_payment), True
