"""A real SMTP server on 127.0.0.1 (aiosmtpd) with a ledger and fault switches, for the e-mail channel.

    fake = FakeSMTP().start()          # fake.port; fake.messages -> [{"to", "subject", "key", "text"}]
    fake.set_fault("refuse")           # nothing listens: connection refused (the port stays reserved for "ok")
    fake.set_fault("tempfail")         # 451 on RCPT: try again later
    fake.set_fault("hang")             # takes the message, never answers DATA: the client times out, nothing kept
    fake.set_fault("ok")
    fake.rejected.add("bad@example.com")   # 550 for that address: permanent
"""

import asyncio
import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller

MODES = ("ok", "refuse", "tempfail", "hang")


class _Handler:
    def __init__(self, fake):
        self.fake = fake

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.fake.mode == "tempfail":
            return "451 4.3.0 Temporary failure, try again later"
        if address.lower() in self.fake.rejected:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fake.mode == "hang":
            self.fake.hanging += 1
            while not self.fake.released.is_set():
                await asyncio.sleep(0.05)
            return "421 4.3.0 Shutting down"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        for rcpt in envelope.rcpt_tos:
            self.fake.accept({"to": rcpt, "subject": str(parsed["Subject"] or ""),
                              "key": str(parsed["X-Steadfast-Key"] or ""), "message_id": str(parsed["Message-ID"]),
                              "list_unsubscribe": "".join(str(parsed["List-Unsubscribe"] or "").split()),
                              "text": body.get_content() if body else "",
                              "html": bool(parsed.get_body(preferencelist=("html",)))})
        return "250 Message accepted for delivery"


class FakeSMTP:
    def __init__(self, host="127.0.0.1", port=0):
        self.host, self.port = host, port or _free_port(host)
        self.mode = "ok"
        self.rejected: set[str] = set()
        self.messages: list[dict] = []
        self.hanging = 0
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._controller = None

    def start(self) -> "FakeSMTP":
        self.released.clear()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self):
        self.released.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def set_fault(self, mode="ok"):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        if mode == "refuse" and self._controller is not None:
            self.stop()
        elif mode != "refuse" and self._controller is None:
            self.start()
        if mode != "hang":
            self.released.set()
        self.mode = mode
        if mode == "hang":
            self.released.clear()

    def accept(self, message):
        with self._lock:
            self.messages.append(message)

    def received(self, to=None) -> list[dict]:
        return [m for m in self.messages if to is None or m["to"] == to]


def _free_port(host) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
