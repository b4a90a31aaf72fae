"""Detection drill (issue 9) with the default intervals: an idle shop (no shopper traffic) and a card gateway that
starts answering 5xx, hanging, or refusing connections. Prints, per fault, the seconds until /status/ and the
storefront banner show it as out, the staff alerts written, and the seconds until both show it back after the
gateway recovers. Figures for people; nothing is asserted. Target: out <= 90 s with 1 alert, back <= 90 s.

    .venv/bin/python bench/detection_drill.py                  # all three faults, ~2 min each
    DRILL_FAULTS=hang .venv/bin/python bench/detection_drill.py

A real shop: gunicorn and the Huey worker (`manage.py run_huey`, its minute crontab and self-rescheduling probe
tick) as subprocesses on a temporary SQLite database; two Stripe fakes on 127.0.0.1 in this process. The fault
starts just after a healthy probe (the worst phase: a full PROBE_INTERVAL until the next one); the recovery
starts just after a failed trial (a full cool-down until the next one).
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="steadfast-detection-drill-"))
PORT = int(os.environ.get("DRILL_PORT", "8131"))
FAULTS = os.environ.get("DRILL_FAULTS", "5xx,hang,refused").split(",")
LIMIT = 300  # seconds before a phase is reported as not reached
STRIPE_KEY = "sk_test_steadfast"
ENV = {
    **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
    "STEADFAST_DATA_DIR": str(WORK),
    "DJANGO_SETTINGS_MODULE": "steadfast.settings",
    "DEBUG": "0",
    "LOG_LEVEL": "WARNING",
    "STAFF_ALERT_EMAILS": "ops@example.com",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
}
CODES = {"card": f"card-{uuid.uuid4().hex[:6]}", "wallet": f"wallet-{uuid.uuid4().hex[:6]}"}
for _code in CODES.values():
    ENV[f"STEADFAST_{_code.upper().replace('-', '_')}_SECRET_KEY"] = STRIPE_KEY
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from steadfast.fakes.stripe import FakeStripe  # noqa: E402
from steadfast.notify.models import OutboxMessage  # noqa: E402
from steadfast.providers.models import Attempt, HealthEvent, Provider  # noqa: E402


def get(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as response:
        return response.read().decode()


def shown(card) -> tuple[str, bool]:
    import json

    data = json.loads(get("/status/api/v2/summary.json"))
    status = next(c["status"] for c in data["components"] if c["id"] == f"payment-{card.code}")
    return status, 'id="status-banner"' in get("/")


def wait(condition, what):
    started = time.monotonic()
    while time.monotonic() - started < LIMIT:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    print(f"  {what}: NOT reached within {LIMIT} s")
    return None


def last_probe_id(card):
    return Attempt.objects.filter(provider=card, operation="probe").order_by("-id").values_list("id", flat=True).first()


def alerts(card):
    return list(OutboxMessage.objects.filter(kind="staff_alert", payload__code=card.code).values_list(
        "payload__alert", flat=True).order_by("id"))


def drill(fault, card, fake):
    # Worst phase: just after a healthy probe.
    before = last_probe_id(card) or 0
    wait(lambda: Attempt.objects.filter(provider=card, operation="probe", outcome="ok", id__gt=before).exists(),
         "a healthy probe")
    alerts_before = len(alerts(card))
    {"5xx": lambda: fake.set_fault("status", status=503), "hang": lambda: fake.set_fault("hang"),
     "refused": fake.stop}[fault]()
    out = wait(lambda: shown(card) == ("major_outage", True), "shown as out")
    new_alerts = alerts(card)[alerts_before:]
    # Let a trial fail, then recover just after it (worst phase: a full cool-down until the next trial).
    trials = HealthEvent.objects.filter(provider=card, from_state="half_open", to_state="open").count()
    wait(lambda: HealthEvent.objects.filter(provider=card, from_state="half_open", to_state="open").count() > trials,
         "a failed trial")
    if fault == "refused":
        fake.start()
    fake.set_fault("ok")
    back = wait(lambda: shown(card) == ("operational", False), "shown as back")
    during = alerts(card)[alerts_before:]
    return out, new_alerts, back, during


def main():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG=0 pages need the static manifest
    fakes = {name: FakeStripe(api_key=STRIPE_KEY).start() for name in CODES}
    providers = {
        name: Provider.objects.create(
            kind="payment", code=code, adapter="stripe", name=name.capitalize(), priority=i,
            config={"api_base": fakes[name].url, "connect_timeout": 3, "read_timeout": 10},
        )
        for i, (name, code) in enumerate(CODES.items())
    }
    manage = str(ROOT / "manage.py")
    processes = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "steadfast.wsgi:application", "--bind",
                          f"127.0.0.1:{PORT}", "--workers", "2", "--log-level", "warning", "--no-control-socket"],
                         cwd=ROOT, env=ENV),
        subprocess.Popen([sys.executable, manage, "run_huey"], cwd=ROOT, env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    print(f"detection drill: idle shop, Huey worker + gunicorn, SQLite in {WORK}")
    print(f"settings: probe every {settings.PROBE_INTERVAL} s, again after {settings.PROBE_RETRY_SECONDS} s while "
          f"failing, probe read timeout {settings.PROBE_READ_TIMEOUT} s, {settings.BREAKER_CONSECUTIVE} failures in "
          f"a row open, cool-down {settings.BREAKER_COOLDOWN} s")
    try:
        wait(lambda: _answers(), "web server up")
        print(f"{'fault':<8} {'out after':>10} {'alerts when out':>18} {'back after':>11}  alerts over the drill")
        for fault in FAULTS:
            out, first, back, during = drill(fault, providers["card"], fakes["card"])
            print(f"{fault:<8} {_s(out):>10} {', '.join(first) or '-':>18} {_s(back):>11}  {', '.join(during)}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for fake in fakes.values():
            fake.stop()


def _answers():
    try:
        return "ok" in get("/healthz")
    except OSError:
        return False


def _s(seconds):
    return "-" if seconds is None else f"{seconds:.0f} s"


if __name__ == "__main__":
    main()
