"""The outbox (notify/outbox.py): leases, retries, dead letters and the staff alerts about them."""

from steadfast.env import env_int

# How long a worker owns an outbox message it is delivering; after a crash the sweep retries it once this passes.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120, 1)
# Outbox retries (notify/outbox.py): backoff from OUTBOX_RETRY_SECONDS doubling up to OUTBOX_RETRY_MAX_SECONDS, with
# jitter; dead letter after OUTBOX_MAX_ATTEMPTS failed runs or OUTBOX_MAX_AGE_HOURS; a channel failing temporarily
# is tried OUTBOX_CHANNEL_TRIES runs before the fallback chain moves on. Staff are alerted when dead letters appear
# or OUTBOX_BACKLOG_ALERT messages have waited longer than OUTBOX_BACKLOG_MINUTES.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30, 1)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600, 1)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10, 1)
OUTBOX_MAX_AGE_HOURS = env_int("OUTBOX_MAX_AGE_HOURS", 48, 1)
OUTBOX_CHANNEL_TRIES = env_int("OUTBOX_CHANNEL_TRIES", 2, 1)
OUTBOX_BACKLOG_MINUTES = env_int("OUTBOX_BACKLOG_MINUTES", 10, 1)
OUTBOX_BACKLOG_ALERT = env_int("OUTBOX_BACKLOG_ALERT", 50, 1)
