"""Every kind of message rendered with sample data, for the admin's template preview (/admin/notify/outboxmessage/
preview/): subject, plain text, HTML, and the short text with its SMS length, encoding and number of segments.

Kinds are found from the templates (every notify/<kind>_subject.txt of every app), so a new kind shows up here
without a list to keep. A template that fails to render shows its error instead of the text.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.template.exceptions import TemplateDoesNotExist
from django.urls import NoReverseMatch
from django.utils import timezone

from steadfast.notify.render import kind_render

# GSM 03.38: the basic set (one septet each) and the extension set (two septets: escape + character).
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_segments(text: str) -> dict:
    """{"encoding": "GSM-7" | "UCS-2", "length": units, "segments": n} as a phone network counts them."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        length = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        length = len(text.encode("utf-16-le")) // 2  # UTF-16 code units: an emoji counts twice
        single, part, encoding = 70, 67, "UCS-2"
    segments = 0 if length == 0 else 1 if length <= single else -(-length // part)
    return {"encoding": encoding, "length": length, "segments": segments}


def message_kinds() -> list[str]:
    kinds = set()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            for directory in loader.get_dirs():
                folder = Path(directory) / "notify"
                if folder.is_dir():
                    kinds.update(path.name[: -len("_subject.txt")] for path in folder.glob("*_subject.txt"))
    return sorted(kinds)


def sample_context() -> dict:
    site = settings.SITE_URL.rstrip("/")
    line = SimpleNamespace(quantity=2, product_name="Linen shirt", variant_label="M, blue", line_total=Decimal("59.80"))
    order = SimpleNamespace(
        number="SF-000123", token="sample-token", currency="EUR", subtotal=Decimal("59.80"),
        delivery_total=Decimal("4.90"), total=Decimal("64.70"), delivery_name="Courier", payment_name="Bank transfer",
        full_name="Anna Kowalska", address_line1="ul. Długa 5", address_lines=["ul. Długa 5", "00-950 Warszawa"],
        email="anna@example.com", phone="+48 600 100 200", lines=SimpleNamespace(all=[line]),
        payments=SimpleNamespace(first=None), get_absolute_url=lambda: "/order/sample-token/", status="shipped",
        get_status_display=lambda: "Shipped", tracking_number="INP123456789", created_at=timezone.now())
    payload = {
        "number": order.number, "token": order.token, "name": "Anna", "email": order.email, "language": "en",
        "subject": "Summer sale: 20% off linen", "body": "Our linen shirts are 20% off until Sunday.",
        "unsubscribe_url": f"{site}/newsletter/unsubscribe/sample/", "shop_name": settings.SHOP_NAME,
        "confirm_url": f"{site}/order/sample-token/confirm/", "url": f"{site}/account/activate/sample/",
        "minutes": 30, "reason": "Card payments (Stripe) are failing", "provider": "Stripe",
        "admin_url": f"{site}/admin/", "kind": "provider_out", "from_state": "closed", "to_state": "open",
        "state": "open", "at": timezone.now().isoformat(timespec="minutes"), "backlog": 57, "dead_letters": 2,
        "topic": "dead_letters", "title": "Card payments delayed", "message": "We are on it.",
        "summary": "Card payments are failing; other methods work.", "detail": "HTTP 503 from the gateway",
        "status": "investigating", "status_url": f"{site}/status/", "eta": timezone.now() + timedelta(hours=1),
        "reference": "PAY-123", "text": "Card payments are back.",
        "until": (timezone.now() + timedelta(hours=72)).isoformat(), "waiting": 3,
        "oldest": (timezone.now() - timedelta(minutes=45)).isoformat(),
    }
    return {"payload": payload, "order": order, "cancel_reason": "Out of stock"}


def preview_all(language: str) -> list[dict]:
    context = sample_context()
    context["payload"]["language"] = language
    previews = []
    for kind in message_kinds():
        item = {"kind": kind}
        try:
            email = kind_render(kind, "email", context, language)
            short = kind_render(kind, "sms", context, language)
        except (TemplateDoesNotExist, TemplateSyntaxError, NoReverseMatch, AttributeError, TypeError,
                ValueError, KeyError) as error:  # shown to staff as the preview of that kind
            item["error"] = f"{type(error).__name__}: {error}"
        else:
            item.update(subject=email.subject, text=email.text, html=email.html, short=short.text,
                        sms=sms_segments(short.text))
        previews.append(item)
    return previews
