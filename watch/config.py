"""One flat TOML file and/or WATCH_* environment variables (the environment wins). Strict: an unknown key or a bad
value stops start-up with a message naming it, so a typo never leaves the shop unwatched in silence."""

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    shop_url: str
    data_dir: Path
    shop_token: str = ""  # LIFEBOAT_TOKEN of the shop: without it no catalog snapshot and no order push
    catalog_path: str = "/"
    interval_seconds: float = 30.0
    # After a round that disagrees with the confirmed state, the next one comes this soon (at most interval_seconds):
    # an outage is confirmed, and the lifeboat steps in, about interval + (down_after - 1) x recheck after it began.
    recheck_seconds: float = 10.0
    timeout_seconds: float = 10.0
    down_after: int = 3  # consecutive failed rounds before "down" (and the alert)
    up_after: int = 2  # consecutive good rounds before "back up"
    snapshot_seconds: float = 300.0
    listen: str = "127.0.0.1:8088"
    public_url: str = ""  # where people reach the lifeboat page; named in the alerts
    # Shown on the emergency page until the first snapshot from the shop arrives (the shop's own values win).
    shop_name: str = ""
    shop_phone: str = ""
    shop_email: str = ""
    telegram_token: str = ""
    telegram_chat_id: str = ""
    telegram_api: str = "https://api.telegram.org"
    webhook_url: str = ""
    apprise_urls: tuple[str, ...] = field(default=())
    # SMS through an HTTP gateway of the watcher's own: "smsru" (sms_login = api_id) or "twilio" (sms_login =
    # account SID, sms_secret = auth token, sms_from = sender number).
    sms_gateway: str = ""
    sms_api: str = ""  # default: the gateway's public API
    sms_login: str = ""
    sms_secret: str = ""
    sms_from: str = ""
    sms_to: tuple[str, ...] = field(default=())  # numbers told of every alert (besides the on-call person)
    # E-mail through an SMTP server that is NOT the shop's (the shop's mail may be what died with it).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_from: str = ""
    email_to: tuple[str, ...] = field(default=())
    # On-call: the rota is pulled from the shop (GET /api/v1/lifeboat/oncall) and cached; "down"/"degraded" page
    # the person on call, then the next one after escalate_minutes without an acknowledgement, then everyone.
    escalate_minutes: float = 10.0
    # SLA report: the hosting contract's monthly uptime figure in percent (0-100, e.g. 99.9; the error budget is
    # measured against it), and the key that opens /watch/sla?key=... (.csv, .pdf too; empty: web report off;
    # `python -m watch sla` works anyway).
    # The lifeboat page: its default language (en, pl, ru; the browser's choice wins), messenger links shown with
    # QR codes ("Telegram=https://t.me/shop, WhatsApp=https://wa.me/48600100200"), and a line for what staff know
    # (an ETA), shown on the page.
    language: str = "en"
    messengers: tuple[tuple[str, str], ...] = field(default=())
    outage_note: str = ""
    sla_target: float = 99.9
    report_token: str = ""
    # Public posts about an outage and the recovery (watch/announce.py), for customers, in `language`: a public
    # Telegram channel ("@shopnews" or "-100..."; the bot must be its admin) and/or a signed webhook for Zapier/Make/
    # Buffer to repost elsewhere (body signed with HMAC-SHA256 of announce_webhook_secret).
    announce_telegram_chat_id: str = ""
    announce_webhook_url: str = ""
    announce_webhook_secret: str = ""

    @property
    def listen_host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


_SECRETS = {"announce_webhook_secret", "report_token", "shop_token", "telegram_token", "sms_secret", "sms_login",
            "smtp_password", "apprise_urls"}
_URLS = {"shop_url", "telegram_api", "webhook_url", "public_url", "sms_api", "announce_webhook_url"}


def load(path: str | Path | None = None, environ=None) -> Config:
    environ = os.environ if environ is None else environ
    path = path or environ.get("WATCH_CONFIG")
    raw = {}
    if path:
        try:
            with open(path, "rb") as handle:
                raw = tomllib.load(handle)
        except OSError as error:
            raise ConfigError(f"Config file {path}: cannot be read ({error.strerror}).") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"Config file {path}: not valid TOML ({error}).") from None
    known = {f.name: f for f in fields(Config)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"Config file {path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(known)}.")
    values = {name: (f"{path}: {name}", value) for name, value in raw.items()}
    for name in known:
        env_name = f"WATCH_{name.upper()}"
        if env_name in environ:
            values[name] = (f"Environment variable {env_name}", environ[env_name])
    for required in ("shop_url", "data_dir"):
        if required not in values:
            raise ConfigError(f"{required} is required: set WATCH_{required.upper()} or `{required} = ...` in the "
                              "config file.")
    config = Config(**{name: _convert(name, where, value) for name, (where, value) in values.items()})
    if config.sms_gateway and not config.sms_login:
        raise ConfigError(f"sms_gateway={config.sms_gateway!r} needs sms_login (WATCH_SMS_LOGIN).")
    if config.smtp_host and not config.smtp_from:
        raise ConfigError("smtp_host needs smtp_from (WATCH_SMTP_FROM): the sender address of the alerts.")
    if config.announce_webhook_url and len(config.announce_webhook_secret) < 24:
        raise ConfigError("announce_webhook_url needs announce_webhook_secret (WATCH_ANNOUNCE_WEBHOOK_SECRET) of at "
                          "least 24 characters: the receiver checks the signature with it.")
    if config.announce_telegram_chat_id and not config.telegram_token:
        raise ConfigError("announce_telegram_chat_id needs telegram_token (WATCH_TELEGRAM_TOKEN).")
    return config


def _convert(name, where, value):
    shown = "(hidden)" if name in _SECRETS else repr(value)
    try:
        return _CONVERT.get(name, _string)(name, value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}={shown} is invalid: {error}") from None


def _string(name, value) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    if name in _URLS and value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")
    return value


def _number(minimum, cast):
    def convert(name, value):
        if isinstance(value, bool):
            raise TypeError("expected a number")
        try:
            number = cast(value)
        except ValueError:
            raise ValueError("expected a whole number" if cast is int else "expected a number") from None
        if number < minimum:
            raise ValueError(f"must be at least {minimum}")
        return number
    return convert


def _percent(name, value):
    number = _number(0, float)(name, value)
    if not number <= 100:  # also refuses nan
        raise ValueError("expected a percentage from 0 to 100, e.g. 99.9")
    return number


def _listen(name, value):
    host, sep, port = _string(name, value).rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError("expected host:port, e.g. 0.0.0.0:8088")
    return value


def _path_of(name, value):
    return Path(_string(name, value)).expanduser()


def _url_list(name, value):
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise TypeError("expected a list of Apprise URLs")
    urls = tuple(item.strip() for item in items if item.strip())
    if urls:
        try:
            import apprise  # optional: only needed when Apprise URLs are configured
        except ImportError:
            raise ValueError("Apprise URLs are set but the apprise package is not installed: pip install "
                             "--require-hashes -r watch/requirements-apprise.txt") from None
        for number, url in enumerate(urls, 1):  # the URLs hold passwords: say which one by position only
            if not apprise.Apprise().add(url):
                raise ValueError(f"URL number {number} is not one Apprise understands")
    return urls


def _text_list(name, value):
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise TypeError("expected a list (or a comma-separated string)")
    return tuple(item.strip() for item in items if item.strip())


def _choice(*choices):
    def convert(name, value):
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(repr(c) for c in choices)}")
        return value
    return convert


def _messengers(name, value):
    pairs = []
    for item in _text_list(name, value):
        label, sep, url = item.partition("=")
        parts = urlsplit(url.strip())
        if not sep or not label.strip() or parts.scheme not in ("http", "https", "tg", "viber") or not parts.netloc:
            raise ValueError("expected Label=URL items, e.g. Telegram=https://t.me/shop")
        pairs.append((label.strip(), url.strip()))
    return tuple(pairs)


def _flag(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return value.lower() in ("1", "true", "yes", "on")
    raise ValueError("expected true or false")


def _path_part(name, value):
    value = _string(name, value)
    if not value.startswith("/"):
        raise ValueError("expected a path starting with /")
    return value


_CONVERT = {
    "interval_seconds": _number(0.05, float),
    "recheck_seconds": _number(0.05, float),
    "timeout_seconds": _number(0.05, float),
    "snapshot_seconds": _number(0.05, float),
    "down_after": _number(1, int),
    "up_after": _number(1, int),
    "listen": _listen,
    "data_dir": _path_of,
    "apprise_urls": _url_list,
    "catalog_path": _path_part,
    "sms_gateway": _choice("", "smsru", "twilio"),
    "sms_to": _text_list,
    "email_to": _text_list,
    "smtp_port": _number(1, int),
    "smtp_starttls": _flag,
    "escalate_minutes": _number(0.01, float),
    "sla_target": _percent,
    "language": _choice("en", "pl", "ru"),
    "messengers": _messengers,
}
