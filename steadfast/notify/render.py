"""Render an outbox message for one channel type, in the customer's language (payload "language").

E-mail: notify/<kind>_subject.txt, notify/<kind>.txt and, when it exists, notify/<kind>.html.
SMS, Telegram, Apprise: notify/<kind>_short.txt, or else the e-mail subject line. A missing e-mail template is an
error (TemplateDoesNotExist): the message is dead-lettered with it, and staff replay it once the template is there.
"""

from dataclasses import dataclass

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


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
    context = _context(message)
    with translation.override(message.payload.get("language") or "en"):
        subject = " ".join(render_to_string(f"notify/{message.kind}_subject.txt", context).split())
        if channel == "email":
            text = render_to_string(f"notify/{message.kind}.txt", context)
            return Rendered(subject, text, _optional(f"notify/{message.kind}.html", context).strip())
        short = _optional(f"notify/{message.kind}_short.txt", context).strip()
        return Rendered(subject, short or subject)
