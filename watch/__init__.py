"""steadfast-watch: the off-host watcher and lifeboat of a Steadfast shop (docs/watch.md).

Runs on another machine, needs only the standard library and httpx, and talks to the shop only over HTTP.
"""
