"""How one alert reaches one address, on the watcher's own accounts (never the shop's, which may be what is down).

Each sender raises httpx.HTTPError, smtplib.SMTPException/OSError, ValueError or RuntimeError when the channel did
not take the message; the caller keeps it queued and retries. The webhook and each Apprise URL are addressed by a
fingerprint of the URL (url_ref), never the URL itself: the queue on disk holds no credentials, and an alert for a
URL since removed from the config is dropped instead of retried forever.
"""

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from watch.config import Config

SMS_APIS = {"smsru": "https://sms.ru", "twilio": "https://api.twilio.com"}
class Refused(RuntimeError):
    """This address will never take it (a chat that blocked the bot or does not exist, a number the gateway calls
    invalid, a webhook answering 4xx): the queue drops it instead of retrying every round for ever. A bad token
    (401) is not one: fixed in the config, the queued alert still goes."""


SEND_ERRORS = (httpx.HTTPError, ValueError, RuntimeError, smtplib.SMTPException, OSError)
PERMANENT_STATUSES = {400, 403, 404, 410, 422}


def telegram(config: Config, client: httpx.Client, chat_id: str, alert: dict) -> None:
    url = f"{config.telegram_api}/bot{config.telegram_token}/sendMessage"
    response = client.post(url, json={"chat_id": chat_id, "text": alert["text"], "disable_web_page_preview": True})
    # Telegram answers {"ok": false, "description": ...} with 4xx; the URL holds the token, so never log it.
    if response.status_code in PERMANENT_STATUSES:  # chat not found, bot blocked or never started by the person
        raise Refused(f"Telegram refused the message for this chat (HTTP {response.status_code})")
    if response.status_code != 200 or not response.json().get("ok"):
        raise RuntimeError(f"Telegram refused the message (HTTP {response.status_code})")


def url_ref(url: str) -> str:
    return "url:" + hashlib.sha256(url.encode()).hexdigest()[:16]


def _url_of(urls, ref: str) -> str:
    url = next((url for url in urls if url_ref(url) == ref), None)
    if url is None:
        raise ValueError("this URL is no longer in the config")
    return url


def webhook(config: Config, client: httpx.Client, ref: str, alert: dict) -> None:
    url = _url_of([config.webhook_url], ref)
    response = client.post(url, json={k: v for k, v in alert.items() if k != "ack_url" or v})
    if response.status_code in PERMANENT_STATUSES:
        raise Refused(f"the webhook refused the alert (HTTP {response.status_code})")
    response.raise_for_status()


def apprise(config: Config, client: httpx.Client, ref: str, alert: dict) -> None:
    """One Apprise URL (each is its own queue entry: one refusing does not resend to the others)."""
    import apprise as apprise_lib  # optional (watch/requirements-apprise.txt); config.load checks it is there

    notifier = apprise_lib.Apprise()
    if not notifier.add(_url_of(config.apprise_urls, ref)):
        raise ValueError("Apprise does not understand this URL")
    if not notifier.notify(body=alert["text"], title=f"Shop {alert['event']}"):
        raise RuntimeError("Apprise could not deliver the message")


def sms(config: Config, client: httpx.Client, number: str, alert: dict) -> None:
    base, text = config.sms_api or SMS_APIS[config.sms_gateway], alert["text"][:600]
    if config.sms_gateway == "smsru":
        digits = "".join(ch for ch in number if ch.isdigit())
        response = client.post(f"{base}/sms/send", data={"api_id": config.sms_login, "to": digits, "msg": text,
                                                         "json": 1})
        response.raise_for_status()
        answer = response.json()
        if answer.get("status") != "OK" or answer.get("sms", {}).get(digits, {}).get("status") != "OK":
            raise RuntimeError("SMS.ru refused the message")
    else:
        response = client.post(f"{base}/2010-04-01/Accounts/{config.sms_login}/Messages.json",
                               auth=(config.sms_login, config.sms_secret),
                               data={"To": number, "From": config.sms_from, "Body": text})
        if response.status_code in (400, 404):  # an invalid or unknown number
            raise Refused(f"Twilio refused the message for this number (HTTP {response.status_code})")
        if response.status_code not in (200, 201):
            raise RuntimeError(f"Twilio refused the message (HTTP {response.status_code})")


def email(config: Config, client, address: str, alert: dict) -> None:
    message = EmailMessage()
    message["From"], message["To"] = config.smtp_from, address
    message["Subject"] = alert["text"].splitlines()[0][:150]
    message["Date"], message["Message-ID"] = formatdate(localtime=True), make_msgid(domain="steadfast-watch")
    message.set_content(alert["text"] + (f"\n\nAcknowledge: {alert['ack_url']}\n" if alert.get("ack_url") else "\n"))
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout_seconds) as smtp:
        if config.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password)
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            if all(code >= 500 for code, _text in error.recipients.values()):  # 4xx: try again later
                raise Refused("the mail server refused this address for good") from error
            raise


SENDERS = {"telegram": telegram, "webhook": webhook, "apprise": apprise, "sms": sms, "email": email}


def group_targets(config: Config) -> list[tuple[str, str]]:
    """Where every alert goes, on-call or not: the staff group chat, the webhook, Apprise, the listed numbers and
    addresses."""
    targets = []
    if config.telegram_token and config.telegram_chat_id:
        targets.append(("telegram", config.telegram_chat_id))
    if config.webhook_url:
        targets.append(("webhook", url_ref(config.webhook_url)))
    targets += [("apprise", url_ref(url)) for url in config.apprise_urls]
    if config.sms_gateway:
        targets += [("sms", number) for number in config.sms_to]
    if config.smtp_host:
        targets += [("email", address) for address in config.email_to]
    return targets


def person_targets(config: Config, person: dict) -> list[tuple[str, str]]:
    """One on-call person's addresses, on the channels this watcher has accounts for."""
    targets = []
    if person.get("telegram_chat_id") and config.telegram_token:
        targets.append(("telegram", str(person["telegram_chat_id"])))
    if person.get("phone") and config.sms_gateway:
        targets.append(("sms", person["phone"]))
    if person.get("email") and config.smtp_host:
        targets.append(("email", person["email"]))
    return targets


def configured(config: Config, channel: str, address: str) -> bool:
    """Whether this config can still send to a queued (channel, address) (a restart may follow a config change)."""
    if channel == "webhook":
        return bool(config.webhook_url) and address == url_ref(config.webhook_url)
    if channel == "apprise":
        return address in {url_ref(url) for url in config.apprise_urls}
    return {"telegram": config.telegram_token, "sms": config.sms_gateway, "email": config.smtp_host}.get(channel,
                                                                                                        "") != ""
