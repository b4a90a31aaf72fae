"""Who the shop's e-mails are from and where replies go, the same for order, account and password e-mails:
SHOP_NAME <SHOP_EMAIL> (DEFAULT_FROM_EMAIL) and EMAIL_REPLY_TO (SHOP_EMAIL unless set), steadfast/conf/shop.py."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


def shop_reply_to() -> list[str] | None:
    return [settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else None


def shop_email(subject, body, to, **kwargs) -> EmailMultiAlternatives:
    """An e-mail from the shop, answered to the shop (the text says "just reply"), sent by Django's own backend."""
    return EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to, reply_to=shop_reply_to(), **kwargs)
