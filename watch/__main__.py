"""`python -m watch [--config FILE]`: watch the shop, alert staff, keep the lifeboat (docs/watch.md)."""

import argparse
import getpass
import logging
import re
import signal
import sys
import threading
import time
from pathlib import Path

from watch import eta, sla
from watch.config import ConfigError, load
from watch.runner import Watcher
from watch.sla_pdf import PdfUnavailable, report_pdf
from watch.store import read_json
from watch.web import serve


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="steadfast-watch", description=__doc__)
    parser.add_argument("--config", help="TOML file (default: $WATCH_CONFIG); WATCH_* variables override it")
    parser.add_argument("command", nargs="?", choices=["run", "sla", "eta"], default="run",
                        help="run (default): watch; sla: print the month's availability report and exit; "
                        "eta [TEXT | --clear]: set, clear or show the note on the emergency page")
    parser.add_argument("text", nargs="?", help="eta: what customers read, e.g. \"Back by 14:00\"")
    parser.add_argument("--clear", action="store_true", help="eta: remove the note")
    parser.add_argument("--month", help="sla: YYYY-MM (default: this month)")
    parser.add_argument("--format", choices=["csv", "html", "pdf"], default="csv",
                        help="sla: output format (pdf needs reportlab: watch/requirements-pdf.txt)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry the Telegram token
    try:
        config = load(args.config)
    except ConfigError as error:
        print(f"steadfast-watch: {error}", file=sys.stderr)
        return 2
    if args.command == "sla":
        return _sla(config, args.month or time.strftime("%Y-%m", time.gmtime()), args.format)
    if args.command == "eta":
        return eta_command(config, args.text, args.clear)
    if args.text or args.clear:
        parser.error("TEXT and --clear go with the eta command")
    watcher = Watcher(config)
    try:
        server = serve(watcher)
    except OSError as error:
        print(f"steadfast-watch: listen={config.listen} cannot be used: {error.strerror}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    watcher.run(stop, server)
    return 0


def eta_command(config, text, clear) -> int:
    """The note on the emergency page, for staff on the watcher's host (the running watcher reads it per request)."""
    if clear:
        print("Cleared." if eta.clear(config.data_dir, f"command line ({getpass.getuser()})") else "No note was set.")
        return 0
    if not text:
        note = eta.current(config.data_dir)
        fallback = "; the config's outage_note is shown" if config.outage_note else ""
        print(f"{note['text']}  (set {note['set_at'][:16].replace('T', ' ')} UTC by {note['by']})" if note
              else f"No note set{fallback}.")
        return 0
    note = eta.set_note(config.data_dir, text, f"command line ({getpass.getuser()})")
    print(f"The emergency page now says: {note['text']}")
    state = (read_json(Path(config.data_dir) / "state.json") or {}).get("state", "up")
    if state != "down":
        print(f"The watcher sees the shop as {state}: the page shows the note while the shop is down, and it is "
              "cleared when the shop is back.")
    return 0


def _sla(config, month, output) -> int:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        print(f"steadfast-watch: --month {month!r}: give the month as YYYY-MM", file=sys.stderr)
        return 2
    report = sla.month_report(config.data_dir, month, config.sla_target)
    if output == "pdf":
        try:
            sys.stdout.buffer.write(report_pdf(report, month, config.shop_url))
        except PdfUnavailable as error:
            print(f"steadfast-watch: {error}", file=sys.stderr)
            return 2
        return 0
    sys.stdout.write(sla.report_csv(report, month) if output == "csv" else sla.report_html(report, month,
                                                                                             config.shop_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
