"""The shop's own staff alerts paged through the on-call rota (steadfast/oncall/pages.py; docs/watch.md)."""

from steadfast.env import env_int

# Minutes an alert page waits for an acknowledgement before it goes to the next person in the rota (after the last
# one, to everyone through the staff chain). The watcher has its own WATCH_ESCALATE_MINUTES.
ONCALL_ESCALATE_MINUTES = env_int("ONCALL_ESCALATE_MINUTES", 10, 1, 24 * 60)
