"""What the banner shows: the staff text when there is one, else an automatic notice when payments or delivery
degrade (any online gateway out, not only all of them). Contacts carry a QR code made locally (segno) as inline SVG."""

import hashlib
from functools import lru_cache

import segno
from django.conf import settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from steadfast.cachesafe import lenient_cache as cache
from steadfast.shipping.models import DeliveryMethod
from steadfast.status.components import payment_health, provider_health
from steadfast.status.models import Action, Policy
from steadfast.status.sanitize import clean_html
from steadfast.status.selectors import banner_current, partner_shops, policy_active_actions

DISMISS_SESSION_KEY = "status_banner_dismissed"
# The automatic text is written by banner_auto_refresh (on every event that can change it, and every minute by
# status.tasks), never rebuilt on a shopper's request while it is in the cache; this only bounds how long a text
# outlives a stopped worker.
AUTO_CACHE_SECONDS = 600
AUTO_KEY = "status:banner:auto:v2:{language}"


@lru_cache(maxsize=256)
def qr_svg(data: str) -> str:
    # svg_inline gives an <svg> element without XML declaration, safe to drop into the page.
    return segno.make(data, error="m").svg_inline(scale=3, border=2, omitsize=True, title=data)


def contacts_for(phone="", email="", telegram="", whatsapp="", vk="") -> list[dict]:
    items = []
    if phone:
        items.append({"kind": "phone", "label": _("Phone"), "text": phone, "href": "tel:" + "".join(phone.split())})
    if email:
        items.append({"kind": "email", "label": _("E-mail"), "text": email, "href": "mailto:" + email})
    for kind, label, url in (("telegram", "Telegram", telegram), ("whatsapp", "WhatsApp", whatsapp), ("vk", "VK", vk)):
        # Only web links: a javascript: or data: URL must never become a clickable contact.
        if url and url.startswith(("https://", "http://")):
            items.append({"kind": kind, "label": label, "text": url.split("://", 1)[1], "href": url})
    for item in items:
        item["qr"] = mark_safe(qr_svg(item["href"]))  # segno output, built from our own href only
    return items


def banner_auto_text() -> str:
    """A notice written from provider health, or "" when everything customers use works (from the cache; built
    here only when the cache has none at all, e.g. just after a deploy or a cache flush)."""
    language = get_language() or settings.LANGUAGE_CODE
    text = cache.get(AUTO_KEY.format(language=language))
    if text is None:
        text = _auto_text_build()
        cache.set(AUTO_KEY.format(language=language), text, AUTO_CACHE_SECONDS)
    return text


def banner_auto_refresh() -> None:
    """Write the automatic text of every language now (called off the shopper's path: events, the minute tick)."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            cache.set(AUTO_KEY.format(language=code), _auto_text_build(), AUTO_CACHE_SECONDS)


def _auto_text_build() -> str:
    parts = []
    online, healthy, offline = payment_health()
    if online and not healthy:
        if offline:
            # Seeded names ("Cash on delivery") are in the message catalog; names staff typed come back unchanged.
            names = ", ".join(_(p.name) for p in offline)
            parts.append(
                _(
                    "Card and online payments are temporarily unavailable. You can still order and pay "
                    "with %(methods)s, or call us at %(phone)s."
                )
                % {"methods": names, "phone": settings.SHOP_PHONE}
            )
        else:
            parts.append(
                _("Online payments are temporarily unavailable. Please call us at %(phone)s to order.")
                % {"phone": settings.SHOP_PHONE}
            )
    elif len(healthy) < len(online):
        # One gateway out, others working: say which one, and what still works, before the customer picks it.
        names = ", ".join(_(p.name) for p in online if p not in healthy)
        others = ", ".join(_(p.name) for p in healthy + offline)
        parts.append(
            _("%(methods)s: temporarily unavailable. You can still pay with %(others)s.")
            % {"methods": names, "others": others}
        )
    methods = [
        m for m in DeliveryMethod.objects.filter(enabled=True, provider__isnull=False).select_related("provider")
    ]
    health = provider_health([m.provider for m in methods])
    for method in methods:
        if health[method.provider_id].out:
            parts.append(
                _("%(method)s is temporarily unavailable; other delivery methods still work.")
                % {"method": _(method.name)}
            )
    if not parts and Action.BANNER in policy_active_actions():
        parts.append(_policy_banner_text())
    return " ".join(parts)


def _policy_banner_text() -> str:
    """An active policy turned the banner on but provider health has nothing to say (e.g. a high error rate)."""
    for policy in Policy.objects.filter(enabled=True, active_since__isnull=False).exclude(message=""):
        if Action.BANNER in policy.actions:
            return policy.message
    return _("Some parts of the shop are not working right now. We are on it; you can also call us at %(phone)s.") % {
        "phone": settings.SHOP_PHONE
    }


def banner_for(request) -> dict | None:
    staff = banner_current()
    if staff:
        language = get_language() or settings.LANGUAGE_CODE
        message = (staff["translations"] or {}).get(language) or staff["message"]
        banner = {
            "severity": staff["severity"],
            "message": message,
            "automatic": False,
            "version": f"staff:{staff['id']}:{staff['version']}",
            "contacts": contacts_for(staff["phone"], staff["email"], staff["telegram"], staff["whatsapp"], staff["vk"]),
        }
    else:
        text = banner_auto_text()
        if not text:
            return None
        banner = {
            "severity": "warning",
            "message": text,
            "automatic": True,
            "version": "auto:" + hashlib.sha256(text.encode()).hexdigest()[:16],
            "contacts": contacts_for(settings.SHOP_PHONE, settings.SHOP_EMAIL),
        }
    # Sanitised again on render: a row written around save() (bulk update, raw SQL) is still made safe here.
    banner["message"] = mark_safe(clean_html(banner["message"]))
    session = getattr(request, "session", None)
    banner["dismissed"] = session is not None and session.get(DISMISS_SESSION_KEY) == banner["version"]
    return banner


def contacts_context() -> dict:
    """Every way to reach the shop (staff banner contacts first, the shop's own as fallback) and partner shops."""
    staff = banner_current() or {}
    contacts = contacts_for(
        staff.get("phone") or settings.SHOP_PHONE,
        staff.get("email") or settings.SHOP_EMAIL,
        staff.get("telegram", ""),
        staff.get("whatsapp", ""),
        staff.get("vk", ""),
    )
    return {"contacts": contacts, "partners": partner_shops(), "shop_name": settings.SHOP_NAME}
