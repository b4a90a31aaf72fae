"""`manage.py demo`: the last step of `make demo`.

Makes sure the demo admin exists (password generated once, kept in DATA_DIR/admin-password.txt so every run
prints the same one), prints where to go, then runs gunicorn and the Huey worker side by side until Ctrl-C
(SIGINT) or SIGTERM, and stops both. If either dies on its own, the other is stopped too and the command fails.
"""

import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

ADMIN_USERNAME = "admin"
STOP_GRACE_SECONDS = 10


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


class Command(BaseCommand):
    help = "Create the demo admin, print the login, then run the web server and the Huey worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port for gunicorn")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--no-serve", action="store_true", help="only set up the admin and print the login")

    def handle(self, *args, bind, workers, no_serve, **options):
        username, password = demo_admin_ensure()
        url = f"http://{bind}/"
        self.stdout.write(
            "\n"
            f"  Steadfast demo shop:  {url}\n"
            f"  Admin:                {url}admin/\n"
            f"  Username:             {username}\n"
            f"  Password:             {password}   (kept in {Path(settings.DATA_DIR) / 'admin-password.txt'})\n"
        )
        if no_serve:
            return
        self.stdout.write("  Press Ctrl-C to stop the web server and the worker.\n\n")
        self.stdout.flush()
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        commands = {
            "web server (gunicorn)": [
                sys.executable, "-m", "gunicorn", "steadfast.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--graceful-timeout", str(STOP_GRACE_SECONDS), "--access-logfile", "-",
                # No control socket: it lives in $HOME and would clash with another gunicorn on this machine.
                "--no-control-socket",
            ],
            "worker (run_huey)": [sys.executable, manage, "run_huey"],
        }
        failed = run_together(commands, cwd=settings.BASE_DIR, stderr=self.stderr)
        if failed:
            raise CommandError(f"{failed} stopped on its own; the demo was shut down.")
        self.stdout.write("Demo stopped.")


def run_together(commands: dict, cwd, stderr) -> str | None:
    """Run every command until a stop signal or until one exits; stop all. Returns the name of one that died."""
    stop = {"requested": False}

    def request_stop(signum, frame):
        stop["requested"] = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes, failed = {}, None
    try:
        for name, argv in commands.items():
            # Own process group: a terminal's Ctrl-C reaches only this runner, which then stops each child
            # exactly once (a second SIGINT would cut Huey's graceful shutdown short).
            processes[name] = subprocess.Popen(argv, cwd=cwd, process_group=0)
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
