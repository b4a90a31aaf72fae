"""The lifeboat's web server: the emergency page and its order request form while the shop is down, a redirect
back to the shop otherwise ("steps back"), and /watch/state.json for people and scripts at any time."""

import hmac
import html
import logging
import re
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from watch import eta, pages, sla
from watch.checks import DOWN
from watch.i18n import choose, gettext
from watch.sla_pdf import PdfUnavailable, report_pdf

log = logging.getLogger("watch.web")
MAX_BODY = 64 * 1024
# Against a script filling the watcher's disk: per client 5 stored requests in 10 minutes, 500 waiting in all.
PER_CLIENT, PER_CLIENT_WINDOW, MAX_WAITING = 5, 600.0, 500
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def serve(watcher) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(watcher.config.listen_host_port, Handler)
    server.daemon_threads = True
    server.watcher = watcher
    server.taken, server.taken_lock = {}, threading.Lock()  # client -> monotonic times of stored requests
    return server


class Handler(BaseHTTPRequestHandler):
    server_version = "steadfast-watch"

    def log_message(self, format, *args):  # noqa: A002  (BaseHTTPRequestHandler's signature)
        log.debug("%s %s", self.address_string(), format % args)

    @property
    def watcher(self):
        return self.server.watcher

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/watch/state.json":
            return self._send(200, self.watcher.state_document(), "application/json")
        if path.startswith("/watch/ack/"):
            return self._ack(path, confirm=False)
        if path in ("/watch/sla", "/watch/sla.csv", "/watch/sla.pdf"):
            return self._sla(path)
        if path.startswith("/watch/photos/"):
            photo = self.watcher.lifeboat.photo(path.removeprefix("/watch/photos/"))
            if photo is None:
                return self._send(404, pages.message("Not found", "No such photo."))
            kind = path.rsplit(".", 1)[-1].replace("jpg", "jpeg")
            return self._send(200, photo, f"image/{kind}")
        if self.watcher.state != DOWN:
            return self._step_back()
        return self._send(503, pages.emergency(self.watcher.lifeboat.snapshot(), self.watcher.state_document(),
                                               **self._page_options()))

    def do_POST(self):  # noqa: N802
        if self.path.startswith("/watch/ack/"):
            return self._ack(self.path.split("?")[0], confirm=True)
        if self.watcher.state != DOWN:
            return self._step_back()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._send(413, pages.message("Too much data", "Please shorten your request."))
        form = {k: v[-1].strip() for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        snapshot = self.watcher.lifeboat.snapshot()
        options = self._page_options()
        fields, errors = request_validate(form, snapshot, options["lang"])
        if errors:
            page = pages.emergency(snapshot, self.watcher.state_document(), form=form, errors=errors, **options)
            return self._send(422, page)
        if not self._may_store():
            return self._send(429, pages.message("Please call us", "We have received many requests from your "
                                                 "connection; please call or e-mail us instead."))
        record = self.watcher.lifeboat.request_store(fields)
        self.watcher.request_taken(record)
        return self._send(200, pages.thanks(snapshot, record, options["lang"], options["messengers"]))

    def _ack(self, path, confirm):
        """GET shows a button (link previews and mail scanners open links; only a person presses it), POST acks."""
        query = parse_qs(self.path.partition("?")[2])
        level, key = query.get("p", [""])[-1], query.get("k", [""])[-1]
        page_id = path.removeprefix("/watch/ack/")
        oncall = self.watcher.oncall
        if not key or not hmac.compare_digest(key, oncall.ack_key(page_id, level)):
            return self._send(404, pages.message("Not found", "This acknowledge link is not valid."))
        if not confirm:
            return self._send(200, pages.ack_form(self.path))
        page = oncall.acknowledge(page_id, level, key)
        if page is None:
            return self._send(404, pages.message("Not found", "This alert is no longer known."))
        return self._send(200, pages.message("Acknowledged", f"Thank you. {page['acked_by']} is on it; nobody "
                                             "else will be paged for this alert."))

    def _sla(self, path):
        query = parse_qs(self.path.partition("?")[2])
        config = self.watcher.config
        key, month = query.get("key", [""])[-1], query.get("month", [""])[-1] or time.strftime("%Y-%m", time.gmtime())
        if not config.report_token or not hmac.compare_digest(key, config.report_token):
            return self._send(404, pages.message("Not found", "No such page."))
        if not re.fullmatch(r"\d{4}-\d{2}", month):
            return self._send(400, pages.message("Bad month", "Give the month as YYYY-MM."))
        report = sla.month_report(config.data_dir, month, config.sla_target)
        if path.endswith(".csv"):
            return self._send(200, sla.report_csv(report, month), "text/csv; charset=utf-8")
        if path.endswith(".pdf"):
            try:
                return self._send(200, report_pdf(report, month, config.shop_url), "application/pdf")
            except PdfUnavailable as error:
                return self._send(501, pages.message("PDF not available", str(error)))
        return self._send(200, sla.report_html(report, month, config.shop_url, key))

    def _page_options(self) -> dict:
        config = self.watcher.config
        query = parse_qs(self.path.partition("?")[2])
        lang = choose(query.get("lang", [""])[-1], self.headers.get("Accept-Language", ""), config.language)
        note = eta.current(config.data_dir)  # set at run time (python -m watch eta, /eta): wins over the config
        return {"lang": lang, "messengers": config.messengers, "eta": note["text"] if note else config.outage_note,
                "eta_at": note["set_at"] if note else ""}

    def _may_store(self) -> bool:
        client, now = self._client(), time.monotonic()
        with self.server.taken_lock:
            recent = [t for t in self.server.taken.get(client, []) if now - t < PER_CLIENT_WINDOW]
            if len(recent) >= PER_CLIENT or len(self.watcher.lifeboat.unpushed()) >= MAX_WAITING:
                return False
            self.server.taken[client] = recent + [now]
        return True

    def _client(self) -> str:
        # Behind a local TLS proxy every peer is 127.0.0.1: then the address the proxy appended is the client.
        peer = self.client_address[0]
        if peer in ("127.0.0.1", "::1"):
            return self.headers.get("X-Forwarded-For", "").split(",")[-1].strip() or peer
        return peer

    def _step_back(self):
        # The shop is up: anyone sent here (DNS failover, a bookmark) goes back to the real shop.
        self.send_response(307)
        self.send_header("Location", self.watcher.config.shop_url + (self.path if self.path.startswith("/") else "/"))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status, body, content_type="text/html; charset=utf-8"):
        data = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else pages.json_bytes(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if status == 503:
            self.send_header("Retry-After", "300")
        self.end_headers()
        self.wfile.write(data)


def request_validate(form: dict, snapshot: dict, lang: str = "en") -> tuple[dict, list[str]]:
    """The form's fields as the shop's import wants them, or the problems to show (nothing is stored then)."""
    errors = []
    t = partial(gettext, lang)
    variants = {v["sku"] for p in snapshot.get("products", []) for v in p["variants"]}
    lines = []
    for key, value in form.items():
        if key.startswith("qty:") and value not in ("", "0"):
            sku = key[4:]
            if sku not in variants or not value.isdigit() or not 0 < int(value) <= 99:
                errors.append(t("Quantity for {sku}: enter a number from 0 to 99.", sku=html.escape(sku)))
            else:
                lines.append({"sku": sku, "quantity": int(value)})
    if not lines and not errors:
        errors.append(t("Choose at least one item (a quantity above 0)."))
    methods = {m["code"]: m for m in snapshot.get("delivery_methods", [])}
    method = methods.get(form.get("delivery_method", ""))
    if method is None:
        errors.append(t("Choose how you want to receive the order."))
    for name, label, limit in (("full_name", "Your name", 150), ("phone", "Phone", 32), ("email", "E-mail", 254)):
        if not form.get(name):
            errors.append(t("{label} is required.", label=t(label)))
        elif len(form[name]) > limit:
            errors.append(t("{label} is too long.", label=t(label)))
    if form.get("email") and not EMAIL.match(form["email"]):
        errors.append(t("Enter a valid e-mail address."))
    if method and method["needs_address"] and not all(form.get(f) for f in ("address_line1", "postcode", "city")):
        errors.append(t("Enter the delivery address (street, postcode, city)."))
    fields = {name: form.get(name, "")[:limit] for name, limit in (
        ("full_name", 150), ("phone", 32), ("email", 254), ("delivery_method", 50), ("address_line1", 200),
        ("postcode", 20), ("city", 100), ("country", 2), ("note", 2000))}
    return {**fields, "lines": lines}, errors
