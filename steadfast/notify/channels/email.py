"""E-mail through Django's mail backends, with their failures classified for the fallback chain.

Provider config: "backend" (default settings.EMAIL_BACKEND; e.g. django.core.mail.backends.smtp.EmailBackend or an
ESP through django-anymail such as anymail.backends.postmark.EmailBackend), "host", "port", "use_tls", "use_ssl"
(SMTP; default the EMAIL_* settings), "api_base" (anymail: the ESP's API URL, e.g. a fake), "from_email".
Secrets: STEADFAST_<CODE>_USERNAME / _PASSWORD (SMTP); for anymail STEADFAST_<CODE>_API_KEY, or _SERVER_TOKEN
(Postmark), whichever the ESP's backend takes.

SMTP: connection refused, DNS failure or a timeout before the server took the message -> Unavailable; every
recipient refused with 5xx -> Declined (permanent for that address); 4xx -> Unavailable; authentication or sender
refused -> Misconfigured; the connection lost or timing out after DATA -> Indeterminate.
"""

import smtplib
import socket
from email.utils import make_msgid

import requests
from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from steadfast.notify.sender import shop_reply_to
from steadfast.providers.call import check_response, response_json, timeouts
from steadfast.providers.errors import Declined, Indeterminate, Misconfigured, Unavailable
from steadfast.providers.secrets import provider_secret

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
POSTMARK_BACKEND = "anymail.backends.postmark.EmailBackend"
MAILGUN_BACKEND = "anymail.backends.mailgun.EmailBackend"
ANYMAIL_SECRETS = ("api_key", "server_token", "secret_key", "access_key")
PROBED_BACKENDS = {SMTP_BACKEND, POSTMARK_BACKEND, MAILGUN_BACKEND}


class EmailChannel:
    channel = "email"

    def __init__(self, provider):
        self.provider = provider
        self.config = provider.config or {}
        self.backend = self.config.get("backend") or settings.EMAIL_BACKEND

    def _connection(self):
        options = {"fail_silently": False}
        if self.backend == SMTP_BACKEND:
            connect, read = timeouts(self.provider)
            options.update(
                host=self.config.get("host", settings.EMAIL_HOST),
                port=int(self.config.get("port", settings.EMAIL_PORT)),
                username=provider_secret(self.provider, "username", settings.EMAIL_HOST_USER),
                password=provider_secret(self.provider, "password", settings.EMAIL_HOST_PASSWORD),
                use_tls=bool(self.config.get("use_tls", settings.EMAIL_USE_TLS)),
                use_ssl=bool(self.config.get("use_ssl", False)), timeout=max(connect, read),
            )
        elif self.backend.startswith("anymail."):
            # Each ESP names its key differently (api_key, server_token...): pass the ones set for this provider.
            for name in ANYMAIL_SECRETS:
                if provider_secret(self.provider, name):
                    options[name] = provider_secret(self.provider, name)
            if self.config.get("api_base"):
                options["api_url"] = self.config["api_base"].rstrip("/") + "/"
            if self.config.get("sender_domain"):  # Mailgun: the sending domain, when not the From address's
                options["sender_domain"] = self.config["sender_domain"]
            options["timeout"] = timeouts(self.provider)  # requests: (connect, read)
        return get_connection(self.backend, **options)

    def send(self, client, outgoing) -> str:
        message_id = make_msgid(domain="steadfast.local")
        email = EmailMultiAlternatives(
            outgoing.subject, outgoing.text, from_email=self.config.get("from_email") or settings.DEFAULT_FROM_EMAIL,
            to=list(outgoing.to), reply_to=shop_reply_to(),
            headers={**outgoing.headers, "X-Steadfast-Key": outgoing.key, "Message-ID": message_id},
            connection=self._connection(),
        )
        if outgoing.html:
            email.attach_alternative(outgoing.html, "text/html")
        if email.connection.__class__.__module__.startswith("anymail"):
            return self._send_anymail(email) or message_id
        self._send_smtp(email)
        return message_id

    @staticmethod
    def probes(provider) -> bool:
        """Another ESP or Django's file or memory backends have no probe: an "ok" without a call would be recorded
        as a good call (health, SLA) while saying nothing. Their trial after a cool-down is the next message."""
        return ((provider.config or {}).get("backend") or settings.EMAIL_BACKEND) in PROBED_BACKENDS

    def probe(self, client):
        """SMTP: connect, log in, NOOP. Postmark: GET /server; Mailgun: GET /v3/domains/<sending domain> (cheap
        authenticated reads)."""
        if self.backend == POSTMARK_BACKEND:
            token = provider_secret(self.provider, "server_token")
            return self._probe_http(client, "https://api.postmarkapp.com", "/server",
                                    headers={"X-Postmark-Server-Token": token, "Accept": "application/json"})
        if self.backend == MAILGUN_BACKEND:
            domain = self.config.get("sender_domain") or (
                self.config.get("from_email") or settings.DEFAULT_FROM_EMAIL).rpartition("@")[2].strip(">")
            return self._probe_http(client, "https://api.mailgun.net/v3", f"/domains/{domain}",
                                    auth=("api", provider_secret(self.provider, "api_key")))
        if self.backend != SMTP_BACKEND:
            return None  # not reached from the probes (probes() above); a direct call changes nothing
        connection = self._connection()
        _open(connection)
        try:
            code, reply = connection.connection.noop()
        finally:
            connection.close()
        if code >= 400:
            raise Unavailable(f"SMTP NOOP answered {code} {reply!r}")
        return code

    def _probe_http(self, client, default_base, path, **options):
        base = (self.config.get("api_base") or default_base).rstrip("/")
        response = check_response(client.get(base + path, **options))
        if response.status_code != 200:  # 404: the domain is not in this account; 422: Postmark's refusal
            raise Misconfigured(f"ESP probe answered HTTP {response.status_code}")
        return response_json(response)

    def _send_smtp(self, email):
        connection = email.connection
        if hasattr(connection, "open"):
            _open(connection)
        try:
            sent = email.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _reply in error.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise Declined(f"recipient refused: {_first_reply(error.recipients)}") from None
            raise Unavailable(f"recipient deferred: {_first_reply(error.recipients)}") from None
        except smtplib.SMTPSenderRefused as error:
            raise Misconfigured(f"sender refused: {error.smtp_code}") from None
        except smtplib.SMTPDataError as error:
            if 500 <= error.smtp_code < 600:
                raise Declined(f"message refused: {error.smtp_code} {_text(error.smtp_error)}") from None
            raise Unavailable(f"message deferred: {error.smtp_code} {_text(error.smtp_error)}") from None
        except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionResetError) as error:
            raise Indeterminate(f"connection lost while sending: {type(error).__name__}") from None
        except smtplib.SMTPException as error:
            raise Unavailable(f"SMTP error: {type(error).__name__}: {error}") from None
        finally:
            if hasattr(connection, "close"):
                connection.close()
        if not sent:
            raise Unavailable("the mail backend sent nothing")

    def _send_anymail(self, email) -> str:
        try:
            email.send()
        except AnymailRecipientsRefused as error:
            raise Declined(f"recipient refused: {error}") from None
        except AnymailAPIError as error:
            status = getattr(error, "status_code", None)
            if isinstance(error.__cause__, requests.exceptions.ReadTimeout):
                raise Indeterminate("ESP did not answer in time after the request was sent") from None
            if status in (401, 403):
                raise Misconfigured(f"ESP answered HTTP {status}") from None
            if status is None or status == 429 or status >= 500:
                raise Unavailable(f"ESP unavailable: HTTP {status or 'no answer'}") from None
            raise Declined(f"ESP refused the message: HTTP {status}") from None
        except AnymailError as error:
            raise Misconfigured(f"ESP setup: {type(error).__name__}") from None
        status = getattr(email, "anymail_status", None)
        return (status.message_id if status else "") or ""


def _open(connection):
    """Connect and log in; a failure here means nothing was sent."""
    try:
        connection.open()
    except smtplib.SMTPAuthenticationError as error:
        raise Misconfigured(f"SMTP login refused: {error.smtp_code}") from None
    except (OSError, smtplib.SMTPException) as error:  # refused, DNS, timeout, greeting 4xx/5xx
        kind = "timeout" if isinstance(error, (TimeoutError, socket.timeout)) else type(error).__name__
        raise Unavailable(f"SMTP server unreachable: {kind}") from None


def _first_reply(recipients) -> str:
    for address, (code, reply) in recipients.items():
        return f"{address}: {code} {_text(reply)}"
    return ""


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
