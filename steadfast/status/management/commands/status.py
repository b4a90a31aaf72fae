from django.core.management.base import BaseCommand, CommandError

from steadfast.status.export import STATUS_ROOT, nginx_snippet, status_export
from steadfast.status.origin import origin_check_record, origin_url
from steadfast.status.safe_write import UnsafePath


class Command(BaseCommand):
    help = "Export a static status page for off-host serving, or print the nginx config that falls back to it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Check the website, then write the static status copy.")
        export.add_argument("directory")
        export.add_argument(
            "--base-href", default=STATUS_ROOT, help="URL path the directory is served under (default %(default)s)."
        )
        export.add_argument("--language", default=None)
        export.add_argument(
            "--no-check", action="store_true", help="Do not check (and record) whether the website answers first."
        )
        check = sub.add_parser("check", help="Check whether the website answers and record it (uptime bars).")
        check.add_argument("--origin", default=None, help="Default: STATUS_ORIGIN_URL, else SITE_URL.")
        snippet = sub.add_parser("nginx-snippet", help="Print nginx config serving the copy when the shop is down.")
        snippet.add_argument("--dir", default="/var/lib/steadfast/status")
        snippet.add_argument("--upstream", default="http://127.0.0.1:8000")
        snippet.add_argument("--read-timeout", type=int, default=30, help="Seconds (default %(default)s).")

    def handle(self, *args, action, **options):
        if action == "export":
            if not options["no_check"]:
                self._check(None)
            try:
                written = status_export(options["directory"], options["base_href"], options["language"])
            except UnsafePath as error:
                raise CommandError(str(error)) from None
            for path in written:
                self.stdout.write(str(path))
        elif action == "check":
            self._check(options["origin"])
        else:
            self.stdout.write(nginx_snippet(options["dir"], options["upstream"], options["read_timeout"]))

    def _check(self, origin):
        check = origin_check_record(origin)
        detail = f" ({check.detail})" if check.detail else ""
        self.stderr.write(f"website {origin or origin_url()}: {check.outcome}{detail}")
