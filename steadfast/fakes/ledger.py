"""The base of the message fakes: a ledger of what they accepted, and callbacks they push to the shop.

`fake.messages` holds dicts with "to", "text" (and the dedupe key when the request carried one); tests check it for
"delivered once" instead of our own rows. GET /__messages__ shows it (the demo links there; never faulted).
Callbacks (delivery receipts, bot updates) are POSTed from a background thread, as a provider does; the answers are
kept in `fake.callbacks` as (what, HTTP status or error name).
"""

import html
import itertools
import threading
from urllib.parse import parse_qs, urlsplit

import httpx

from steadfast.fakes.server import FakeRequest, FakeResponse, FakeServer


class Ledger(FakeServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.messages: list[dict] = []
        self.blocked: set[str] = set()
        self.invalid: set[str] = set()
        self.undeliverable: set[str] = set()  # accepted, then a "not delivered" receipt (SMS)
        self.callbacks: list[tuple[str, object]] = []
        self._ids = itertools.count(1)
        self._ledger_lock = threading.Lock()

    def _accept(self, **message) -> int:
        with self._ledger_lock:
            self.messages.append(message)
            return next(self._ids)

    def received(self, to=None) -> list[dict]:
        return [m for m in self.messages if to is None or m["to"] == to]

    def messages_page(self, request: FakeRequest) -> FakeResponse:
        if "json" in urlsplit(request.path).query:
            return FakeResponse(200, {"messages": self.messages})
        cells = ([html.escape(str(m.get(name, ""))) for name in ("to", "subject", "text")]
                 for m in reversed(self.messages))
        rows = "".join(f"<tr><td>{to}</td><td>{subject}</td><td><pre>{text}</pre></td></tr>"
                       for to, subject, text in cells)
        page = (f"<!doctype html><meta charset=utf-8><title>{type(self).__name__}</title>"
                f"<h1>{type(self).__name__}: {len(self.messages)} message(s)</h1>"
                f"<table border=1 cellpadding=4><tr><th>to</th><th>subject</th><th>text</th></tr>{rows}</table>")
        return FakeResponse(200, page, {"Content-Type": "text/html; charset=utf-8"})

    def push(self, what: str, url: str, **request):
        """POST to the shop in the background (data=/json=/headers=), as the provider would."""
        threading.Thread(target=self._push, args=(what, url, request), daemon=True).start()

    def _push(self, what, url, request):
        try:
            with httpx.Client(timeout=10, trust_env=False) as client:
                status = client.post(url, **request).status_code
        except httpx.HTTPError as error:
            status = type(error).__name__
        self.callbacks.append((what, status))


def form(request: FakeRequest) -> dict:
    fields = parse_qs(request.body.decode(), keep_blank_values=True)
    fields.update(parse_qs(urlsplit(request.path).query, keep_blank_values=True))
    return {name: values[-1] for name, values in fields.items()}
