"""Several real shop processes on this run's test database, behind a real nginx with the generated config.

Web nodes are gunicorn (one gthread worker each, its own process group so `kill -9` takes the whole node), workers
are `manage.py run_huey`, nginx runs `status nginx-config --standalone`. On PostgreSQL (+ Redis) the processes use
the test database and Redis with a key prefix and Huey name of their own; on SQLite they use the file database
(WAL: several processes read while one writes) in their own STEADFAST_DATA_DIR, whose database cache and
SqliteHuey queue they share the way one machine's processes do. Every process is killed by stop_all().
"""

import os
import signal
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.core.management import call_command

from steadfast.testing import WAIT_SECONDS, NginxProcess, free_port, wait_until

ROOT = Path(__file__).resolve().parents[3]
WAIT = 2 * WAIT_SECONDS  # each wait may be a Django process starting on a busy machine


class Cluster:
    def __init__(self, tmp_path: Path, **env):
        from django.db import connection, connections

        self.tmp, self.processes, self.nodes = tmp_path, [], {}
        data = tmp_path / "data"
        tag = uuid.uuid4().hex[:6]
        self.env = dict(
            os.environ, DJANGO_SETTINGS_MODULE="steadfast.settings", STEADFAST_DATA_DIR=str(data),
            HUEY_NAME=f"{os.environ.get('HUEY_NAME', 'steadfast')}-nodes-{tag}",
            CACHE_KEY_PREFIX=f"{os.environ.get('CACHE_KEY_PREFIX', 'steadfast')}-nodes-{tag}",
            ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONUNBUFFERED="1", STATIC_MANIFEST="0",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", OUTBOX_LEASE_SECONDS="5",
            RATELIMIT_PLACE_ORDER="100000/m", ORDER_MAX_OPEN_UNPAID="100000", ORDER_MAX_VALUE_UNVERIFIED="0",
            ORDER_MAX_QUANTITY_PER_LINE="1000", OFFLINE_CONFIRM_MINUTES="0", READY_RECHECK_MS="200", **env,
        )
        name = connections.settings["default"]["NAME"]  # this run's test database (SQLite: a WAL file)
        if connection.vendor == "postgresql":
            self.env["DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
        else:
            self.env["DATABASE_URL"] = f"sqlite:///{name}"
            self.env.pop("REDIS_URL", None)
        self.nginx = None

    def spawn(self, name, args, **env):
        log = open(self.tmp / f"{name}.log", "ab")
        process = subprocess.Popen(args, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group: kill -9 takes the whole node
        log.close()
        self.processes.append(process)
        return process

    def web(self, name, port=None, threads=4, **env):
        port = port or free_port()
        process = self.spawn(name, [sys.executable, "-m", "gunicorn", "steadfast.wsgi:application",
                                    "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", str(threads),
                                    "--worker-class", "gthread", "--graceful-timeout", "1"], **env)
        self.nodes[name] = (process, port)
        return f"http://127.0.0.1:{port}"

    def worker(self, name, **env):
        return self.spawn(name, [sys.executable, "manage.py", "run_huey", "--workers", "2"], **env)

    def wait_ready(self, name):
        process, port = self.nodes[name]

        def ready():
            assert process.poll() is None, f"node {name} exited at start: {self.log(name)[-2000:]}"
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5, trust_env=False).status_code == 200

        wait_until(ready, describe=f"node {name} to be ready", ignore=(httpx.HTTPError,), every=0.2, timeout=WAIT)

    def proxy(self, *urls, **options):
        work = self.tmp / "nginx"
        port = free_port()
        out = StringIO()
        args = ["status", "nginx-config", "--standalone", str(work), "--listen", f"127.0.0.1:{port}",
                "--dir", str(self.tmp / "status-copy")]
        for url in urls:
            args += ["--upstream", url]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        call_command(*args, stdout=out)
        self.nginx = NginxProcess(work, out.getvalue(), port).start()
        return self.nginx.url

    @staticmethod
    def kill(process):
        os.killpg(process.pid, signal.SIGKILL)  # kill -9 of the node: master and worker, no clean-up at all
        process.wait(WAIT)

    def log(self, name) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self, show_logs=True):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(WAIT)
        if self.nginx is not None:
            self.nginx.stop()
        if not show_logs:
            return
        # pytest shows this only when the test fails: the end of each process's log says what it saw.
        for log in sorted(self.tmp.glob("*.log")):
            print(f"--- {log.name} (last 30 lines)", *log.read_text(errors="replace").splitlines()[-30:], sep="\n")
        if self.nginx is not None:
            print("--- nginx error.log", self.nginx.error_log()[-3000:], sep="\n")


class Relay:
    """A TCP relay on 127.0.0.1 in front of a real server (PostgreSQL, Redis) that the test can cut and restore:
    cut() resets every open connection and refuses new ones (the server "went away" for this node only)."""

    def __init__(self, target_host, target_port):
        import socket
        import threading

        self.target = (target_host, target_port)
        self.port = free_port()
        self._socket, self._threading = socket, threading
        self.listener, self.pairs, self.lock = None, [], threading.Lock()
        self.restore()

    def restore(self):
        sock = self._socket.socket()
        sock.setsockopt(self._socket.SOL_SOCKET, self._socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.listener = sock
        self._threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # cut(): the listener was closed
            try:
                upstream = self._socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                self._threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # the other direction closed or cut() reset it: this copy ends too
        finally:
            for sock in (source, sink):
                try:
                    sock.close()
                except OSError:
                    pass

    def cut(self):
        try:
            self.listener.shutdown(self._socket.SHUT_RDWR)  # wakes the accepting thread (Linux); then the port is free
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for client, upstream in pairs:
            for sock in (client, upstream):
                try:
                    sock.shutdown(self._socket.SHUT_RDWR)  # wakes the copying threads; the node reads "closed"
                    sock.close()
                except OSError:
                    pass
