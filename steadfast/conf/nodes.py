"""Several web nodes: readiness at the door (status/readiness.py)."""

from steadfast.env import env_int

# How often each web process re-checks its database and cache for the readiness gate (milliseconds): the delay before
# a node steps aside after an outage, and before it serves again after one.
READY_RECHECK_SECONDS = env_int("READY_RECHECK_MS", 1000, 0, 60_000) / 1000
