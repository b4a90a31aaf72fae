"""Settings of the accounting app (steadfast/accounting, docs/accounting.md)."""

from django.core.exceptions import ImproperlyConfigured

from steadfast.env import env_decimal, env_int, env_str

# Sync rows replayed per second to one target at most, so a recovered accounting system is not flooded.
ACCOUNTING_REPLAY_RATE = env_int("ACCOUNTING_REPLAY_RATE", 20, 1)
# Rows one worker run replays per target before handing over to the next run (which is queued at once).
ACCOUNTING_REPLAY_BATCH = env_int("ACCOUNTING_REPLAY_BATCH", 500, 1)
# A worker's lease on one target's backlog (seconds): another worker takes over after it runs out.
ACCOUNTING_LEASE_SECONDS = env_int("ACCOUNTING_LEASE_SECONDS", 120, 10)
# Backoff after a failed replay: from this many seconds, doubling, up to the maximum.
ACCOUNTING_RETRY_SECONDS = env_int("ACCOUNTING_RETRY_SECONDS", 30, 1)
ACCOUNTING_RETRY_MAX_SECONDS = env_int("ACCOUNTING_RETRY_MAX_SECONDS", 1800, 1)
# Staff are alerted when a target's oldest unsynced change is older than this (minutes).
ACCOUNTING_BACKLOG_ALERT_MINUTES = env_int("ACCOUNTING_BACKLOG_ALERT_MINUTES", 60, 1)
# 1C pulls orders itself; when it has not polled for this long (minutes) it counts as down.
ACCOUNTING_1C_POLL_MINUTES = env_int("ACCOUNTING_1C_POLL_MINUTES", 30, 1)
# A stock import that would zero or drop more than this share of the catalog is held for staff approval.
ACCOUNTING_STOCK_DROP_MAX = env_decimal("ACCOUNTING_STOCK_DROP_MAX", "0.2")
if not 0 <= ACCOUNTING_STOCK_DROP_MAX <= 1:
    raise ImproperlyConfigured(
        f"Environment variable ACCOUNTING_STOCK_DROP_MAX={ACCOUNTING_STOCK_DROP_MAX} is invalid: expected 0 to 1.")
# 1C exchange (shop is the server): HTTP basic credentials; empty login turns the endpoint off.
ACCOUNTING_1C_LOGIN = env_str("ACCOUNTING_1C_LOGIN", "")
ACCOUNTING_1C_PASSWORD = env_str("ACCOUNTING_1C_PASSWORD", "")
# Largest upload 1C may send in one exchange (bytes, after unzipping) and per request (file_limit).
ACCOUNTING_1C_MAX_BYTES = env_int("ACCOUNTING_1C_MAX_BYTES", 50 * 1024 * 1024, 1024)
ACCOUNTING_1C_FILE_LIMIT = env_int("ACCOUNTING_1C_FILE_LIMIT", 2 * 1024 * 1024, 1024)
