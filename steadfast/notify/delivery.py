"""Turn an outbox row into a message on its channel."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from steadfast.notify.models import OutboxMessage
from steadfast.notify.outbox import outbox_claim, outbox_mark_failed, outbox_mark_sent

log = logging.getLogger(__name__)


def outbox_deliver(message_id) -> bool:
    message = outbox_claim(message_id)
    if message is None:
        return False
    try:
        _send(message)
    except (OSError, smtplib.SMTPException) as error:
        outbox_mark_failed(message, f"{type(error).__name__}: {error}")
        return False
    outbox_mark_sent(message)
    return True


def _send(message: OutboxMessage):
    if message.channel != "email":
        raise OSError(f"no channel configured for {message.channel!r}")
    payload = message.payload
    with translation.override(payload.get("language", "en")):
        context = {"payload": payload, "order": message.order}
        subject = render_to_string(f"notify/{message.kind}_subject.txt", context).strip()
        body = render_to_string(f"notify/{message.kind}.txt", context)
    email = EmailMultiAlternatives(subject, body, to=[message.recipient], headers={"X-Steadfast-Key": message.key},
                                   reply_to=[settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else None)
    email.send()
