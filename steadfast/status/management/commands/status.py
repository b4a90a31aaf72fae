from django.core.management.base import BaseCommand, CommandError

from steadfast.status.export import STATUS_ROOT, nginx_snippet, status_export
from steadfast.status.nginxconf import nginx_server, nginx_standalone
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

        full = sub.add_parser("nginx-config", help="Print the nginx config for N web nodes (docs/production.md).")
        full.add_argument("--upstream", action="append", required=True,
                          help="A web node, http://HOST:PORT; repeat for each node.")
        full.add_argument("--listen", default="80", help="nginx's listen parameter (default %(default)s).")
        full.add_argument("--server-name", default="_")
        full.add_argument("--dir", default="/var/lib/steadfast/status", help="Where `status export` writes.")
        full.add_argument("--read-timeout", type=int, default=30, help="Seconds (default %(default)s).")
        full.add_argument("--max-fails", type=int, default=2, help="Failures that take a node out (passive check).")
        full.add_argument("--fail-timeout", type=int, default=10, help="Seconds a failed node is left alone.")
        full.add_argument("--behind-proxy", action="store_true",
                          help="Another balancer (in TRUSTED_PROXIES) is in front: append to X-Forwarded-For.")
        full.add_argument("--standalone", metavar="PREFIX", default=None,
                          help="A complete nginx.conf with pid, logs and temp files under PREFIX (trials, tests).")

    def handle(self, *args, action, **options):
        if action == "nginx-config":
            self._nginx_config(options)
            return
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

    def _nginx_config(self, options):
        shape = {"listen": options["listen"], "server_name": options["server_name"], "status_dir": options["dir"],
                 "read_timeout": options["read_timeout"], "behind_proxy": options["behind_proxy"],
                 "max_fails": options["max_fails"], "fail_timeout": options["fail_timeout"]}
        try:
            if options["standalone"]:
                text = nginx_standalone(options["upstream"], options["standalone"], **shape)
            else:
                text = nginx_server(options["upstream"], **shape)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(text)

    def _check(self, origin):
        check = origin_check_record(origin)
        detail = f" ({check.detail})" if check.detail else ""
        self.stderr.write(f"website {origin or origin_url()}: {check.outcome}{detail}")
