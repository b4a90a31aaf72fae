"""Several web nodes: readiness at the door (status/readiness.py)."""

from steadfast.env import env_int

# How often each web process re-checks its database and cache for the readiness gate (milliseconds): the delay before
# a node steps aside after an outage, and before it serves again after one.
READY_RECHECK_SECONDS = env_int("READY_RECHECK_MS", 1000, 0, 60_000) / 1000

# Waiting room (waitroom/): new visitors queue while this many requests are in flight across all nodes (0: only the
# staff switch, `manage.py waitroom on`, queues them).
WAITROOM_MAX_INFLIGHT = env_int("WAITROOM_MAX_INFLIGHT", 0, 0)
# New visitors let in per second while staff switched the room on by hand.
WAITROOM_SWITCH_RATE = env_int("WAITROOM_SWITCH_RATE", 5, 1)
# The room stays on this long after load falls, so the queue drains in order before newcomers walk in.
WAITROOM_LINGER_SECONDS = env_int("WAITROOM_LINGER_SECONDS", 30, 0)
# How long a visitor let in keeps their admission.
WAITROOM_ADMIT_MINUTES = env_int("WAITROOM_ADMIT_MINUTES", 30, 1)

