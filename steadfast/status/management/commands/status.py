from django.core.management.base import BaseCommand, CommandError

from steadfast.status.export import OFFLINE_PREFIX, nginx_snippet, status_export
from steadfast.status.safe_write import UnsafePath


class Command(BaseCommand):
    help = "Export a static status page for off-host serving, or print the nginx config that falls back to it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the static status page, JSON, feed and contacts page.")
        export.add_argument("directory")
        export.add_argument(
            "--base-href", default=OFFLINE_PREFIX, help="URL path the directory is served under (default %(default)s)."
        )
        export.add_argument("--language", default=None)
        snippet = sub.add_parser("nginx-snippet", help="Print nginx config serving the export on 502/503/504.")
        snippet.add_argument("--dir", default="/var/lib/steadfast/status")
        snippet.add_argument("--upstream", default="http://127.0.0.1:8000")

    def handle(self, *args, action, **options):
        if action == "export":
            try:
                written = status_export(options["directory"], options["base_href"], options["language"])
            except UnsafePath as error:
                raise CommandError(str(error)) from None
            for path in written:
                self.stdout.write(str(path))
        else:
            self.stdout.write(nginx_snippet(options["dir"], options["upstream"]))
