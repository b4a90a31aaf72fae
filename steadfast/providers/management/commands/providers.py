"""manage.py providers list | enable CODE --reason R | disable CODE --reason R | probe [CODE] [--record]
| configure CODE KEY VALUE --reason R   (VALUE is JSON when it parses as JSON, else a string; null removes KEY).

`probe` is a diagnostic: it says what it sees and what the shop's probe would record, and changes nothing (a
shell without the gateway's secret must not take the gateway out for everyone). --record records the result as
the scheduled probe does (an Attempt that feeds the breaker and may alert staff)."""

import getpass
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from steadfast.providers.health import provider_health
from steadfast.providers.models import Provider
from steadfast.providers.probes import providers_probe, providers_probe_dry_run, secrets_missing_hint
from steadfast.providers.services import ProviderChangeError, provider_configure, provider_disable, provider_enable


class Command(BaseCommand):
    help = "List, enable, disable, probe and configure providers (payment gateways, carriers, channels)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Table of providers with breaker state and error rate")
        for action in ("enable", "disable"):
            p = sub.add_parser(action, help=f"{action.capitalize()} a provider (audited)")
            p.add_argument("code")
            p.add_argument("--reason", required=True)
        p = sub.add_parser("probe", help="Probe enabled providers now, or only CODE; records nothing without --record")
        p.add_argument("code", nargs="?")
        p.add_argument(
            "--record", action="store_true",
            help="Record the result like the scheduled probe (feeds the breaker, may alert staff)",
        )
        p = sub.add_parser("configure", help="Set a non-secret config value (audited)")
        p.add_argument("code")
        p.add_argument("key")
        p.add_argument("value")
        p.add_argument("--reason", required=True)

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except ProviderChangeError as error:
            raise CommandError(str(error)) from None

    def do_list(self, **options):
        rows = [("CODE", "KIND", "ENABLED", "STATE", "LAST SUCCESS", "ERRORS 1H")]
        for provider in Provider.objects.order_by("kind", "priority", "code"):
            health = provider_health(provider)
            rate = health.hour.error_rate
            rows.append((
                provider.code, provider.kind, "yes" if provider.enabled else "no", health.state,
                _when(health.last_success), "-" if rate is None else f"{rate:g} % of {health.hour.calls}",
            ))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

    def do_enable(self, code, reason, **options):
        provider = _provider(code)
        provider_enable(provider, reason=reason, actor=_actor())
        self.stdout.write(f"{code} enabled.")

    def do_disable(self, code, reason, **options):
        provider = _provider(code)
        provider_disable(provider, reason=reason, actor=_actor())
        self.stdout.write(f"{code} disabled.")

    def do_configure(self, code, key, value, reason, **options):
        provider = _provider(code)
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        provider_configure(provider, None, key, parsed, reason, actor=_actor())
        self.stdout.write(f"{code}: {key} = {json.dumps(provider.config.get(key))}")

    def do_probe(self, code=None, record=False, **options):
        if code:
            _provider(code)
        results = providers_probe(code) if record else providers_probe_dry_run(code)
        if not results:
            self.stdout.write("No provider to probe (offline adapters have no probe).")
        for result in results:
            line = f"{result.provider.code}: {result.outcome}" + (f" ({result.message})" if result.message else "")
            self.stdout.write(line)
            if not record and result.outcome != "ok":
                hint = secrets_missing_hint(result.provider)
                if hint:
                    self.stdout.write(f"  note: {hint}; the failure may be this shell's, not the provider's.")
        if not record and results:
            self.stdout.write(
                "Not recorded: shared health, the breaker and staff alerts are unchanged. "
                "Run with --record to record these results as the scheduled probe would."
            )

def _provider(code):
    try:
        return Provider.objects.get(code=code)
    except Provider.DoesNotExist:
        known = ", ".join(Provider.objects.order_by("code").values_list("code", flat=True)) or "none"
        raise CommandError(f"No provider {code!r}. Known: {known}.") from None


def _actor():
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "cli"


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"
