"""`manage.py demo`: the last step of `make demo`.

Makes sure the demo admin exists (password generated once, kept in DATA_DIR/admin-password.txt so every run
prints the same one), prints where to go, then runs gunicorn, the Huey worker and the fake payment gateways
(Stripe, PayPal, YooKassa on 127.0.0.1) side by side until Ctrl-C (SIGINT) or SIGTERM, and stops them all. If one
dies on its own, the others are stopped too and the command fails.

The gateway providers are registered pointing at the fakes (config api_base only). Their secrets are the fakes'
demo defaults, exported as STEADFAST_<CODE>_<NAME> to every child process, never written to the database.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from steadfast.fakes.channel_fakes import CHANNEL_FAKES
from steadfast.fakes.management.commands.fakes import DEMO_SECRETS, FAKES, name_port
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env
from steadfast.providers.services import provider_configure
from steadfast.shipping.defaults import demo_delivery_ensure
from steadfast.shipping.models import DeliveryMethod

ADMIN_USERNAME = "admin"
STOP_GRACE_SECONDS = 10
READY_SECONDS = 30  # a cold Django start on a busy machine; past it, the next command starts anyway


def demo_admin_password() -> str:
    """The demo admin's password: read from the data directory, or generated and stored there the first time."""
    path = Path(settings.DATA_DIR) / "admin-password.txt"
    if path.exists():
        password = path.read_text().strip()
        if password:
            return password
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    # A demo credential, yet still nobody else's business on a shared machine.
    path.chmod(0o600)
    return password


def demo_admin_ensure() -> tuple[str, str]:
    """Create or repair the superuser `admin` so that it logs in with the stored password."""
    password = demo_admin_password()
    user, _ = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"email": settings.SHOP_EMAIL, "is_staff": True, "is_superuser": True}
    )
    if not (user.is_staff and user.is_superuser and user.is_active) or not user.check_password(password):
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
    return ADMIN_USERNAME, password


def demo_gateways_ensure(ports: dict | None = None) -> dict[str, str]:
    """Stripe, PayPal and YooKassa providers pointed at the fakes; returns {code: api_base}. Safe to re-run.

    api_base is set only where it is unset (a new row, or a row without one, with an audit row): an address an
    operator put there (a proxy, a sandbox, a fake on another port, a real gateway) is never changed behind their
    back. The command prints a row that points elsewhere than the fake it runs (demo_gateway_mismatches)."""
    ports, bases = ports or {}, {}
    for code, (default_port, _factory, row) in FAKES.items():
        api_base = f"http://127.0.0.1:{ports.get(code, default_port)}"
        defaults = {**row, "config": {**row.get("config", {}), "api_base": api_base}}
        provider, created = Provider.objects.get_or_create(code=code, defaults=defaults)
        if not created and not provider.config.get("api_base"):
            provider_configure(provider, None, "api_base", api_base, "demo: api_base was unset; pointed at the fake",
                               actor="demo")
        bases[code] = provider.config.get("api_base", "")
    return bases


def port_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:port (SO_REUSEADDR: a socket still in TIME_WAIT does not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _any_free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fake_ports_choose(requested: dict, defaults: dict | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """The port of every fake: the one asked for (must be free), else its default, else any free port when the
    default is taken (a second demo, or anything else on 8811-8813). Returns (ports, {code: taken default})."""
    defaults = defaults or {code: spec[0] for code, spec in FAKES.items()}
    ports, moved = {}, {}
    for code, default in defaults.items():
        if code in requested:
            if not port_free(requested[code]):
                raise CommandError(f"Port {requested[code]} for the fake {code} is taken; choose another "
                                   f"({code.upper()}_PORT=... with make demo, --fake-port {code}=... here).")
            ports[code] = requested[code]
        elif port_free(default) and default not in ports.values():
            ports[code] = default
        else:
            ports[code], moved[code] = _any_free_port(), default
    return ports, moved


def demo_mail_note() -> str:
    """Where the demo's e-mails go when the Postmark and Mailgun fakes do not take them: nothing leaves the machine."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        return f"{Path(settings.EMAIL_FILE_PATH)}/   (one .log file per e-mail; nothing is sent out)"
    return settings.EMAIL_BACKEND


def demo_gateway_mismatches(bases: dict, ports: dict | None = None) -> dict[str, str]:
    """{code: fake address} for each provider whose api_base is not the fake this demo runs for it."""
    ports = ports or {}
    fakes = {code: f"http://127.0.0.1:{ports.get(code, FAKES[code][0])}" for code in FAKES}
    return {code: fakes[code] for code, base in bases.items() if base != fakes[code]}


def demo_secrets_export():
    """The fakes' demo secrets for the shop, its worker and the fakes (inherited environment); set ones win."""
    for code, names in DEMO_SECRETS.items():
        for name, value in names.items():
            os.environ.setdefault(provider_secret_env(code, name), value)


class Command(BaseCommand):
    help = "Create the demo admin, print the login, then run the web server and the Huey worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port for gunicorn")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=4,
                            help="threads per worker: a hanging gateway holds one per paying customer")
        parser.add_argument("--no-serve", action="store_true", help="only set up the admin and print the login")
        parser.add_argument("--fake-port", action="append", default=[], metavar="NAME=PORT", type=name_port,
                            help="run a fake gateway on this port (default: stripe 8811, paypal 8812, "
                                 "yookassa 8813, or any free port when that one is taken)")

    def handle(self, *args, bind, workers, threads, no_serve, fake_port, **options):
        username, password = demo_admin_ensure()
        url = f"http://{bind}/"
        self.stdout.write(
            "\n"
            f"  Steadfast demo shop:  {url}\n"
            f"  Admin:                {url}admin/\n"
            f"  Username:             {username}\n"
            f"  Password:             {password}   (kept in {Path(settings.DATA_DIR) / 'admin-password.txt'})\n"
            f"  E-mails:              {demo_mail_note()}\n"
        )
        if no_serve:
            return
        demo_secrets_export()
        ports, moved = fake_ports_choose(dict(fake_port))
        bases = demo_gateways_ensure(ports)
        demo_delivery_ensure(DeliveryMethod)
        mismatches = demo_gateway_mismatches(bases, ports)
        for code, api_base in bases.items():
            if code in mismatches:
                self.stdout.write(f"  {code + ':':<20} {api_base}   (set by staff; left alone - the fake runs on "
                                  f"{mismatches[code]})\n")
            else:
                note = f"   ({moved[code]} was taken)" if code in moved else ""
                if code in CHANNEL_FAKES:  # the messages the shop sent are listed on the fake
                    note = f"   (messages received: {api_base}/__messages__){note}"
                self.stdout.write(f"  Fake {code + ':':<15} {api_base}   (fire drill: admin > Providers){note}\n")
        self.stdout.write("  Press Ctrl-C to stop the web server, the worker and the fakes.\n\n")
        self.stdout.flush()
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        fakes = [sys.executable, manage, "fakes", "run", "--shop-url", settings.SITE_URL]
        for code in FAKES:
            fakes += ["--port", f"{code}={ports[code]}"]
        commands = {
            # Webhooks from the fakes go to SITE_URL, the address the shop is reached at. First, so that the
            # worker's first probe finds them listening.
            "fake gateways (fakes run)": fakes,
            "web server (gunicorn)": [
                sys.executable, "-m", "gunicorn", "steadfast.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--threads", str(threads),
                "--graceful-timeout", str(STOP_GRACE_SECONDS), "--access-logfile", "-",
                # No control socket: it lives in $HOME and would clash with another gunicorn on this machine.
                "--no-control-socket",
            ],
            "worker (run_huey)": [sys.executable, manage, "run_huey"],
        }
        fake_urls = [f"http://127.0.0.1:{ports[code]}/__fault__" for code in FAKES]
        ready = {"fake gateways (fakes run)": lambda: all(_answers(url) for url in fake_urls)}
        failed = run_together(commands, cwd=settings.BASE_DIR, stderr=self.stderr, ready=ready)
        if failed:
            raise CommandError(f"{failed} stopped on its own; the demo was shut down.")
        self.stdout.write("Demo stopped.")


def _answers(url) -> bool:
    try:
        return httpx.get(url, timeout=1, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def run_together(commands: dict, cwd, stderr, ready=None) -> str | None:
    """Run every command until a stop signal or until one exits; stop all. Returns the name of one that died.

    Commands start in order; ready[name]() (optional) is polled after starting `name`, for up to READY_SECONDS,
    before the next command starts."""
    ready = ready or {}
    stop = {"requested": False}

    def request_stop(signum, frame):
        stop["requested"] = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes, failed = {}, None
    try:
        for name, argv in commands.items():
            if stop["requested"]:
                break
            # Own process group: a terminal's Ctrl-C reaches only this runner, which then stops each child
            # exactly once (a second SIGINT would cut Huey's graceful shutdown short).
            processes[name] = subprocess.Popen(argv, cwd=cwd, process_group=0)
            deadline = time.monotonic() + READY_SECONDS
            while name in ready and not ready[name]() and time.monotonic() < deadline:
                if stop["requested"] or processes[name].poll() is not None:
                    break
                time.sleep(0.2)
        while not stop["requested"] and failed is None:
            for name, process in processes.items():
                if process.poll() is not None:
                    stderr.write(f"{name} exited with code {process.returncode}")
                    failed = name
                    break
            time.sleep(0.2)
    finally:
        _stop_all(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return failed


def _stop_all(processes):
    # SIGINT: gunicorn shuts down at once, Huey finishes the task in hand (the outbox lease covers a kill anyway).
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE_SECONDS + 2
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
