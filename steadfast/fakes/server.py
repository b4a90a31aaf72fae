"""A loopback fake HTTP server with fault injection; provider fakes (Stripe, PayPal, ...) subclass it.

    fake = FakeServer().start()            # 127.0.0.1, a free port; fake.url -> "http://127.0.0.1:40123"
    fake.set_fault("status", status=503)   # or: ok, slow (ms=), hang, reset, malformed; times=N for the next N only
    fake.requests                          # requests answered or faulted, control calls not counted
    fake.stop()

A fake running in another process is switched over HTTP:  POST /__fault__ {"mode": "hang"};
GET /__fault__ returns the fault and the request count. Run one with `python -m steadfast.fakes.server --port 8801`.

Subclasses override `handle(request) -> FakeResponse`; the generic fake answers GET /ping with {"ok": true}.
"""

import argparse
import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("ok", "status", "slow", "hang", "reset", "malformed")
CONTROL_PATH = "/__fault__"
MESSAGES_PATH = "/__messages__"  # message fakes: what they received (never faulted, not counted)


@dataclass(frozen=True)
class Fault:
    mode: str = "ok"
    status: int = 503
    ms: int = 0
    times: int | None = None  # None: until changed

    @classmethod
    def parse(cls, data: dict) -> "Fault":
        mode = data.get("mode", "ok")
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        status, ms, times = int(data.get("status", 503)), int(data.get("ms", 0)), data.get("times")
        if not 100 <= status <= 599 or ms < 0 or (times is not None and int(times) < 1):
            raise ValueError("status must be 100-599, ms >= 0, times >= 1")
        return cls(mode, status, ms, None if times is None else int(times))


@dataclass(frozen=True)
class FakeRequest:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class FakeResponse:
    status: int = 200
    body: object = field(default_factory=dict)  # dict/list -> JSON; bytes/str sent as is
    headers: dict = field(default_factory=dict)
    # "reset" / "hang": the fake acted on the request (e.g. made the charge), then the answer is lost.
    drop: str = ""

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        return json.dumps(self.body).encode(), "application/json"


class FakeServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("fakes listen on loopback only")
        self.host, self.port = host, port
        self.requests = 0
        self.log: list[FakeRequest] = []
        self._fault = Fault()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = None
        self._thread = None

    # --- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> "FakeServer":
        self._stopping.clear()  # started again after stop(): the same port, answering again
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()  # releases hanging handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
            self._thread.join(5)
            self._httpd = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- faults --------------------------------------------------------------------------------------
    def set_fault(self, mode: str = "ok", **options) -> Fault:
        fault = Fault.parse({"mode": mode, **options})
        with self._lock:
            self._fault = fault
        return fault

    @property
    def fault(self) -> Fault:
        return self._fault

    def _next_fault(self, request: FakeRequest) -> Fault:
        with self._lock:
            self.requests += 1
            self.log.append(request)
            del self.log[:-200]
            fault = self._fault
            if fault.times is not None:
                remaining = fault.times - 1
                self._fault = Fault() if remaining == 0 else Fault(fault.mode, fault.status, fault.ms, remaining)
        return fault

    # --- behaviour (subclasses override) ----------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.method == "GET" and request.path == "/ping":
            return FakeResponse(200, {"ok": True})
        return FakeResponse(404, {"error": "not found", "path": request.path})

    def messages_page(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(404, {"error": "this fake keeps no messages"})

    def control(self, request: FakeRequest) -> FakeResponse:
        if request.method == "POST":
            try:
                data = request.json()
                fault = Fault.parse(data if isinstance(data, dict) else {})
            except ValueError as error:
                return FakeResponse(400, {"error": str(error)})
            with self._lock:
                self._fault = fault
        return FakeResponse(200, {"fault": self._fault.__dict__, "requests": self.requests})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._connections, self._connections_lock = set(), threading.Lock()

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Like a process that died: keep-alive connections end too, so clients see refused/reset, not answers."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # Clients hanging up on a slow or hanging fake is the point of the exercise; do not print tracebacks.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, keep-alive clients wait ~40 ms for each answer.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # quiet: tests and the demo do not want access logs on stderr
        pass

    def _serve(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        path = self.path.split("?", 1)[0]
        request = FakeRequest(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
        if path == CONTROL_PATH:
            return self._send(fake.control(request))
        if path == MESSAGES_PATH:
            return self._send(fake.messages_page(request))
        fault = fake._next_fault(request)
        if fault.mode == "hang":
            fake._stopping.wait()  # until the fake stops; the client's read timeout fires first
            return self._drop(reset=False)
        if fault.mode == "reset":
            return self._drop(reset=True)
        if fault.mode == "slow" and fake._stopping.wait(fault.ms / 1000):
            return self._drop(reset=False)
        if fault.mode == "status":
            return self._send(FakeResponse(fault.status, {"error": f"fault injected: HTTP {fault.status}"}))
        if fault.mode == "malformed":
            return self._send(FakeResponse(200, b"<html>502 Bad Gateway", {"Content-Type": "application/json"}))
        response = fake.handle(request)
        if response.drop == "hang":
            fake._stopping.wait()
            return self._drop(reset=False)
        if response.drop == "reset":
            return self._drop(reset=True)
        self._send(response)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _send(self, response: FakeResponse):
        body, content_type = response.encoded()
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() != "content-type":
                self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self, reset: bool):
        """Close the connection without a reply; reset=True sends a TCP RST like a crashed load balancer."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def main():
    parser = argparse.ArgumentParser(description="Run the generic loopback fake provider server.")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    fake = FakeServer(args.host, args.port).start()
    print(f"fake provider on {fake.url} (POST {CONTROL_PATH} to inject faults); Ctrl+C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
