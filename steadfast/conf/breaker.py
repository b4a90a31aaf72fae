"""The provider core (providers/): breaker thresholds, probes, and who gets staff alerts and how often."""

from steadfast.env import env_int, env_list, env_str

# Circuit breaker per provider (providers/breaker.py): opens on >= BREAKER_MIN_CALLS calls with
# >= BREAKER_FAILURE_PERCENT % failures within BREAKER_WINDOW seconds, or BREAKER_CONSECUTIVE failures in a row;
# after BREAKER_COOLDOWN seconds the probe makes one trial call (a provider's config "cooldown" overrides it).
BREAKER_WINDOW = env_int("BREAKER_WINDOW", 30, 5)
BREAKER_MIN_CALLS = env_int("BREAKER_MIN_CALLS", 5, 1)
BREAKER_FAILURE_PERCENT = env_int("BREAKER_FAILURE_PERCENT", 50, 1, 100)
BREAKER_CONSECUTIVE = env_int("BREAKER_CONSECUTIVE", 3, 1)
BREAKER_COOLDOWN = env_int("BREAKER_COOLDOWN", 30, 1)
# Probes (providers/probes.py): every PROBE_INTERVAL s while healthy, every PROBE_RETRY_SECONDS while the last
# call failed, the trial as soon as the cool-down is over; a probe waits at most PROBE_READ_TIMEOUT s for an answer.
PROBE_INTERVAL = env_int("PROBE_INTERVAL", 30, 1)
PROBE_RETRY_SECONDS = env_int("PROBE_RETRY_SECONDS", 5, 1)
PROBE_READ_TIMEOUT = env_int("PROBE_READ_TIMEOUT", 5, 1)
# Staff alerts (providers/alerting.py): one when a provider goes out, reminders after STAFF_ALERT_REMINDER_SECONDS,
# then twice as long each time (at most a day), one when it is back; background calls (refunds, status queries)
# alert after STAFF_ALERT_BACKGROUND_FAILURES failures in a row.
STAFF_ALERT_REMINDER_SECONDS = env_int("STAFF_ALERT_REMINDER_SECONDS", 900, 1)
STAFF_ALERT_BACKGROUND_FAILURES = env_int("STAFF_ALERT_BACKGROUND_FAILURES", 3, 1)
# Who gets provider outage alerts; empty means every active superuser with an e-mail address.
STAFF_ALERT_EMAILS = env_list("STAFF_ALERT_EMAILS")
# The staff chain's other addresses: on-call phones for SMS, the staff Telegram group's chat id.
STAFF_ALERT_PHONES = env_list("STAFF_ALERT_PHONES")
STAFF_ALERT_TELEGRAM_CHAT = env_str("STAFF_ALERT_TELEGRAM_CHAT", "")
