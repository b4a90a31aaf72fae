"""Render an outbox message for one channel type, in the customer's language (payload "language").

E-mail: notify/<kind>_subject.txt, notify/<kind>.txt and notify/<kind>.html, or when there is none, the text in
notify/email_layout.html (links made clickable), so every e-mail goes out as HTML and plain text.
SMS, Telegram, Apprise: notify/<kind>_short.txt, or else the e-mail subject line. A missing e-mail template is an
error (TemplateDoesNotExist): the message is dead-lettered with it, and staff replay it once the template is there.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str = ""


def _context(message):
    context = {"payload": message.payload, "order": message.order}
    if message.order is not None:
        cancelled = message.order.events.filter(to_status="cancelled").order_by("-created_at", "-pk").first()
        context["cancel_reason"] = cancelled.message if cancelled else ""
    return context


def _optional(name, context) -> str:
    try:
        return render_to_string(name, context)
    except TemplateDoesNotExist:
        return ""


def message_render(message, channel: str) -> Rendered:
    return kind_render(message.kind, channel, _context(message), message.payload.get("language") or "en")


def kind_render(kind: str, channel: str, context: dict, language: str) -> Rendered:
    """One kind of message for one channel type, from a context {"payload", "order", ...} (admin previews too)."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"notify/{kind}_subject.txt", context).split())
        ack, ack_short = _acknowledge_lines(context.get("payload"))
        if channel == "email":
            text = render_to_string(f"notify/{kind}.txt", context).rstrip("\n") + ack
            shop = {"shop_name": settings.SHOP_NAME, "shop_email": settings.SHOP_EMAIL,
                    "shop_phone": settings.SHOP_PHONE, "language": language}
            html = _optional(f"notify/{kind}.html", context).strip() or render_to_string(
                "notify/email_layout.html", {"subject": subject, "text": text.strip(), **shop})
            return Rendered(subject, text, html)
        short = " ".join(_optional(f"notify/{kind}_short.txt", context).split())  # one line for SMS
        return Rendered(subject, (short or subject) + ack_short)


def _acknowledge_lines(payload) -> tuple[str, str]:
    """Staff alert pages (oncall/pages.py) end with their acknowledge link, whichever app's template they use."""
    url = payload.get("ack_url") if isinstance(payload, dict) else None
    if not url:
        return "", ""
    escalated = _("Not acknowledged: escalated to %(name)s.") % {"name": payload.get("paged") or "?"} \
        if payload.get("escalated") else ""
    text = "\n\n" + (escalated + "\n" if escalated else "") + \
        _("Acknowledge (tells the others you took it): %(url)s") % {"url": url} + "\n"
    return text, (f" {escalated}" if escalated else "") + " " + _("Acknowledge: %(url)s") % {"url": url}
