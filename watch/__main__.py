"""`python -m watch [--config FILE]`: watch the shop, alert staff, keep the lifeboat (docs/watch.md)."""

import argparse
import logging
import signal
import sys
import threading

from watch.config import ConfigError, load
from watch.runner import Watcher
from watch.web import serve


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="steadfast-watch", description=__doc__)
    parser.add_argument("--config", help="TOML file (default: $WATCH_CONFIG); WATCH_* variables override it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry the Telegram token
    try:
        config = load(args.config)
    except ConfigError as error:
        print(f"steadfast-watch: {error}", file=sys.stderr)
        return 2
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


if __name__ == "__main__":
    sys.exit(main())
